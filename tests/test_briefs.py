"""Page PDFs, the brief and subscriptions, for real: the app served on loopback, Debian's
Chromium printing through Playwright, pypdf reading the text back, and a real SMTP server
(aiosmtpd) on 127.0.0.1 receiving the mail. Figures are the fixture's, worked out by hand in
tests/test_overview.py (February 2024: contract amount ¥2,100, +320.0% against February
2023; this year to 15 March 2024: ¥3,200 for everyone, ¥1,000 for R3 alone)."""

from __future__ import annotations

import email
import io
import shutil
import socket
import unicodedata
from datetime import date, timedelta
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from crm import render, subscriptions, users

pytestmark = pytest.mark.skipif(not Path(render.CHROMIUM).exists() or shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed (make test installs it)")


def text_of(pdf: bytes) -> str:
    """The PDF's text; NFKC, since the CJK font maps some characters to their Kangxi radical
    forms (⾄ for 至)."""
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def people(warehouse, app_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.delenv("CRM_SMTP_HOST", raising=False)
    users.add("boss", "pw-boss", role="admin", scope_kind="all", email="boss@example.test", lang="zh-CN")
    users.add("wang", "pw-wang", scope_kind="own", rep_id="R3", email="wang@example.test", lang="en")
    return tmp_path


def test_page_pdf_in_chinese_has_title_filters_and_kpis(people):
    target = render.target_of("/", "preset=last_month")
    text = text_of(render.page_pdf(target, "boss", "zh-CN"))
    assert "经营概览" in text
    assert "2024-02-01 至 2024-02-29" in text and "数据截至 2024-03-15" in text
    assert "¥2,100" in text and "+320.0%" in text
    assert "1 / " in text  # page numbers


def test_page_pdf_in_english_names_its_filters(people):
    target = render.target_of("/", "preset=last_month&team=T2")
    text = text_of(render.page_pdf(target, "boss", "en"))
    assert "Overview" in text and "2024-02-01 – 2024-02-29" in text and "Teams: T2" in text
    assert "Data as of 2024-03-15" in text


def test_the_brief_of_a_rep_holds_only_the_reps_figures(people):
    mine = text_of(render.page_pdf("/brief", "wang", "en"))
    assert "Brief" in mine and "¥1,000" in mine  # K08 400 + K10 600
    assert "¥3,200" not in mine
    everyone = text_of(render.page_pdf("/brief", "boss", "en"))
    assert "¥3,200" in everyone


def test_targets_are_pages_of_the_app_with_honest_queries():
    assert render.target_of("/revenue", "?preset=last_month") == "/revenue?preset=last_month"
    assert render.target_of("/customer/C1", "") == "/customer/C1"
    assert render.target_of("/etc/passwd", "") is None
    assert render.target_of("http://example.com/", "") is None
    assert render.target_of("/revenue", "x" * 5000) is None


def test_periods_due():
    assert subscriptions.period_of("weekly", date(2024, 3, 13)) == ("2024-W10", date(2024, 3, 4), date(2024, 3, 10))
    assert subscriptions.period_of("weekly", date(2024, 3, 11)) == ("2024-W10", date(2024, 3, 4), date(2024, 3, 10))
    assert subscriptions.period_of("monthly", date(2024, 3, 1)) == ("2024-02", date(2024, 2, 1), date(2024, 2, 29))
    assert subscriptions.period_of("monthly", date(2025, 1, 15)) == ("2024-12", date(2024, 12, 1),
                                                                       date(2024, 12, 31))


def made_on(sub) -> date:
    return date.fromisoformat(sub.created_at[:10])


class Inbox:
    """A real SMTP server on loopback that keeps what it accepts (or refuses everything)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return "550 mailbox unavailable"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(people, monkeypatch):
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CRM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CRM_SMTP_PORT", str(port))
    monkeypatch.setenv("CRM_MAIL_FROM", "crm@example.test")
    yield inbox
    controller.stop()


def test_send_due_mails_the_brief_once_in_the_readers_language(smtp):
    sub = subscriptions.subscribe("wang", subscriptions.brief_target("monthly"), "monthly", "en", by="wang")
    next_month = made_on(sub).replace(day=28) + timedelta(days=10)  # the month made in is complete
    assert subscriptions.send_due(next_month, log=lambda _line: None) == 0
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "wang@example.test"
    assert message["Subject"].startswith("Brief · ")
    assert "The live page, with the same filters" in message.get_body(("plain",)).get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    brief = text_of(attachment.get_content())  # last month: February 2024, R3's K10 alone
    assert "2024-02-01 – 2024-02-29" in brief and "¥600" in brief and "¥2,100" not in brief
    assert subscriptions.send_due(next_month, log=lambda _line: None) == 0  # nothing twice
    assert len(smtp.messages) == 1


def test_a_refused_message_stays_pending_and_goes_out_next_run(smtp):
    sub = subscriptions.subscribe("boss", render.target_of("/revenue", "preset=last_month"), "weekly", "zh-CN",
                                  by="boss")
    later = made_on(sub) + timedelta(days=14)  # the week after the one made in is complete
    smtp.refuse = True
    lines: list[str] = []
    assert subscriptions.send_due(later, log=lines.append) == 1
    assert lines[0].startswith("FAILED") and "550" in lines[0]
    [waiting] = subscriptions.pending()
    assert waiting["attempts"] == 1 and waiting["subscription_id"] == sub.id
    smtp.refuse = False
    assert subscriptions.send_due(later, log=lines.append) == 0
    assert subscriptions.pending() == [] and len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"].startswith("业绩趋势")


def test_without_smtp_the_message_lands_in_the_outbox(people):
    sub = subscriptions.subscribe("boss", subscriptions.brief_target("weekly", "team=T3"), "weekly", "zh-CN",
                                  by="boss")
    assert sub.target == "/brief?preset=last_week&team=T3"
    later = made_on(sub) + timedelta(days=14)
    assert subscriptions.send_due(later, log=lambda _line: None) == 0
    [eml] = (people / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("销售简报")
    assert next(message.iter_attachments()).get_filename().endswith(".pdf")


def test_the_pdf_link_draws_the_viewers_own_view(client_as):
    from crm import audit

    boss = client_as("chief", role="admin", scope_kind="all")
    response = boss.get("/export/pdf?path=/&query=preset%3Dlast_month")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "¥2,100" in text_of(response.data)
    assert audit.entries(event="export")[0]["detail"] == {"format": "pdf", "target": "/?preset=last_month"}
    rep = client_as("r3", scope_kind="own", rep_id="R3")
    mine = text_of(rep.get("/export/pdf?path=/&query=preset%3Dlast_month").data)
    assert "¥600" in mine and "¥2,100" not in mine
    assert rep.get("/export/pdf?path=/etc/passwd").status_code == 400
    assert rep.get("/export/pdf?path=/&query=" + "x" * 3000).status_code == 400


def test_the_pdf_link_is_for_signed_in_viewers_only(warehouse, app_db):
    import app

    response = app.server.test_client().get("/export/pdf?path=/")
    assert response.status_code in (302, 401) and not response.data.startswith(b"%PDF")


def test_subscriptions_page_subscribes_lists_and_cancels(warehouse, app_db):
    import flask_login

    import app
    from pages import subscriptions as page

    users.add("boss", "pw", role="admin", scope_kind="all")
    users.add("li", "pw", scope_kind="own", rep_id="R2")
    query = {"preset": "last_month", "region": "华东"}

    def as_user(login, trigger, **states):
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            flask_login.login_user(users.get(login))
            from dash._callback_context import context_value
            from dash._utils import AttributeDict

            context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": 1}]))
            values = {"page": "/revenue", "frequency": "monthly", "lang": "en", "recipient": None, **states}
            return page.act(1, [], values["page"], values["frequency"], values["lang"], values["recipient"], query)

    # a viewer subscribes themselves, whatever recipient a forged request names
    out = as_user("li", "subs-add.n_clicks", recipient="boss")
    assert out[1] == "success"
    [mine] = subscriptions.listing("li")
    assert mine.target == "/revenue?preset=last_month&region=%E5%8D%8E%E4%B8%9C" and mine.frequency == "monthly"
    # the brief takes the frequency's period
    as_user("li", "subs-add.n_clicks", page="/brief", frequency="weekly")
    assert subscriptions.listing("li")[1].target == "/brief?preset=last_week&region=%E5%8D%8E%E4%B8%9C"
    # an admin subscribes someone else; a page outside the app is refused
    as_user("boss", "subs-add.n_clicks", page="/brief", recipient="li")
    assert [s.login for s in subscriptions.listing()] == ["li", "li", "li"]
    refused = as_user("boss", "subs-add.n_clicks", page="/etc/passwd")
    assert refused[1] == "danger"
    # a viewer cannot cancel someone else's subscription; its owner can
    other = subscriptions.subscribe("boss", "/revenue", "weekly", "zh-CN", by="boss")
    assert not subscriptions.cancel(other.id, "li")
    assert subscriptions.cancel(mine.id, "li")
    assert mine.id not in [s.id for s in subscriptions.listing()]

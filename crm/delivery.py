"""Delivering a PDF: by e-mail through the configured SMTP server (the standard
library's smtplib and email), or, when no server is configured, into a folder as a
complete .eml message (attachment included) that any mail client opens.

Settings: CRM_SMTP_HOST (unset: the folder), CRM_SMTP_PORT (default 25; 465 with
CRM_SMTP_TLS=ssl, 587 with starttls), CRM_SMTP_TLS (none | starttls | ssl), CRM_SMTP_USER
and CRM_SMTP_PASSWORD (optional), CRM_MAIL_FROM (the sender), CRM_OUTBOX (the folder,
default ``outbox`` beside the warehouse), CRM_BASE_URL (the address of the app in the
links of a message, default http://127.0.0.1:8050).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from data.build import warehouse_path

TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
SMTP_TIMEOUT = 30


class DeliveryError(RuntimeError):
    """The message could not be handed over (refused, unreachable, no address)."""


def outbox() -> Path:
    setting = os.environ.get("CRM_OUTBOX")
    return Path(setting) if setting else warehouse_path().with_name("outbox")


def base_url() -> str:
    return os.environ.get("CRM_BASE_URL", "http://127.0.0.1:8050").rstrip("/")


def message(sub, period: str, pdf: bytes, to: str | None) -> EmailMessage:
    """The message of ``sub``'s send for ``period``: subject and body in the
    subscription's language, a link to the live page, the PDF attached."""
    from components.i18n import t
    from crm import render

    title, caption = render.describe(sub.target, sub.lang)
    msg = EmailMessage()
    msg["Subject"] = t("brief.mail_subject", sub.lang, title=title, period=period)
    msg["From"] = os.environ.get("CRM_MAIL_FROM", "crm@localhost")
    if to:
        msg["To"] = to
    msg.set_content(t("brief.mail_body", sub.lang, title=title, caption=caption, link=base_url() + sub.target))
    name = re.sub(r"[^\w.-]+", "-", f"{title}_{period}") + ".pdf"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    return msg


def deliver(sub, period: str, pdf: bytes) -> str:
    """Send (or file) the message; where it went."""
    from crm import users

    host = os.environ.get("CRM_SMTP_HOST")
    user = users.get(sub.login)
    to = user.email if user else None
    if not host:
        folder = outbox()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (re.sub(r"[^\w.-]+", "-", f"{period}_{sub.login}_{sub.id}") + ".eml")
        path.write_bytes(bytes(message(sub, period, pdf, to)))
        return str(path)
    if not to:
        raise DeliveryError(f"user {sub.login!r} has no e-mail address")
    mode = os.environ.get("CRM_SMTP_TLS", "none")
    if mode not in TLS_MODES:
        raise DeliveryError(f"CRM_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {mode!r}")
    port = int(os.environ.get("CRM_SMTP_PORT") or DEFAULT_PORTS[mode])
    try:
        smtp_class = smtplib.SMTP_SSL if mode == "ssl" else smtplib.SMTP
        with smtp_class(host, port, timeout=SMTP_TIMEOUT) as smtp:
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if os.environ.get("CRM_SMTP_USER"):
                smtp.login(os.environ["CRM_SMTP_USER"], os.environ.get("CRM_SMTP_PASSWORD", ""))
            smtp.send_message(message(sub, period, pdf, to))
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{host}:{port} refused the message for {to}: {error}") from None
    return f"{to} via {host}:{port}"

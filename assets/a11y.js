/* Dash 4's dropdown keeps an aria-hidden input that the Tab key can still reach (axe-core:
   aria-hidden-focus) and that hands the focus on to the dropdown's button (tabindex -1): take
   such inputs out of the tab order and put the button itself in it, so the keyboard reaches
   every dropdown (the input sets itself back to 0 when the button loses the focus: watched). */
(function () {
  function fix(root) {
    root.querySelectorAll('.dash-dropdown-focus-target[aria-hidden="true"]').forEach(function (el) {
      if (el.tabIndex !== -1) { el.tabIndex = -1; }
      var button = el.nextElementSibling;
      if (button && button.classList.contains('dash-dropdown') && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }
  /* Dash 4's date picker writes some texts in English whatever the page's language (its
     month buttons' aria-labels, the year field's steppers, the weekday heads) and leaves the
     year field unnamed: the filter bar gives the page's words (components/filterbar.py
     datepicker_labels) and they are put in place whenever the calendar is drawn. */
  var parsed = {};
  function translateDatepicker(root) {
    var holder = root.querySelector('[data-datepicker-labels]');
    if (!holder) { return; }
    var text = holder.getAttribute('data-datepicker-labels');
    var words = parsed[text] || (parsed[text] = JSON.parse(text));
    root.querySelectorAll('.dash-datepicker [aria-label], .dash-datepicker-content [aria-label]').forEach(function (el) {
      var word = words[el.getAttribute('aria-label')];
      if (word && el.getAttribute('aria-label') !== word) { el.setAttribute('aria-label', word); }
    });
    root.querySelectorAll('.dash-datepicker-calendar thead span').forEach(function (el) {
      var word = words[el.textContent];
      // only a change: writing the same text would be a mutation, and this observer would run again
      if (word && word !== el.textContent && el.childElementCount === 0) { el.textContent = word; }
    });
    root.querySelectorAll('.dash-datepicker-controls input.dash-input-element').forEach(function (year) {
      if (year.getAttribute('aria-label') !== words.year) { year.setAttribute('aria-label', words.year); }
    });
  }
  /* after a language or theme switch reloads the page, the focus returns to the switch (and
     stays there while the page finishes rendering, until the viewer does something) */
  var wanted = sessionStorage.getItem('crm-focus');
  sessionStorage.removeItem('crm-focus');
  function settle() { wanted = null; }
  ['keydown', 'pointerdown'].forEach(function (name) { window.addEventListener(name, settle, true); });
  setTimeout(settle, 15000);
  function refocus() {
    var el = wanted && document.getElementById(wanted);
    if (el && document.activeElement !== el) { el.focus(); }
  }
  new MutationObserver(function () { fix(document); translateDatepicker(document); refocus(); })
    .observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ['aria-hidden', 'tabindex']});
})();

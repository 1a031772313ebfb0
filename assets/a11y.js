/* Dash 4's dropdown keeps an aria-hidden input that the Tab key can still reach (axe-core:
   aria-hidden-focus): take such inputs out of the tab order. The dropdown's own button keeps
   the keyboard path. */
(function () {
  function fix(root) {
    root.querySelectorAll('[aria-hidden="true"].dash-dropdown-focus-target, ' +
                          '.dash-dropdown-focus-target[aria-hidden="true"]').forEach(function (el) {
      if (el.tabIndex !== -1) { el.tabIndex = -1; }
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
  new MutationObserver(function () { fix(document); refocus(); })
    .observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ['aria-hidden']});
})();

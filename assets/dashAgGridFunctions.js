/* Functions the grids' column definitions call by name (components/grid.py): one money
   formatter for every grid, written like the cards' money (components/format.py), and
   AG Grid's texts in the page's language. Formatting is the browser's Intl (ICU), which
   knows 万/亿 for zh-CN. */
(function (root) {
  var DASH = '—';
  var plain = {};
  var compact = {};

  function undefinedNumber(value) {
    return value === null || value === undefined || value === '' || !isFinite(Number(value));
  }

  function formatter(cache, lang, options) {
    if (!cache[lang]) { cache[lang] = new Intl.NumberFormat(lang, options); }
    return cache[lang];
  }

  var functions = {
    /* ¥1,234,567.50 in English; in Chinese from 1万 up ¥123.46万 / ¥1.23亿: always two decimals */
    gridMoney: function (value, lang, symbol) {
      if (undefinedNumber(value)) { return DASH; }
      var amount = Math.abs(Number(value));
      var sign = Number(value) < 0 ? '-' : '';
      var digits = {minimumFractionDigits: 2, maximumFractionDigits: 2};
      var text = lang === 'zh-CN' && amount >= 1e4
        ? formatter(compact, lang, Object.assign({notation: 'compact', useGrouping: true}, digits)).format(amount)
        : formatter(plain, lang, digits).format(amount);
      return sign + symbol + text;
    },
    /* AG Grid's own texts (paging, menus, filters) in zh-CN from @ag-grid-community/locale;
       the app's own empty-grid message in both languages */
    gridLocaleText: function (params, lang, noRows) {
      if (params.key === 'noRowsToShow') { return noRows; }
      var table = lang === 'zh-CN' ? root.AG_GRID_LOCALE_ZH_CN : null;
      var text = table && table[params.key];
      if (!text) { return params.defaultValue; }
      var values = params.variableValues || [];
      return text.replace(/\$\{variable\}/g, function () { return values.shift(); });
    }
  };

  root.dashAgGridFunctions = Object.assign(root.dashAgGridFunctions || {}, functions);
  if (typeof module !== 'undefined') { module.exports = functions; }
})(typeof window !== 'undefined' ? window : globalThis);

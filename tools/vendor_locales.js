// Writes the self-hosted locale files of assets/ from the pinned npm packages
// (`make locales`; both packages are MIT): plotly.js's zh-CN locale, registered the way
// plotly.js's own dist/plotly-locale-*.js files do, and AG Grid's zh-CN locale texts.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const plotly = require('plotly.js-locales/zh-cn.js');
const plotlyVersion = require('plotly.js-locales/package.json').version;
fs.writeFileSync(path.join(root, 'assets', 'plotly-locale-zh-cn.js'),
  `/* plotly.js-locales ${plotlyVersion} zh-cn.js (MIT, (c) Plotly, Inc.), written by tools/vendor_locales.js */\n` +
  `(function () {\n  var locale = ${JSON.stringify(plotly)};\n` +
  "  if (typeof Plotly === 'undefined') {\n" +
  '    window.PlotlyLocales = window.PlotlyLocales || [];\n' +
  '    window.PlotlyLocales.push(locale);\n' +
  '  } else {\n    Plotly.register(locale);\n  }\n})();\n');

const grid = require('@ag-grid-community/locale').AG_GRID_LOCALE_CN;
const gridVersion = JSON.parse(fs.readFileSync(
  path.join(root, 'node_modules', '@ag-grid-community', 'locale', 'package.json'), 'utf8')).version;
fs.writeFileSync(path.join(root, 'assets', 'ag-grid-locale-zh-cn.js'),
  `/* @ag-grid-community/locale ${gridVersion} AG_GRID_LOCALE_CN (MIT, (c) AG GRID LTD), written by tools/vendor_locales.js */\n` +
  `window.AG_GRID_LOCALE_ZH_CN = ${JSON.stringify(grid, null, 0)};\n`);

// bench_js.js -- renders per second of mustache.js and Handlebars on bench/template/appendix-a.mustache.
// usage: node bench_js.js mustache|handlebars TEMPLATE DATA.json [--print] [--seconds S]
'use strict';
const fs = require('fs');
const [engine, tplPath, dataPath, ...rest] = process.argv.slice(2);
const tpl = fs.readFileSync(tplPath, 'utf8');
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8'));
const secIdx = rest.indexOf('--seconds');
const seconds = secIdx >= 0 ? Number(rest[secIdx + 1]) : 0.4;
let render;
if (engine === 'mustache') {
  const Mustache = require('mustache');
  Mustache.parse(tpl);                               // parse once; render uses the cache
  render = () => Mustache.render(tpl, data);
} else if (engine === 'handlebars') {
  const Handlebars = require('handlebars');
  const fn = Handlebars.compile(tpl, { compat: true });
  fn(data);                                          // compile happens on first call
  render = () => fn(data);
} else {
  console.error('unknown engine ' + engine);
  process.exit(2);
}
if (rest.includes('--print')) { process.stdout.write(render()); process.exit(0); }
const rates = [];
for (let run = -1; run < 5; run++) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  let t;
  do {
    for (let k = 0; k < 100; k++) render();
    n += 100;
    t = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (t < seconds);
  if (run >= 0) rates.push(n / t);
}
rates.sort((a, b) => a - b);
console.log(Math.round(rates[2]));

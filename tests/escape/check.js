// check.js -- runs one rendered round-trip file in Node, sloppy and strict, and prints each value.
// The file calls add(value) per corpus value; both runs must agree.
'use strict';
const fs = require('fs');

function hex(s) { return Buffer.from(s, 'utf8').toString('hex'); }
function enc(v) {
  if (v === null) return 'z';
  if (v === undefined) return 'u';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return 'n' + String(v);
  if (typeof v === 'string') {
    if (/[\uD800-\uDFFF]/u.test(v)) return '!lone-surrogate';
    return 's' + hex(v);
  }
  if (Array.isArray(v)) return '[' + v.map(enc).join(',') + ']';
  if (Object.getPrototypeOf(v) !== Object.prototype) return '!prototype-changed';
  return '{' + Object.keys(v).map((k) => enc(k) + ':' + enc(v[k])).sort().join(',') + '}';
}
function run(src, strict) {
  const out = [];
  const add = (...a) => { out.push(a.length ? enc(a[0]) : 'u'); };
  new Function('add', (strict ? '"use strict";\n' : '') + src)(add);
  return out;
}
const src = fs.readFileSync(process.argv[2], 'utf8');
const sloppy = run(src, false), strict = run(src, true);
if (sloppy.join('\n') !== strict.join('\n')) { console.error('check.js: strict and sloppy runs differ'); process.exit(1); }
if (sloppy.length) console.log(sloppy.join('\n'));

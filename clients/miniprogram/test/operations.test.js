// The mini-program sends only hashes: operations/index.js must be the hashes of the
// .graphql files as they are (the city registers those same files).
const fs = require('fs');
const path = require('path');
const { hashes, render } = require('../scripts/hash-operations.js');

test('operations/index.js is generated from the .graphql files', () => {
  const file = fs.readFileSync(path.join(__dirname, '..', 'operations', 'index.js'), 'utf8');
  expect(file).toBe(render(hashes()));
});

test('no page or utility sends a document of its own', () => {
  const roots = ['pages', 'utils'].map((d) => path.join(__dirname, '..', d));
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else if (p.endsWith('.js')) files.push(p);
  });
  roots.forEach(walk);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    expect([f, /\b(query|mutation)\s*[({]/.test(text)]).toEqual([f, false]);
  }
});

test('money and dates read the way a county office writes them', () => {
  const format = require('../utils/format.js');
  expect(format.yuan(68000)).toBe('680.00 元');
  expect(format.yuan(-7005)).toBe('-70.05 元');
  expect(format.month('2026-03')).toBe('2026年3月');
  // 23:30 UTC on 31 December is already 1 January in China.
  expect(format.chinaToday(new Date(Date.UTC(2026, 11, 31, 23, 30)))).toBe('2027-01-01');
});

// Renders a page (every page is a Component) with WeChat's component test tool and waits
// for what the page does asynchronously.
const path = require('path');
const simulate = require('miniprogram-simulate');

const loaded = new Map();

function render(name) {
  // The tool's own WXML compiler: the bundled official one mixes up templates when one
  // test file loads several pages. A page is loaded once and rendered afresh each time.
  if (!loaded.has(name)) {
    loaded.set(name, simulate.load(path.join(__dirname, '..', 'pages', name, name), { compiler: 'simulate' }));
  }
  const id = loaded.get(name);
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

/** Waits until `check()` is true (the page's requests go to a live server). */
async function until(check, what, ms = 10000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await simulate.sleep(20);
  }
}

function text(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.trim() : null;
}

module.exports = { render, until, text, simulate };

// Browser test of a vector basemap (`serve --basemap-style URL`): the style at URL (here a small
// style this test answers for, so no network is used) is drawn under placeplan's layers, with its
// relative URLs resolved, its names in the built-in font, its credit shown, and a switch.
// Usage: node tests/browser/basemap.test.mjs BASE_URL SCREENSHOT_DIR STYLE_URL

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const [base, shots, styleUrl] = process.argv.slice(2);
const placesUrl = new URL('data/places.geojson', styleUrl).href; // relative to the style
const ok = (what) => console.log(`ok - [basemap] ${what}`);
const land = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Basemap Town' },
  geometry: { type: 'Point', coordinates: [-1.2, 52.25] } }] };
const theirs = {
  version: 8,
  name: 'test basemap',
  glyphs: 'https://fonts.elsewhere.example/{fontstack}/{range}.pbf',
  sources: { places: { type: 'geojson', data: 'data/places.geojson', attribution: '© Test Basemap Ltd' } },
  layers: [
    { id: 'background', type: 'background', paint: { 'background-color': '#123456' } },
    { id: 'towns', type: 'symbol', source: 'places', layout: { 'text-field': ['get', 'name'], 'text-font': ['Open Sans Semibold'] } },
  ],
};

const browser = await chromium.launch({
  executablePath: process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const asked = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    asked.push(u);
    if (u === styleUrl) return route.fulfill({ contentType: 'application/json', body: JSON.stringify(theirs) });
    if (u === placesUrl) return route.fulfill({ contentType: 'application/geo+json', body: JSON.stringify(land) });
    errors.push(`unexpected request: ${u}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(base + '/');
  await page.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  const style = await page.evaluate(() => window.placeplan.map.getStyle());
  const ids = style.layers.map((l) => l.id);
  assert.equal(ids[0], 'basemap:background', 'their background first');
  assert.ok(ids.indexOf('basemap:towns') < ids.indexOf('wards-fill'), 'the basemap under the layers');
  assert.ok(!ids.includes('background'), 'our plain background dropped');
  assert.ok(style.sources['basemap:places'], 'their source, renamed')
  assert.deepEqual(style.layers.find((l) => l.id === 'basemap:towns').layout['text-font'], ['Noto Sans Bold'], 'their names in the built-in font');
  assert.ok(style.glyphs.startsWith(base), 'glyphs from this server');
  assert.ok(asked.includes(placesUrl), `the basemap data was loaded from its address relative to the style: ${asked}`);
  await page.waitForFunction(() => document.querySelector('.maplibregl-ctrl-attrib').textContent.includes('Test Basemap'), null, { timeout: 10000 });
  const colourAt = () => page.evaluate(() => {
    const c = window.placeplan.map.getCanvas();
    const gl = c.getContext('webgl2') || c.getContext('webgl');
    const px = new Uint8Array(4);
    gl.readPixels(5, 5, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    return [...px].slice(0, 3);
  });
  assert.deepEqual(await colourAt(), [0x12, 0x34, 0x56], 'their background drawn');
  await page.screenshot({ path: `${shots}/basemap-on.png` });
  await page.locator('#basemap-toggle').uncheck();
  // The switch may already have repainted: ask for one more frame, so that 'idle' surely follows.
  await page.evaluate(() => new Promise((r) => { const m = window.placeplan.map; m.once('idle', r); m.triggerRepaint(); }));
  assert.equal(await page.evaluate(() => window.placeplan.map.getLayoutProperty('basemap:background', 'visibility')), 'none');
  assert.notDeepEqual(await colourAt(), [0x12, 0x34, 0x56], 'switched off');
  ok('vector basemap under the layers: URLs resolved, built-in font, credited, switchable');
  assert.deepEqual(errors, []);
} catch (e) {
  console.error(`not ok - [basemap] ${e.message}`);
  if (errors.length) console.error(errors.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();

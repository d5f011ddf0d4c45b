// Browser test of a published site (`placeplan publish`), with no placeplan process: Playwright
// (playwright-core) driving Debian Chromium.
// Usage: node tests/browser/static.test.mjs SITE_DIR PLAIN_URL SCREENSHOT_DIR [POSTCODE]
//   SITE_DIR   the published folder
//   PLAIN_URL  the site as `python3 -m http.server` serves it (no range requests), at a sub-path
// The same checks then run against a host that answers range requests, started here.
// Run by tests/browser.rs (cargo test). Prints one line per check; exits 1 on the first failure.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [siteDir, plainUrl, shots = '.', postcode] = process.argv.slice(2);
const chromiumPath = process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium';
const nf0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const places = (v) => nf0.format(Math.round(v));
const read = (rel) => JSON.parse(fs.readFileSync(path.join(siteDir, rel), 'utf8'));
function ok(what) { console.log(`ok - ${what}`); }

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.geojson': 'application/geo+json', '.pbf': 'application/x-protobuf' };

/** A static host that answers `Range: bytes=a-b`, as nginx, S3 and CDNs do; counts what it sends. */
function rangeHost(root) {
  const sent = { ranges: 0, whole: 0 };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/site\//, '');
    const file = path.resolve(root, rel.endsWith('/') || rel === '' ? `${rel}index.html` : rel);
    if (!file.startsWith(path.resolve(root)) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    const size = fs.statSync(file).size;
    const type = TYPES[path.extname(file)] || 'application/octet-stream';
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || '');
    if (m) {
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), size - 1);
      sent.ranges += 1;
      res.writeHead(206, { 'Content-Type': type, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
      fs.createReadStream(file, { start, end }).pipe(res);
    } else {
      if (file.endsWith('.pmtiles')) sent.whole += 1;
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      fs.createReadStream(file).pipe(res);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, sent, url: `http://127.0.0.1:${server.address().port}/site/` })));
}

const meta = read('api/layers.json');
const wards = meta.layers.find((l) => l.kind.area === 'ward');
assert.ok(wards, 'the site has a ward layer');
const areaList = read(`api/layers/${wards.id}/areas.json`);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

async function check(base, label) {
  const errors = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const origin = new URL(base).origin;
  // Offline: only the static host, and nothing that is not in the site.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    errors.push(`request left the site: ${u}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} for ${r.url()}`); });
  const idle = () => page.evaluate(() => new Promise((resolve) => {
    const m = window.placeplan.map;
    if (m.loaded() && m.areTilesLoaded()) resolve(); else m.once('idle', () => resolve());
  }));
  const rendered = (id) => page.evaluate((l) => window.placeplan.map.queryRenderedFeatures({ layers: [l] }).length, id);

  // 1. The map draws every layer from the one archive.
  await page.goto(base);
  await page.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  await idle();
  const src = await page.evaluate((id) => window.placeplan.map.getLayer(`${id}-fill`).source, wards.id);
  assert.equal(src, 'placeplan', 'the ward fills read the archive source');
  const n = await rendered(`${wards.id}-fill`);
  assert.ok(n > 0, 'ward polygons rendered from the archive');
  assert.ok(await rendered('schools-circle') > 0, 'school points rendered from the archive');
  assert.ok(await page.evaluate(() => window.placeplan.map.queryRenderedFeatures().some((f) => f.layer.type === 'symbol')), 'names drawn with the site\'s glyphs');
  assert.equal(await page.locator('#synthetic-badge').isVisible(), meta.dataset.synthetic, 'synthetic badge as the data says');
  // Disclosure control: a badge and the note, as the data says.
  assert.equal(await page.locator('#disclosure-badge').isVisible(), Boolean(meta.dataset.disclosure), 'disclosure badge as the data says');
  if (meta.dataset.disclosure) {
    assert.equal(await page.locator('#disclosure-note').textContent(), meta.dataset.disclosure.note);
  }
  ok(`${label}: ${n} ward features and the schools drawn from tiles/placeplan.pmtiles`);

  // 2. An area from the list: the panel's figures are the published profile's; its calculation
  // is the published one for the phase and year.
  const pick = areaList[Math.floor(areaList.length / 2)];
  await page.locator('#area-select').selectOption(pick.code);
  await page.waitForSelector(`#panel[data-code="${pick.code}"]`, { timeout: 10000 });
  const prof = read(`api/areas/${wards.id}/${pick.code.replace(/[^A-Za-z0-9._~-]/gu, '_')}.json`);
  const state = await page.evaluate(() => ({ ...window.placeplan.state }));
  const row = prof.figures.find((r) => r.phase === state.phase && r.year === state.year);
  assert.ok(row, `the profile has ${state.phase} ${state.year}`);
  assert.equal(await page.locator('#panel [data-field="capacity"]').first().textContent(), places(row.capacity));
  assert.equal(await page.locator('#panel [data-field="pupils"]').first().textContent(), places(row.pupils));
  if (meta.dataset.disclosure) assert.equal(row.pupils % 5, 0, `rounded to 5: ${row.pupils}`);
  await page.waitForSelector('#calc-year details', { timeout: 10000 });
  const selected = await page.evaluate((f) => window.placeplan.map.getFeatureState({ source: 'placeplan', sourceLayer: f.layer, id: f.id }).selected,
    { layer: wards.id, id: prof.feature_id });
  assert.equal(selected, true, 'the ward is highlighted through the archive source');
  ok(`${label}: ${pick.name} opened from the list: ${places(row.capacity)} places, ${places(row.pupils)} pupils, its calculation shown`);

  // 3. Every link of the panel is a file of the site.
  const links = await page.locator('#panel a[href]').evaluateAll((as) => as.map((a) => a.href).filter((h) => !h.includes('#')));
  assert.ok(links.length >= 5, `panel links: ${links}`);
  for (const h of links) {
    const r = await page.request.get(h);
    assert.equal(r.status(), 200, `${h} answered ${r.status()}`);
  }
  ok(`${label}: ${links.length} panel links (ward page, CSV, XLSX, GeoPackage, GeoJSON, profile) all answer`);

  // 4. Search without a server: a near miss of a name, then a postcode.
  const name = pick.name;
  const typo = name.length >= 6 ? `${name.slice(0, 2)}${name[3]}${name[2]}${name.slice(4)}` : name;
  await page.locator('#search-input').fill(typo);
  await page.waitForSelector('#search-results li[data-i]', { timeout: 5000 });
  const found = await page.locator('#search-results li[data-i]').allTextContents();
  assert.ok(found.some((t) => t.includes(name)), `search "${typo}" finds ${name}: ${found}`);
  await page.locator('#search-input').fill('');
  if (postcode) {
    await page.locator('#search-input').fill(postcode);
    await page.waitForSelector('#search-results li[data-i]', { timeout: 5000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.postcode-marker', { timeout: 10000 });
    ok(`${label}: postcode ${postcode} found, marker placed`);
  }
  ok(`${label}: search "${typo}" finds ${name}`);

  // 5. The ward page and back to the map.
  await page.goto(new URL(`ward/${wards.id}/${pick.code.replace(/[^A-Za-z0-9._~-]/gu, '_')}.html`, base).href);
  assert.ok((await page.locator('h1').textContent()).includes(name), 'the ward page names the ward');
  await page.locator('a', { hasText: 'All wards' }).first().click();
  await page.waitForSelector('table');
  assert.ok(await page.locator('table tbody tr').count() >= areaList.length, 'the index lists every ward');
  await page.locator('a', { hasText: name }).first().click();
  await page.locator('a', { hasText: 'Open on the map' }).first().click();
  await page.waitForSelector(`#panel[data-code="${pick.code}"]`, { timeout: 15000 });
  ok(`${label}: ward page → index → ward page → the map with ${name} open`);
  await page.screenshot({ path: `${shots}/static-${label}.png` });
  await context.close();
  assert.deepEqual(errors, [], `no errors on ${label}:\n${errors.join('\n')}`);
}

try {
  await check(plainUrl, 'plain-host');
  const host = await rangeHost(siteDir);
  try {
    await check(host.url, 'range-host');
    assert.ok(host.sent.ranges > 0 && host.sent.whole === 0, `a range host sends parts of the archive, never all of it: ${JSON.stringify(host.sent)}`);
    ok(`range-host: ${host.sent.ranges} range requests, the archive never sent whole`);
  } finally {
    host.server.close();
  }
} finally {
  await browser.close();
}

// Browser test of the officers' map on any dataset (the demo, and Leeds when the real data is
// there): names on the map, the authority outline and ward boundaries over LSOAs, the need view
// following phase and year, the PNG and A4 exports, choosing an area from the keyboard, postcode
// search (when the data has postcodes), no sideways scroll at 360 px, and no axe-core violations.
// Usage: node tests/browser/officer.test.mjs BASE_URL SCREENSHOT_DIR NAME [POSTCODE]
// Prints one line per check; exits 1 on the first failure.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [base, shots, name, postcode] = process.argv.slice(2);
const chromiumPath = process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const academicYear = (y) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`;
const ok = (what) => console.log(`ok - [${name}] ${what}`);

async function getJSON(path) {
  const res = await fetch(base + path);
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  return res.json();
}

/** Point in a GeoJSON (Multi)Polygon, even-odd over every ring. */
function contains(geometry, [x, y]) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let inside = false;
  for (const rings of polys) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

const hex = (c) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    errors.push(`request left the server: ${u}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
  const idle = () => page.evaluate(() => new Promise((resolve) => {
    const m = window.placeplan.map;
    if (m.loaded() && m.areTilesLoaded() && !m.isMoving()) resolve(); else m.once('idle', () => resolve());
  }));
  const rendered = (id) => page.evaluate((l) => window.placeplan.map.queryRenderedFeatures({ layers: [l] }).map((f) => f.properties), id);

  const meta = await getJSON('/api/layers');
  const wards = meta.layers.find((l) => l.kind.area === 'ward');
  const lsoa = meta.layers.find((l) => l.kind === 'lsoa');
  const names = new Set((await getJSON(`/api/layers/${wards.id}/areas`)).map((a) => a.name));

  // 1. Names on the map, drawn with the glyphs this server makes, and the authority outline.
  await page.goto(`${base}/#layer=${wards.id}`);
  await page.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  await idle();
  const labels = (await rendered(`${wards.id}-label`)).map((p) => p.name);
  assert.ok(labels.length >= Math.min(5, names.size), `ward names drawn: ${labels.length}`);
  for (const l of labels) assert.ok(names.has(l), `label ${l} is a ward's name`);
  assert.equal(new Set(labels).size, labels.length, 'each ward named once');
  assert.ok((await rendered('outline')).length > 0, 'authority outline drawn');
  await page.screenshot({ path: `${shots}/${name}-labels.png` });
  ok(`${labels.length} of ${names.size} ward names drawn (${labels.slice(0, 3).join(', ')} …), outline drawn`);

  // 2. LSOA deprivation under the ward boundaries and names.
  await page.locator(`#layer-list input[value="${lsoa.id}"]`).check();
  await idle();
  assert.ok((await rendered(`${wards.id}-context`)).length > 0, 'ward boundaries over the LSOAs');
  assert.ok((await rendered(`${wards.id}-label`)).length > 0, 'ward names over the LSOAs');
  assert.equal((await rendered(`${wards.id}-fill`)).length, 0, 'ward fills stay hidden');
  await page.locator('#wards-toggle').uncheck();
  await idle();
  assert.equal((await rendered(`${wards.id}-context`)).length, 0, 'ward boundaries switched off');
  await page.locator('#wards-toggle').check();
  await idle();
  await page.screenshot({ path: `${shots}/${name}-lsoa-wards.png` });
  ok('LSOAs under ward boundaries and names');

  // 3. The need view follows the phase and the year, and its classes follow the statuses.
  await page.locator(`#layer-list input[value="${wards.id}"]`).check();
  await page.locator('#metric-select').selectOption('need');
  await idle();
  const years = wards.years.primary;
  const year = years[years.length - 1];
  await page.locator('#year-slider').fill(String(years.length - 1));
  await idle();
  const needPaint = () => page.evaluate((id) => JSON.stringify(window.placeplan.map.getPaintProperty(`${id}-fill`, 'fill-color')), wards.id);
  assert.ok((await needPaint()).includes(`need_primary_${year}`), 'need view for primary in the last year');
  const heading = await page.locator('#legend h3').textContent();
  assert.ok(heading.includes('primary') && heading.includes(academicYear(year)), `legend names phase and year: ${heading}`);
  const summary = await getJSON(`/api/summary?layer=${wards.id}&phase=primary&year=${year}`);
  const shown = await rendered(`${wards.id}-fill`);
  const classed = new Set();
  for (const p of shown) {
    const row = summary.find((r) => r.code === p.code);
    const need = p[`need_primary_${year}`];
    if (!row || !row.status || need === undefined) continue;
    const want = row.status === 'deficit' ? /^deficit_/ : row.status === 'tight' ? /^tight$/ : /^enough$/;
    assert.match(need, want, `${p.code}: status ${row.status}, need ${need}`);
    classed.add(p.code);
  }
  assert.ok(classed.size > 0, 'need classes checked against the statuses');
  await page.screenshot({ path: `${shots}/${name}-need.png` });
  const secondary = wards.phases.includes('secondary');
  if (secondary) {
    await page.locator('#phase-toggle button[data-phase="secondary"]').click();
    await idle();
    const y2 = await page.evaluate(() => window.placeplan.state.year);
    assert.ok((await needPaint()).includes(`need_secondary_${y2}`), 'need view follows the phase');
    assert.ok(Math.abs(y2 - year) <= 1 || !wards.years.secondary.includes(year), `year kept across phases: ${year} → ${y2}`);
    await page.locator('#phase-toggle button[data-phase="primary"]').click();
    await idle();
  }
  ok(`need view: ${classed.size} wards' classes agree with their ${academicYear(year)} status; follows the phase${secondary ? '' : ' (one phase only)'}`);

  // 4. Export: the PNG holds the legend's colours where it says it drew them.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const png = readFileSync(await download.path());
  writeFileSync(`${shots}/${name}-export.png`, png);
  const last = await page.evaluate(() => window.placeplan.lastExport);
  const canvas = await page.evaluate(() => [window.placeplan.map.getCanvas().width, window.placeplan.map.getCanvas().height]);
  const sampled = await page.evaluate(async ({ data, boxes }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return { w: img.width, h: img.height, px: boxes.map((b) => [...ctx.getImageData(Math.round(b.x), Math.round(b.y), 1, 1).data].slice(0, 3)) };
  }, { data: png.toString('base64'), boxes: last.boxes });
  assert.equal(sampled.w, last.width);
  assert.ok(sampled.w > canvas[0] && sampled.h > canvas[1], `the image is the map and more: ${sampled.w}×${sampled.h}`);
  const need = wards.metrics.find((m) => m.id === 'need');
  const colours = [...need.legend.map((l) => l.color), need.no_data];
  assert.equal(last.boxes.length, colours.length, 'a swatch per class and one for no figure');
  // Drawn as on the map: at the fill's opacity over the background.
  const opacity = await page.evaluate(() => window.placeplan.map.getPaintProperty(`${window.placeplan.state.layer}-fill`, 'fill-opacity'));
  const alpha = Array.isArray(opacity) ? opacity[opacity.length - 1] : opacity;
  const bg = hex('#f2f1ed');
  last.boxes.forEach((b, i) => {
    const want = hex(colours[i]).map((v, k) => Math.round(alpha * v + (1 - alpha) * bg[k]));
    const got = sampled.px[i];
    assert.ok(want.every((v, k) => Math.abs(v - got[k]) <= 2), `swatch ${i}: ${got} vs ${colours[i]}`);
  });
  ok(`PNG export ${sampled.w}×${sampled.h} with the ${colours.length} legend colours (${download.suggestedFilename()})`);

  // 5. Print: one A4 landscape page with the picture.
  await page.evaluate(() => { window.print = () => { window.placeplan.printed = true; }; });
  await page.click('#export-a4');
  await page.waitForFunction(() => window.placeplan.printed === true, null, { timeout: 10000 });
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true });
  await page.emulateMedia({ media: 'screen' });
  writeFileSync(`${shots}/${name}-export.pdf`, pdf);
  const text = pdf.toString('latin1');
  assert.equal((text.match(/\/Type\s*\/Page[^s]/g) || []).length, 1, 'one page');
  const box = text.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
  assert.ok(box && Math.abs(Number(box[1]) - 841.9) < 1 && Math.abs(Number(box[2]) - 595.3) < 1, `A4 landscape: ${box && box.slice(1)}`);
  await page.evaluate(() => { window.placeplan.printed = false; });
  await page.click('#export-a3');
  await page.waitForFunction(() => window.placeplan.printed === true, null, { timeout: 10000 });
  await page.emulateMedia({ media: 'print' });
  const a3 = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
  await page.emulateMedia({ media: 'screen' });
  const box3 = a3.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
  assert.equal((a3.match(/\/Type\s*\/Page[^s]/g) || []).length, 1, 'one A3 page');
  assert.ok(box3 && Math.abs(Number(box3[1]) - 1190.6) < 1 && Math.abs(Number(box3[2]) - 841.9) < 1, `A3 landscape: ${box3 && box3.slice(1)}`);
  ok('A4 and A3 landscape PDFs, one page each');

  // 6. An area from the list, with the keyboard only.
  await page.locator('#area-select').focus();
  await page.keyboard.press('ArrowDown');
  const chosen = await page.locator('#area-select').inputValue();
  assert.ok(chosen, 'an area chosen');
  await page.waitForSelector(`#panel[data-code="${chosen}"]`, { timeout: 10000 });
  ok(`keyboard: area ${chosen} opened from the list`);

  // 7. A postcode opens the ward that contains it, with a marker at it.
  if (postcode) {
    await page.locator('#search-input').fill(postcode);
    await page.waitForSelector('#search-results li[data-i]', { timeout: 5000 });
    const hits = await getJSON(`/api/search?q=${encodeURIComponent(postcode)}`);
    const hit = hits.find((h) => h.layer === wards.id);
    assert.ok(hit, `the postcode lies in a ${wards.title} ward`);
    const i = (await page.locator('#search-results li[data-i]').allTextContents()).findIndex((t) => t.includes(hit.name));
    await page.locator(`#search-results li[data-i="${i}"]`).click();
    await page.waitForSelector(`#panel[data-code="${hit.code}"]`, { timeout: 10000 });
    const ward = (await getJSON(`/api/layers/${wards.id}/geojson`)).features.find((f) => f.properties.code === hit.code);
    assert.ok(contains(ward.geometry, hit.point), 'the ward contains the postcode');
    assert.equal(await page.locator('.postcode-marker').count(), 1, 'a marker at the postcode');
    await idle();
    await page.screenshot({ path: `${shots}/${name}-postcode.png` });
    ok(`postcode ${postcode} → ${hit.name}`);
  }

  // 8. No axe-core violations on the map, a ward page and the ward index.
  const axe = async (p, what) => {
    await p.addScriptTag({ content: axeSource });
    const r = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const v = r.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(v, [], `axe-core on ${what}`);
  };
  await axe(page, 'the map');
  const code = [...(await getJSON(`/api/layers/${wards.id}/areas`))][0].code;
  const wardPage = await context.newPage();
  await wardPage.goto(`${base}/ward/${code}?layer=${wards.id}`);
  await axe(wardPage, 'a ward page');
  await wardPage.goto(`${base}/wards`);
  await axe(wardPage, 'the ward index');
  await wardPage.close();
  ok('axe-core: no violations on the map, a ward page and the index');

  // 9. Phones: no sideways scroll at 360 px; the legend in the drawer; the panel as a sheet.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await phone.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
  const p = await phone.newPage();
  p.on('pageerror', (e) => errors.push(`page error (phone): ${e.message}`));
  const sideways = () => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await p.goto(`${base}/#layer=${wards.id}&sel=${wards.id}/${code}`);
  await p.waitForSelector(`#panel[data-code="${code}"]`, { timeout: 30000 });
  assert.equal(await sideways(), 0, 'map page');
  const sheet = await p.locator('#panel').boundingBox();
  assert.ok(sheet.y > 740 * 0.4 && Math.abs(sheet.width - 360) < 1, `panel is a bottom sheet: ${JSON.stringify(sheet)}`);
  await p.screenshot({ path: `${shots}/${name}-phone-panel.png` });
  await p.locator('#panel-close').click();
  await p.locator('#controls-toggle').click();
  await p.waitForTimeout(400);
  const legendBox = await p.locator('#legend').boundingBox();
  assert.ok(legendBox && legendBox.x >= 0 && legendBox.x + legendBox.width <= 360, 'legend within the screen in the drawer');
  await p.screenshot({ path: `${shots}/${name}-phone-drawer.png` });
  for (const path of [`/ward/${code}?layer=${wards.id}`, '/wards']) {
    await p.goto(base + path);
    assert.equal(await sideways(), 0, `${path} at 360 px`);
  }
  await p.screenshot({ path: `${shots}/${name}-phone-wards.png` });
  await phone.close();
  ok('360 px: no sideways scroll on the map, a ward page and the index; bottom sheet; legend in the drawer');

  assert.deepEqual(errors, [], 'no page errors and no request left the server');
} catch (e) {
  console.error(`not ok - [${name}] ${e.message}`);
  if (errors.length) console.error(errors.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();

// Browser test of the map app: Playwright (playwright-core) driving Debian Chromium.
// Usage: node tests/browser/map.test.mjs BASE_URL SCREENSHOT_DIR
// Run by tests/browser.rs (cargo test), which starts `placeplan serve` on the demo data.
// Prints one line per check; exits 1 on the first failure.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const base = process.argv[2];
const shots = process.argv[3] || '.';
const chromiumPath = process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium';

const nf0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const places = (v) => nf0.format(Math.round(v));
const pct = (v) => `${nf1.format(v).replace('-', '−')}%`;
const signed = (v) => { const r = Math.round(v); return r > 0 ? `+${nf0.format(r)}` : r < 0 ? `−${nf0.format(-r)}` : '0'; };
const academicYear = (y) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`;

async function getJSON(path) {
  const res = await fetch(base + path);
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  return res.json();
}

function ok(what) { console.log(`ok - ${what}`); }

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  // Offline: any request that leaves the server under test fails the test.
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
    if (m.loaded() && m.areTilesLoaded()) resolve(); else m.once('idle', () => resolve());
  }));
  const rendered = (layerId) => page.evaluate((id) => window.placeplan.map.queryRenderedFeatures({ layers: [id] }).length, layerId);
  const visibility = (layerId) => page.evaluate((id) => window.placeplan.map.getLayoutProperty(id, 'visibility'), layerId);

  // 1. The page loads the demo and draws the default layer from vector tiles.
  const meta = await getJSON('/api/layers');
  const wards = meta.layers.find((l) => l.kind.area === 'ward');
  const areas = meta.layers.find((l) => l.kind.area === 'planning_area');
  assert.ok(wards && areas, 'the demo has wards and planning areas');
  await page.goto(base + '/');
  await page.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  await idle();
  assert.equal(await page.locator('#synthetic-badge').isVisible(), true, 'synthetic badge shown');
  assert.equal(await visibility(`${wards.id}-fill`), 'visible');
  const wardCount = await rendered(`${wards.id}-fill`);
  assert.ok(wardCount > 0, 'ward polygons rendered');
  assert.ok(await rendered('schools-circle') > 0, 'school points rendered');
  const legend = await page.locator('#legend li').allTextContents();
  assert.ok(legend.some((t) => t.startsWith('Deficit')) && legend.some((t) => t.startsWith('Healthy')), `legend: ${legend}`);
  ok(`map rendered: ${wardCount} ward features, schools, legend ${legend.length} classes`);

  // 2. Layer switcher.
  await page.locator(`#layer-list input[value="${areas.id}"]`).check();
  await idle();
  assert.equal(await visibility(`${areas.id}-fill`), 'visible');
  assert.equal(await visibility(`${wards.id}-fill`), 'none');
  assert.ok(await rendered(`${areas.id}-fill`) > 0, 'planning areas rendered');
  assert.match(await page.evaluate(() => location.hash), new RegExp(`layer=${areas.id}`));
  ok(`switched to ${areas.id}`);

  // 3. Year slider: the last forecast year recolours the layer.
  const years = areas.years.primary;
  const last = years[years.length - 1];
  await page.locator('#year-slider').fill(String(years.length - 1));
  await idle();
  assert.equal(await page.locator('#year-output').textContent(), academicYear(last));
  const paint = await page.evaluate((id) => JSON.stringify(window.placeplan.map.getPaintProperty(`${id}-fill`, 'fill-color')), areas.id);
  assert.ok(paint.includes(`status_primary_${last}`), `fill colour follows the year: ${paint.slice(0, 120)}`);
  assert.match(await page.locator('#legend h3').textContent(), /forecast/);
  // Evidence of forecast accuracy next to the forecast: the back-test of the authority.
  const acc = meta.dataset.forecast_accuracy.authority.find((s) => s.phase === 'primary' && s.horizon === 1);
  const accText = await page.locator('#year-note [data-field="accuracy"]').textContent();
  assert.ok(accText.includes(`1 yr: ${acc.accuracy_pct >= 0 ? '+' : '−'}${Math.abs(acc.accuracy_pct).toFixed(2)}%`), `accuracy note: ${accText}`);
  ok(`year slider → ${academicYear(last)}; ${accText.trim()}`);

  // 4. Back to wards, hover and click a ward: the panel's figures equal the API's.
  await page.locator(`#layer-list input[value="${wards.id}"]`).check();
  await idle();
  const state = await page.evaluate(() => ({ ...window.placeplan.state }));
  assert.equal(state.year, last, 'the year is kept across layers');
  const rows = await getJSON(`/api/summary?layer=${wards.id}&phase=primary&year=${last}`);
  const target = rows.reduce((a, b) => (b.shortfall > a.shortfall ? b : a), rows[0]);
  const prof = await getJSON(`/api/areas/${wards.id}/${encodeURIComponent(target.code)}`);
  const px = await page.evaluate((p) => {
    const pt = window.placeplan.map.project(p);
    const r = window.placeplan.map.getCanvas().getBoundingClientRect();
    return { x: r.left + pt.x, y: r.top + pt.y };
  }, prof.point);
  await page.mouse.move(px.x, px.y);
  await page.waitForFunction((f) => window.placeplan.map.getFeatureState({ source: f.layer, sourceLayer: f.layer, id: f.id }).hover === true,
    { layer: wards.id, id: prof.feature_id }, { timeout: 5000 }).catch(async () => {
    // A school point may sit on the ward's inner point; then the school is hovered instead.
    const hovered = await page.evaluate(() => window.placeplan.view.hovered);
    assert.ok(hovered, 'something is hovered');
  });
  assert.equal(await page.locator('#tooltip').isVisible(), true, 'tooltip on hover');
  // Click with the schools hidden, so that the ward itself is clicked.
  await page.locator('#schools-toggle').uncheck();
  await page.mouse.click(px.x, px.y);
  await page.waitForSelector(`#panel[data-code="${target.code}"]`, { timeout: 10000 });
  const field = (f) => page.locator(`#panel [data-field="${f}"]`).first().textContent();
  assert.equal(await field('capacity'), places(target.capacity));
  assert.equal(await field('pupils'), places(target.pupils));
  assert.equal(await field('spare'), signed(target.spare));
  assert.equal(await field('spare_pct'), pct(target.spare_pct));
  assert.equal(await field('shortfall'), places(target.shortfall), 'short by = pupils − places');
  assert.equal(await field('margin_shortfall'), places(target.margin_shortfall), 'the margin figure stands apart');
  assert.equal(await field('status'), target.status);
  const selected = await page.evaluate((f) => window.placeplan.map.getFeatureState({ source: f.layer, sourceLayer: f.layer, id: f.id }).selected,
    { layer: wards.id, id: prof.feature_id });
  assert.equal(selected, true, 'the clicked ward is highlighted');
  await page.waitForSelector('#calc-year details', { timeout: 10000 });
  const steps = await page.locator('#calc-year li').allTextContents();
  assert.ok(steps.some((s) => s.includes(places(target.capacity).replace(/,/g, '')) || s.includes(String(Math.round(target.capacity)))),
    `calculation shows the capacity: ${steps.join(' | ')}`);
  ok(`clicked ${target.name}: panel shows ${places(target.capacity)} places, ${places(target.pupils)} pupils, ${target.status}`);
  await page.locator('#schools-toggle').check();
  await idle();
  await page.screenshot({ path: `${shots}/map-ward-panel.png` });

  // 5. Phase toggle.
  await page.locator('#phase-toggle button[data-phase="secondary"]').click();
  await idle();
  const sec = prof.figures.find((r) => r.phase === 'secondary' && r.year === (areas.years.secondary.includes(last) ? last : prof.census_year));
  assert.equal(await page.evaluate(() => window.placeplan.state.phase), 'secondary');
  if (sec && sec.schools > 0) assert.equal(await field('capacity'), places(sec.capacity));
  else assert.match(await page.locator('#panel .headline').textContent(), /no secondary school stands in/);
  ok('phase toggle → secondary');
  await page.locator('#phase-toggle button[data-phase="primary"]').click();

  // 6. The permalink restores layer, phase, year and selection in a fresh page.
  const link = await page.evaluate(() => location.href);
  const page2 = await context.newPage();
  page2.on('pageerror', (e) => errors.push(`page error (permalink): ${e.message}`));
  await page2.goto(link);
  await page2.waitForSelector(`#panel[data-code="${target.code}"]`, { timeout: 30000 });
  assert.equal(await page2.locator('#year-output').textContent(), academicYear(state.year));
  assert.equal(await page2.locator(`#layer-list input[value="${wards.id}"]`).isChecked(), true);
  assert.equal(await page2.locator('#panel [data-field="capacity"]').first().textContent(), places(target.capacity));
  ok(`permalink restores the view: ${link.slice(link.indexOf('#'))}`);
  await page2.close();

  // 7. Search finds a school and opens its profile.
  const school = (await getJSON('/api/layers/schools/geojson')).features[0];
  await page.locator('#search-input').fill(school.properties.name.slice(0, 12));
  await page.waitForSelector('#search-results li[data-i]', { timeout: 5000 });
  const names = await page.locator('#search-results li[data-i]').allTextContents();
  const idx = names.findIndex((t) => t.includes(school.properties.name));
  assert.ok(idx >= 0, `search lists ${school.properties.name}: ${names.join(' | ')}`);
  await page.locator(`#search-results li[data-i="${idx}"]`).click();
  await page.waitForSelector(`#panel[data-code="${school.properties.code}"]`, { timeout: 10000 });
  ok(`search → ${school.properties.name}`);

  // 8. Deprivation layer and a screenshot of it.
  const lsoa = meta.layers.find((l) => l.kind === 'lsoa');
  await page.locator(`#layer-list input[value="${lsoa.id}"]`).check();
  await idle();
  assert.ok(await rendered(`${lsoa.id}-fill`) > 0, 'LSOAs rendered');
  assert.equal(await page.locator('#year-section').isHidden(), true, 'no year slider for deprivation');
  await page.screenshot({ path: `${shots}/map-deprivation.png` });
  ok('deprivation layer');

  // 9. Equity: hot spots of the LSOAs with their legend, then an LSOA's findings in the panel,
  //    then the wards coloured by equity priority and the first priority's reason.
  await page.locator('#metric-select').selectOption('hot_class');
  await idle();
  const hotLegend = await page.locator('#legend li').allTextContents();
  assert.ok(hotLegend.some((t) => t.startsWith('Hot spot')) && hotLegend.some((t) => t.startsWith('Cold spot')), `hot-spot legend: ${hotLegend}`);
  const hotPaint = JSON.stringify(await page.evaluate((id) => window.placeplan.map.getPaintProperty(`${id}-fill`, 'fill-color'), lsoa.id));
  assert.ok(hotPaint.includes('hot_class'), 'LSOAs coloured by hot-spot class');
  const hs = await getJSON('/api/equity/hotspots');
  const hottest = hs.rows.reduce((a, b) => (b.z > a.z ? b : a), hs.rows[0]);
  await page.goto(`${base}/#layer=${lsoa.id}&metric=hot_class&sel=${lsoa.id}/${hottest.code}`);
  await page.reload();
  await page.waitForSelector(`#panel[data-code="${hottest.code}"] [data-field="equity"]`, { timeout: 10000 });
  const eqText = await page.locator('#panel [data-field="equity"]').textContent();
  const prof2 = await getJSON(`/api/areas/${lsoa.id}/${hottest.code}`);
  for (const s of prof2.equity.sentences) assert.ok(eqText.includes(s), `panel says: ${s}`);
  assert.ok(eqText.includes('Access to primary places is'), 'panel explains access');
  await page.screenshot({ path: `${shots}/map-hotspots.png` });
  ok(`hot spots: ${hottest.code} (z = ${hottest.z.toFixed(2)}, ${hottest.class}) explained in the panel`);
  const pr = await getJSON(`/api/equity/priority/${wards.id}`);
  const first = pr.rows[0];
  await page.goto(`${base}/#layer=${wards.id}&metric=priority_class&sel=${wards.id}/${first.code}`);
  await page.reload();
  await page.waitForSelector(`#panel[data-code="${first.code}"] [data-field="equity"]`, { timeout: 10000 });
  const prText = await page.locator('#panel [data-field="equity"]').textContent();
  assert.ok(prText.includes(first.reason), `priority reason in the panel: ${first.reason}`);
  const prLegend = await page.locator('#legend li').allTextContents();
  assert.ok(prLegend.some((t) => t.startsWith('Priority')), `priority legend: ${prLegend}`);
  await page.screenshot({ path: `${shots}/map-priority.png` });
  const wardLink = await page.locator('#ward-page').getAttribute('href');
  assert.equal(new URL(wardLink, `${base}/`).href, `${base}/ward/${first.code}?layer=${wards.id}`, 'the ward panel links to the printable ward page');
  const xlsxHref = await page.locator('#panel .downloads a', { hasText: 'XLSX' }).getAttribute('href');
  const xlsx = await fetch(new URL(xlsxHref, `${base}/`));
  assert.equal(xlsx.status, 200, `download ${xlsxHref}`);
  assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK', 'the XLSX download is a workbook');
  ok(`equity priority: ${first.name}${first.rank ? ` ranked ${first.rank}` : ' (no priority areas)'}`);

  assert.deepEqual(errors, [], 'no page errors and no request left the server');
  ok(`no page errors; screenshots in ${shots}`);
} catch (e) {
  console.error(`not ok - ${e.message}`);
  if (errors.length) console.error(errors.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();

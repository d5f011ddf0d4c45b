// Browser test of the what-if plan editor: Playwright (playwright-core) driving Debian Chromium.
// Usage: node tests/browser/plan.test.mjs BASE_URL SCREENSHOT_DIR
// Run by tests/browser.rs on the demo: an expansion picked by clicking a school on the map, a
// closure and a new school placed by a click, each undoable; the diff table against the server's
// answer; the saved TOML and the plan's link. Writes SCREENSHOT_DIR/plan.toml and
// plan-changes.json for tests/browser.rs to check against `placeplan scenario diff`.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';

const base = process.argv[2];
const shots = process.argv[3] || '.';
const chromiumPath = process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium';
function ok(what) { console.log(`ok - ${what}`); }
/** The change of Inner East (PA03), primary, 2027/28, in a plan's answer. */
const answer0 = (a) => a.changes.find((c) => c.code === 'PA03' && c.phase === 'primary' && c.year === 2027);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
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

  await page.goto(`${base}/#layer=localities&metric=status&phase=primary&year=2027`);
  await page.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  await idle();
  assert.equal(await page.locator('#plan-section').isVisible(), true, 'the plan editor is shown on a server');

  // 1. Expand a school picked on the map: click the dot of Ironbridge Moorside Primary (190008).
  const dot = await page.evaluate(() => {
    const m = window.placeplan.map;
    const f = m.queryRenderedFeatures({ layers: ['schools-circle'] }).find((x) => String(x.properties.code) === '190008');
    if (!f) return null;
    const p = m.project(f.geometry.coordinates);
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  assert.ok(dot, 'school 190008 is drawn');
  await page.mouse.click(dot.x, dot.y);
  await page.waitForFunction(() => document.querySelector('#plan-urn').value === '190008');
  await page.fill('#plan-title', 'Moorside and a new school');
  await page.fill('#plan-places', '105');
  await page.selectOption('#plan-from', '2026');
  await page.click('#plan-add');
  await page.waitForSelector('#plan-diff tbody tr');
  assert.match(await page.locator('#plan-edits li').first().textContent(), /Add 105 places at Ironbridge Moorside Primary School from 2026\/27/);
  ok('expanded a school picked on the map');

  // 2. Close a school (typed URN), then undo it: the list and the diff follow.
  await page.selectOption('#plan-kind', 'close');
  await page.fill('#plan-urn', '190014');
  await page.selectOption('#plan-from', '2028');
  await page.click('#plan-add');
  await page.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 2);
  await page.waitForFunction(() => /figures? change/.test(document.querySelector('#plan-status').textContent));
  await page.locator('#plan-edits li').nth(1).getByRole('button', { name: /Undo/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 1);
  ok('closed a school and undid it');

  // 3. Open a new school where the map is clicked (the centre of the map).
  await page.selectOption('#plan-kind', 'open');
  await page.fill('#plan-capacity', '420');
  await page.selectOption('#plan-from', '2027');
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => /easting \d+/.test(document.querySelector('#plan-where').textContent));
  await page.fill('#plan-name', 'Eastfield Primary');
  await page.click('#plan-add');
  await page.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 2);
  await page.waitForFunction(() => /Eastfield Primary opens/.test(document.querySelector('#plan-status').textContent));
  const status = await page.locator('#plan-status').textContent();
  const ms = Number((status.match(/answered in (\d+) ms/) || [])[1]);
  assert.ok(ms >= 0 && ms < 1000, `answered within a second: ${status}`);
  ok(`opened a school by clicking the map: ${status}`);

  // The map colours the localities by the plan: Inner East (PA03) turns from deficit to surplus.
  const pa03 = answer0(await (await fetch(`${base}/api/plans/${await page.evaluate(() => window.placeplan.state.plan)}`)).json());
  await page.waitForFunction(() => (document.body.dataset.planDrawn || '').includes('|localities|primary|2027|status'));
  const ids = await (await fetch(`${base}/api/layers/localities/areas`)).json();
  const fid = ids.find((a) => a.code === 'PA03').id;
  const drawnStatus = await page.evaluate((id) => window.placeplan.map.getFeatureState({ source: 'localities', sourceLayer: 'localities', id }).plan, fid);
  assert.equal(drawnStatus, pa03.status[1], 'PA03 is drawn with the plan\'s status');
  assert.notEqual(pa03.status[0], pa03.status[1]);
  assert.match(await page.locator('#plan-badge').textContent(), /PLAN: Moorside and a new school/);
  await idle();
  await page.screenshot({ path: `${shots}/plan-map.png` });
  ok(`the map shows the plan: PA03 ${pa03.status[0]} → ${drawnStatus}`);

  // The new school is marked on the map where it was placed, with its places.
  const marked = await page.evaluate(() => window.placeplan.map.queryRenderedFeatures({ layers: ['plan-schools'] }).map((f) => f.properties.label));
  assert.ok(marked.includes('NEW: Eastfield Primary (+420)'), `the new school is drawn: ${marked.join('; ')}`);
  assert.ok(marked.some((l) => /^MORE PLACES: Ironbridge Moorside Primary School \(\+105\)$/.test(l)), `the expansion is marked: ${marked.join('; ')}`);
  ok(`the plan's schools are marked on the map: ${marked.join('; ')}`);

  // A change of the sufficiency rule: a wider tight band turns more areas tight.
  const before = (await (await fetch(`${base}/api/plans/${await page.evaluate(() => window.placeplan.state.plan)}`)).json()).changes.length;
  await page.selectOption('#plan-kind', 'settings');
  assert.equal(await page.inputValue('#plan-tight_below'), '2', 'the form starts from the manifest\'s bands');
  await page.fill('#plan-operating_margin', '5');
  await page.fill('#plan-tight_below', '8');
  await page.fill('#plan-healthy_below', '15');
  await page.click('#plan-add');
  await page.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 3);
  await page.waitForFunction((n) => {
    const m = document.querySelector('#plan-status').textContent.match(/^(\d+) area/);
    return m && Number(m[1]) > n;
  }, before);
  assert.match(await page.locator('#plan-edits li').nth(2).textContent(), /Sufficiency rule: operating margin 5%, deficit below 0% spare, tight below 8%, healthy up to 15%/);
  ok(`changed the operating margin and bands: ${await page.locator('#plan-status').textContent()}`);

  // 4. The table is the server's answer; the saved TOML is the plan; the link reopens it.
  const id = await page.evaluate(() => window.placeplan.state.plan);
  assert.match(id, /^[0-9a-f]{32}$/);
  const answer = await (await fetch(`${base}/api/plans/${id}`)).json();
  const rows = await page.locator('#plan-diff tbody tr').count();
  assert.equal(rows, Math.min(answer.changes.length, 200), 'one row per changed figure');
  const download = page.waitForEvent('download');
  await page.click('#plan-save');
  const file = await (await download).path();
  const toml = readFileSync(file, 'utf8');
  assert.match(toml, /\[\[expand\]\]\nurn = 190008\nplaces = 105\nfrom = 2026/);
  assert.match(toml, /\[\[open\]\]\nname = "Eastfield Primary"/);
  assert.match(toml, /\[settings\]\noperating_margin = 0.05\n\n\[settings.bands\]\ndeficit_below = 0\ntight_below = 0.08\nhealthy_below = 0.15/);
  writeFileSync(`${shots}/plan.toml`, toml);
  writeFileSync(`${shots}/plan-changes.json`, JSON.stringify(answer.changes));
  await page.screenshot({ path: `${shots}/plan-editor.png` });

  const again = await context.newPage();
  again.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await again.goto(`${base}/#plan=${id}`);
  await again.waitForSelector('body[data-map-ready="true"]', { timeout: 30000 });
  await again.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 3);
  assert.equal(await again.locator('#plan-diff tbody tr').count(), rows, 'the link shows the same plan');
  ok(`saved the TOML and reopened the plan from its link (${answer.changes.length} changes)`);

  // The panel sets the plan's figures beside the data as it is, and the chart draws both.
  const third = await context.newPage();
  third.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await third.goto(`${base}/#layer=localities&metric=status&phase=primary&year=2027&sel=localities%2FPA03&plan=${id}`);
  await third.waitForSelector('#panel [data-field="plan-compare"] [data-field="plan-status"]', { timeout: 30000 });
  const pa03Now = answer0(answer);
  assert.equal(await third.locator('[data-field="plan-status"]').textContent(), pa03Now.status[1], 'the panel gives the plan\'s status');
  assert.equal(await third.locator('[data-field="plan-capacity"]').textContent(), Math.round(pa03Now.capacity[1]).toLocaleString('en-GB'));
  assert.ok(await third.locator('#panel svg.chart path.plan-pup').count() === 1, 'the chart draws the plan\'s pupils');
  await third.locator('#panel').screenshot({ path: `${shots}/plan-panel.png` });
  ok(`the panel: PA03 ${pa03Now.status[0]} as it is, ${pa03Now.status[1]} under the plan, with the chart of both`);

  // The ward page of a plan says so and lists the plan; its links keep the plan.
  const layers = await (await fetch(`${base}/api/layers`)).json();
  const wardLayer = layers.layers.find((l) => l.kind && l.kind.area === 'ward');
  const ward = (await (await fetch(`${base}/api/layers/${wardLayer.id}/areas`)).json())[0];
  const wp = await context.newPage();
  await wp.goto(`${base}/ward/${ward.code}?layer=${wardLayer.id}&plan=${id}`);
  assert.match(await wp.locator('[data-field="plan"]').textContent(), /What-if plan: Moorside and a new school\..*Add 105 places at Ironbridge Moorside Primary School \(URN 190008\) from 2026\/27/s);
  assert.match(await wp.locator('a', { hasText: 'Open on the map' }).getAttribute('href'), new RegExp(`plan=${id}`));
  await wp.screenshot({ path: `${shots}/plan-ward.png`, fullPage: false });
  ok(`the ward page of ${ward.name} under the plan`);

  assert.deepEqual(errors, [], 'no page errors and no request left the server');
  // 5. A bad plan says why, in the panel, not as an error page (the browser logs its 400).
  await page.selectOption('#plan-kind', 'expand');
  await page.fill('#plan-urn', '999999');
  await page.fill('#plan-places', '30');
  await page.click('#plan-add');
  await page.waitForFunction(() => /cannot be applied: .*no open school with URN 999999/.test(document.querySelector('#plan-status').textContent));
  ok('a bad plan says what is wrong');

  assert.deepEqual(errors.filter((e) => !e.includes('status of 400')), [], 'no page errors and no request left the server');
  ok(`no page errors; screenshot ${shots}/plan-editor.png`);
} catch (e) {
  console.error(`not ok - ${e.message}`);
  if (errors.length) console.error(errors.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();

// A look at the plan editor on Leeds (not a test: run by hand for screenshots).
// Usage: node tests/browser/leeds-plan-look.mjs BASE_URL OUT_DIR
// Expands a school, opens one where the map is clicked, adds 1,200 homes by planning-area code,
// selects the area to see the plan beside the data, then reopens the plan from its link.
import { chromium } from 'playwright-core';
const [base, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('pageerror', (e) => console.log('page error', e.message));
const said = async () => { const t = await page.locator('#plan-status').textContent(); console.log(t); return t; };
await page.goto(`${base}/#layer=planning_areas_primary&metric=status&phase=primary&year=2027`);
await page.waitForSelector('body[data-map-ready="true"]', { timeout: 60000 });
await page.fill('#plan-title', 'Leeds: Aberford expansion, a new school, homes in 3830049');
await page.fill('#plan-urn', '107985');
await page.fill('#plan-places', '105');
await page.selectOption('#plan-from', '2024');
await page.click('#plan-add');
await page.waitForSelector('#plan-diff tbody tr');
await said();
await page.selectOption('#plan-kind', 'open');
await page.fill('#plan-name', 'Leeds City Primary (new)');
await page.fill('#plan-capacity', '420');
await page.selectOption('#plan-from', '2026');
const box = await page.locator('#map').boundingBox();
await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
await page.waitForFunction(() => /easting \d+/.test(document.querySelector('#plan-where').textContent));
await page.click('#plan-add');
await page.waitForFunction(() => /opens/.test(document.querySelector('#plan-status').textContent));
await said();
await page.selectOption('#plan-kind', 'housing');
await page.fill('#plan-site', 'Little London');
await page.fill('#plan-area', '3830049');
await page.fill('#plan-dwellings', '1200');
await page.selectOption('#plan-from', '2024');
await page.fill('#plan-yield_primary', '0.25');
await page.fill('#plan-yield_secondary', '0.15');
await page.click('#plan-add');
await page.waitForFunction(() => /housing/.test(document.querySelector('#plan-status').textContent));
await said();
await page.evaluate(() => new Promise((r) => { const m = window.placeplan.map; m.once('idle', r); m.triggerRepaint(); }));
await page.screenshot({ path: `${out}/leeds-plan.png` });
await page.locator('#plan-diff').screenshot({ path: `${out}/leeds-plan-diff.png` });
const id = await page.evaluate(() => window.placeplan.state.plan);
// The planning area of the housing, under the plan, in a new page opened from the link.
const again = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
again.on('pageerror', (e) => console.log('page error', e.message));
await again.goto(`${base}/#layer=planning_areas_primary&metric=status&phase=primary&year=2027&sel=planning_areas_primary%2F3830049&plan=${id}`);
await again.waitForSelector('#panel [data-field="plan-compare"]', { timeout: 60000 });
await again.waitForFunction(() => document.querySelectorAll('#plan-edits li').length === 3);
await again.evaluate(() => new Promise((r) => { const m = window.placeplan.map; m.once('idle', r); m.triggerRepaint(); }));
await again.screenshot({ path: `${out}/leeds-plan-link.png` });
await again.locator('#panel').screenshot({ path: `${out}/leeds-plan-panel.png` });
console.log('reopened', id, await again.locator('#plan-edits').textContent());
await browser.close();

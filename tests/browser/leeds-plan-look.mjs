// A look at the plan editor on Leeds (not a test: run by hand for screenshots).
// Usage: node tests/browser/leeds-plan-look.mjs BASE_URL OUT_DIR
import { chromium } from 'playwright-core';
const [base, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('pageerror', (e) => console.log('page error', e.message));
await page.goto(`${base}/#layer=planning_areas_primary&metric=status&phase=primary&year=2025`);
await page.waitForSelector('body[data-map-ready="true"]', { timeout: 60000 });
await page.fill('#plan-title', 'Leeds: Aberford expansion, homes in PA 3830049');
await page.fill('#plan-urn', '107985');
await page.fill('#plan-places', '105');
await page.selectOption('#plan-from', '2024');
await page.click('#plan-add');
await page.waitForSelector('#plan-diff tbody tr');
await page.selectOption('#plan-kind', 'housing');
await page.fill('#plan-site', 'Little London');
await page.fill('#plan-area', '3830049');
await page.fill('#plan-dwellings', '1200');
await page.selectOption('#plan-from', '2024');
await page.fill('#plan-yield_primary', '0.25');
await page.fill('#plan-yield_secondary', '0.15');
await page.click('#plan-add');
await page.waitForFunction(() => /housing/.test(document.querySelector('#plan-status').textContent));
console.log(await page.locator('#plan-status').textContent());
await page.evaluate(() => new Promise((r) => { const m = window.placeplan.map; m.once('idle', r); m.triggerRepaint(); }));
await page.screenshot({ path: `${out}/leeds-plan.png` });
await page.locator('#plan-diff').screenshot({ path: `${out}/leeds-plan-diff.png` });
await browser.close();

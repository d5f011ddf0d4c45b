// Ad-hoc look at a running server: node tests/browser/look.mjs URL OUT.png [waitSelector] [clickCode]
import { chromium } from 'playwright-core';
const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
await page.goto(url);
await page.waitForSelector('body[data-map-ready]', { timeout: 30000 }).catch(() => console.log('no map-ready'));
await page.waitForTimeout(2500);
await page.screenshot({ path: out });
await browser.close();

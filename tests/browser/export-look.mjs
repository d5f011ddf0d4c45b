// Ad-hoc: export the view of a running server as PNG and as an A4 PDF.
// node tests/browser/export-look.mjs URL OUTPREFIX
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.text()); });
page.on('pageerror', (e) => console.log('page error:', e.message));
await page.goto(url);
await page.waitForSelector('body[data-map-ready]', { timeout: 30000 });
await page.waitForTimeout(1500);
const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
await dl.saveAs(`${out}.png`);
console.log('png', dl.suggestedFilename(), JSON.stringify(await page.evaluate(() => window.placeplan.lastExport && { w: window.placeplan.lastExport.width, h: window.placeplan.lastExport.height, boxes: window.placeplan.lastExport.boxes.length })));
await page.evaluate(() => { window.print = () => {}; });
await page.click('#export-a4');
await page.waitForTimeout(500);
const pdf = await page.pdf({ preferCSSPageSize: true });
writeFileSync(`${out}.pdf`, pdf);
console.log('pdf bytes', pdf.length);
await browser.close();

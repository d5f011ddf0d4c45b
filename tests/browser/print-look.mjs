// Ad-hoc: print a page of a running server to PDF as a reader would (print CSS, A4).
// node tests/browser/print-look.mjs URL OUT.pdf
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(url);
await page.emulateMedia({ media: 'print' });
await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
writeFileSync(out, await page.pdf({ preferCSSPageSize: true }));
await browser.close();

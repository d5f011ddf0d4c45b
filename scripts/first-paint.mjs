// First map paint with data, measured in Chromium (the benchmark of the officers' map speed).
// Usage: node scripts/first-paint.mjs URL [RUNS]   (playwright-core from tests/browser: npm ci
//   --prefix tests/browser first), e.g. node scripts/first-paint.mjs http://127.0.0.1:8080/ 7
// Each run is a fresh browser profile (cold cache). Reports, per run and as medians: the time from
// navigation to the first frame with area features drawn, to the map's first idle (every tile of
// the first view drawn), and the bytes the page transferred by then.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const results = [];
for (let i = 0; i < runs; i++) {
  const browser = await chromium.launch({ executablePath: process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  let bytes = 0;
  // Bytes on the wire (compressed bodies and headers), as the network panel counts them.
  page.on('requestfinished', async (req) => { try { const z = await req.sizes(); bytes += z.responseBodySize + z.responseHeadersSize; } catch { /* gone */ } });
  await page.addInitScript(() => {
    // The first frame in which the area layer has features, in ms since navigation start.
    const watch = () => {
      const p = window.placeplan;
      if (!p) return requestAnimationFrame(watch);
      p.map.on('render', function first() {
        const ids = p.map.getStyle().layers.filter((l) => l.type === 'fill' && (l.layout || {}).visibility !== 'none').map((l) => l.id);
        if (ids.length && p.map.queryRenderedFeatures({ layers: ids }).length) {
          window.__firstPaint = performance.now();
          p.map.off('render', first);
        }
      });
      p.map.once('idle', () => { window.__idle = performance.now(); });
    };
    requestAnimationFrame(watch);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstPaint && window.__idle, null, { timeout: 60000 });
  const t = await page.evaluate(() => ({ paint: window.__firstPaint, idle: window.__idle }));
  await page.waitForTimeout(300);
  results.push({ ...t, kb: bytes / 1024 });
  console.log(`run ${i + 1}: first paint with data ${t.paint.toFixed(0)} ms, idle ${t.idle.toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} kB`);
  await browser.close();
}
console.log(`median of ${runs}: first paint ${median(results.map((r) => r.paint)).toFixed(0)} ms, idle ${median(results.map((r) => r.idle)).toFixed(0)} ms, ${median(results.map((r) => r.kb)).toFixed(0)} kB`);

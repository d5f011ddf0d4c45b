// Browser test of a councillor ward page on real Leeds data: Playwright (playwright-core) with
// Debian Chromium. Usage: node tests/browser/ward.test.mjs BASE_URL OUT_DIR WARD_CODE
// Checks the page's figures against the API, its headings and table headers, the sortable ward
// index, and prints the page to an A4 PDF. Exits 1 on the first failure.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';

const [base, out, code] = process.argv.slice(2);
const chromiumPath = process.env.PLACEPLAN_CHROMIUM || '/usr/bin/chromium';
const nf0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const places = (v) => nf0.format(Math.round(v));
const ok = (what) => console.log(`ok - ${what}`);

async function getJSON(path) {
  const res = await fetch(base + path);
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  return res.json();
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith('data:')) return route.continue();
    errors.push(`request left the server: ${u}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

  // 1. The page and its figures against the API.
  const facts = await getJSON(`/api/wards/${code}`);
  const res = await page.goto(`${base}/ward/${code}`);
  assert.equal(res.status(), 200);
  assert.equal((await page.locator('h1').textContent()).trim(), facts.name);
  assert.equal(await page.locator('h1').count(), 1, 'one h1');
  const summary = await getJSON(`/api/summary?layer=${facts.layer}&year=${facts.census_year}`);
  let cells = 0;
  for (const h of facts.headline) {
    for (const area of [h.ward, ...h.planning_areas]) {
      for (const y of area.years) {
        const cell = page.locator(`table[data-phase="${h.phase}"] tr[data-area="${area.code}"] td[data-year="${y.year}"]`);
        if (!y.row) {
          assert.match(await cell.textContent(), /no forecast/);
          continue;
        }
        if (y.row.capacity <= 0 && y.row.pupils <= 0) continue;
        assert.equal(await cell.locator('[data-field="capacity"]').textContent(), places(y.row.capacity), `${area.code} ${y.year} places`);
        assert.equal(await cell.locator('[data-field="pupils"]').textContent(), places(y.row.pupils), `${area.code} ${y.year} pupils`);
        cells += 1;
      }
    }
    // The ward's census-year figures are the summary API's.
    const s = summary.find((r) => r.code === code && r.phase === h.phase);
    const w = h.ward.years[0].row;
    assert.ok(s && w, `summary row for ${h.phase}`);
    assert.equal(w.capacity, s.capacity);
    assert.equal(w.pupils, s.pupils);
  }
  assert.ok(cells >= 2, `${cells} figure cells checked`);
  const schoolRows = await page.locator('table[data-field="schools"] tbody tr').count();
  assert.equal(schoolRows, facts.schools.length, 'every school listed');
  const brief = await page.locator('[data-field="sentences"] li').allTextContents();
  assert.deepEqual(brief, facts.sentences, 'the sentences are the API\'s');
  ok(`${facts.name}: ${cells} figure cells, ${schoolRows} schools and ${brief.length} sentences match the API`);

  // 2. Accessibility basics: headings, header cells, a labelled map.
  const h2 = await page.locator('h2').allTextContents();
  assert.ok(h2.length >= 5, `sections: ${h2.join(' | ')}`);
  const tables = await page.locator('table').count();
  const withHeads = await page.locator('table:has(thead th[scope="col"])').count();
  assert.equal(withHeads, tables, 'every table has column header cells');
  assert.equal(await page.locator('svg.ward-map[role="img"] > title').count(), 1, 'the map has a title');
  ok(`${h2.length} sections, ${tables} tables with header cells, labelled map`);
  await page.screenshot({ path: `${out}/ward-${code}.png`, fullPage: true });

  // 3. Print to PDF (A4) with the print CSS.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.crumbs').isHidden(), true, 'navigation hidden in print');
  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 1 && pages <= 4, `${pages} A4 pages`);
  writeFileSync(`${out}/ward-${code}.pdf`, pdf);
  ok(`printed to PDF: ${pages} A4 pages, ${pdf.length} bytes`);
  await page.emulateMedia({ media: 'screen' });

  // 4. The ward index sorts by a column and links to the page.
  await page.goto(`${base}/wards?layer=${facts.layer}`);
  const n = await page.locator('table[data-sortable] tbody tr').count();
  assert.ok(n >= 10, `${n} wards in the index`);
  await page.locator('table[data-sortable] thead th:nth-child(2) button').click();
  const th = page.locator('table[data-sortable] thead th:nth-child(2)');
  assert.equal(await th.getAttribute('aria-sort'), 'ascending');
  const vals = (await page.locator('table[data-sortable] tbody tr td:nth-of-type(1)').evaluateAll((tds) => tds.map((t) => t.dataset.sort)))
    .filter((v) => v !== '').map(Number);
  assert.deepEqual(vals, [...vals].sort((a, b) => a - b), 'sorted by primary spare');
  await page.locator(`table[data-sortable] tr[data-code="${code}"] a`).click();
  await page.waitForURL(`**/ward/${code}**`);
  ok(`index of ${n} wards sorts by primary spare and links to ${facts.name}`);

  assert.deepEqual(errors, [], 'no page errors and no request left the server');
  ok('no page errors');
} catch (e) {
  console.error(`not ok - ${e.message}`);
  if (errors.length) console.error(errors.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();

// A small SVG chart of places (dashed) against pupils (solid) over the years, forecast years shaded.

import { academicYear, esc, places } from './format.js';

/**
 * @param {{year:number, capacity:number, pupils:number, forecast:boolean}[]} series
 * @param {string} title  accessible description
 * @param {number} [selected]  the year shown on the map, marked on the chart
 * @param {{year:number, capacity:number, pupils:number}[]} [plan]  the same under a plan, drawn over
 */
export function capacityChart(series, title, selected, plan) {
  if (!series.length) return '';
  if (series.length === 1 && !plan) return barChart(series[0], title);
  const W = 360, H = 170, L = 44, R = 10, T = 12, B = 26;
  const vals = [...series, ...(plan || [])].flatMap((s) => [s.capacity, s.pupils]).filter(Number.isFinite);
  // The axis starts at zero, so the gap between the lines is read at its true size.
  const lo = 0;
  const hi = Math.max(...vals, 1) * 1.08;
  const n = series.length;
  const x = (i) => L + (n === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1));
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  const path = (k, list = series) => list
    .map((s) => [series.findIndex((b) => b.year === s.year), s[k]])
    .filter(([i, v]) => i >= 0 && Number.isFinite(v))
    .map(([i, v], j) => `${j ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join('');
  const planned = plan && plan.length
    ? `<path class="plan-cap" d="${path('capacity', plan)}"/><path class="plan-pup" d="${path('pupils', plan)}"/>`
    : '';
  const firstFc = series.findIndex((s) => s.forecast);
  const shade = firstFc >= 0
    ? `<rect class="fc" x="${(firstFc > 0 ? (x(firstFc - 1) + x(firstFc)) / 2 : L).toFixed(1)}" y="${T}" width="${(W - R - (firstFc > 0 ? (x(firstFc - 1) + x(firstFc)) / 2 : L)).toFixed(1)}" height="${H - T - B}"/>
       <text x="${W - R - 2}" y="${T + 11}" text-anchor="end">forecast</text>`
    : '';
  const ticks = [0, hi / 2, hi].map((v) => `<text x="${L - 4}" y="${y(v) + 4}" text-anchor="end">${places(v)}</text>`).join('');
  const step = Math.ceil(n / 6);
  const xl = series
    .map((s, i) => (i % step === 0 || i === n - 1 ? `<text x="${x(i)}" y="${H - 8}" text-anchor="${i === n - 1 ? 'end' : i === 0 ? 'start' : 'middle'}">${academicYear(s.year).slice(2)}</text>` : ''))
    .join('');
  const dots = series.map((s, i) => `<circle class="dot" cx="${x(i).toFixed(1)}" cy="${y(s.pupils).toFixed(1)}" r="2.5"/>`).join('');
  const at = series.findIndex((s) => s.year === selected);
  const mark = at >= 0
    ? `<line class="sel" x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${T}" y2="${H - B}"/>
       <text class="sel" x="${x(at).toFixed(1)}" y="${T - 2}" text-anchor="${at === n - 1 ? 'end' : at === 0 ? 'start' : 'middle'}">${academicYear(selected)}</text>`
    : '';
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    ${shade}
    <line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>
    ${ticks}${xl}${mark}
    <path class="cap" d="${path('capacity')}"/><path class="pup" d="${path('pupils')}"/>${dots}${planned}
  </svg>
  <p class="note">Dashed: places. Solid: pupils (roll, then forecast).${planned ? ' <span class="plan-key">Orange: the same under the plan.</span>' : ''} The axis starts at 0; the vertical line is the year on the map.</p>`;
}

/** One year only: two bars, places and pupils. */
function barChart(s, title) {
  const W = 360, H = 64, L = 70, R = 60;
  const max = Math.max(s.capacity, s.pupils, 1);
  const w = (v) => ((W - L - R) * v) / max;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    <text x="${L - 6}" y="22" text-anchor="end">places</text>
    <rect x="${L}" y="10" width="${w(s.capacity).toFixed(1)}" height="16" fill="#0b0c0c"/>
    <text x="${L + w(s.capacity) + 4}" y="22">${places(s.capacity)}</text>
    <text x="${L - 6}" y="50" text-anchor="end">pupils</text>
    <rect x="${L}" y="38" width="${w(s.pupils).toFixed(1)}" height="16" fill="#1d70b8"/>
    <text x="${L + w(s.pupils) + 4}" y="50">${places(s.pupils)}</text>
  </svg>
  <p class="note">${academicYear(s.year)}. Forecasts would add a chart over the years.</p>`;
}

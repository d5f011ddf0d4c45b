// Number and text formatting shared by the legend, panel and tooltip.

const nf0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Whole number with thousands separators ("1,234"); an em dash for no value. */
export function places(v) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : nf0.format(Math.round(v));
}

/** Signed whole number ("+12", "−30"). */
export function signed(v) {
  if (v === null || v === undefined) return '—';
  const r = Math.round(v);
  return r > 0 ? `+${nf0.format(r)}` : r < 0 ? `−${nf0.format(-r)}` : '0';
}

/** Percentage with one decimal ("4.2%"). */
export function pct(v) {
  if (v === null || v === undefined) return '—';
  const r = Math.round(v * 10) / 10;
  return `${nf1.format(r === 0 ? 0 : r).replace('-', '−')}%`;
}

/** Academic year label: 2025 → "2025/26". */
export function academicYear(y) {
  return `${y}/${String((y + 1) % 100).padStart(2, '0')}`;
}

/** Escapes text for HTML. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** The value of a metric in a tile feature's properties, formatted with its unit. */
export function metricValue(metric, value) {
  if (value === undefined || value === null) return 'no figure';
  if (metric.kind === 'categorical' && typeof value === 'string') return value;
  if (metric.unit === '%') return pct(value);
  if (metric.unit === 'places') return `${places(value)} places`;
  if (metric.unit === 'rank') return `rank ${places(value)} of 32,844`;
  if (metric.unit === 'decile') return `decile ${value}`;
  return String(value);
}

// The legend: one swatch per class with its label and unit, and the method in words.

import { esc } from './format.js';

/** Renders `metric`'s legend into `el` and its description into `descEl`. */
export function renderLegend(el, descEl, metric, context) {
  if (!metric) {
    el.innerHTML = '';
    descEl.textContent = '';
    return;
  }
  const unit = metric.unit && metric.unit !== 'decile' && metric.unit !== 'rank' ? ` (${esc(metric.unit)})` : '';
  const items = metric.legend
    .map((l) => `<li><span class="swatch" style="background:${esc(l.color)}"></span><span>${esc(l.label)}</span></li>`)
    .join('');
  el.innerHTML = `<h3>${esc(metric.name)}${unit}${context ? ` — ${esc(context)}` : ''}</h3>
    <ul data-metric="${esc(metric.id)}">${items}
      <li><span class="swatch" style="background:${esc(metric.no_data)}"></span><span>No figure</span></li></ul>`;
  descEl.textContent = metric.description;
}

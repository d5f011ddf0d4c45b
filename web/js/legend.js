// The legend: one swatch per class with its label and unit, and the method in words.

import { esc } from './format.js';

/** Renders `metric`'s legend into `el` and its description into `descEl`. */
export function renderLegend(el, descEl, metric, context, opacity = 1) {
  if (!metric) {
    el.innerHTML = '';
    descEl.textContent = '';
    return;
  }
  const unit = metric.unit && metric.unit !== 'decile' && metric.unit !== 'rank' ? ` (${esc(metric.unit)})` : '';
  const items = metric.legend
    .map((l) => `<li><span class="swatch" style="background:${esc(l.color)};opacity:${opacity}"></span><span>${esc(l.label)}</span></li>`)
    .join('');
  el.innerHTML = `<h3>${esc(metric.name)}${unit}${context ? ` — ${esc(context)}` : ''}</h3>
    <ul data-metric="${esc(metric.id)}">${items}
      <li><span class="swatch" style="background:${esc(metric.no_data)};opacity:${opacity}"></span><span>No figure</span></li></ul>`;
  descEl.textContent = metric.description;
}

/** The school symbols: colour (the schools' first metric), size (places) and the hollow ring of
 * establishments that do not count. Hidden when no schools are drawn. */
export function renderSchoolLegend(el, schools, state, context = '') {
  const metric = schools && schools.metrics[0];
  const shown = schools && (state.schools || state.layer === schools.id);
  el.hidden = !metric || !shown;
  if (el.hidden) return;
  const dot = (r, fill, stroke = '#ffffff') =>
    `<svg class="dot" width="${2 * r + 4}" height="${2 * r + 4}" aria-hidden="true"><circle cx="${r + 2}" cy="${r + 2}" r="${r}" fill="${esc(fill)}" stroke="${stroke}" stroke-width="1.5"/></svg>`;
  const colours = metric.legend
    .map((l) => `<li>${dot(5, l.color)}<span>${esc(l.label)}</span></li>`)
    .join('');
  el.innerHTML = `<h3>School dots — ${esc(metric.name)}${context ? `, ${esc(context)}` : ''}</h3>
    <ul class="school-key">${colours}<li>${dot(5, metric.no_data)}<span>No figure</span></li></ul>
    <p class="note size-key">${dot(3, '#8c8c8c')}${dot(7, '#8c8c8c')} Size: places (100 to 2,000), when zoomed in</p>
    ${state.others ? `<p class="note size-key">${dot(4, '#ffffff', '#595959')} Does not count for places</p>` : ''}`;
}

// The controls: layer switcher, colour-by select, phase toggle, year slider, schools toggle and
// search. They hold no state of their own: `render(state)` shows the state, and every change is
// reported through `onChange(partialState)`.

import { academicYear, esc } from './format.js';
import { isWard } from './layers.js';

const PHASE_TITLES = { primary: 'Primary', secondary: 'Secondary', post16: 'Post-16' };

function layerLabel(l) {
  if (l.kind === 'schools') return 'Schools <span class="note">places at each school</span>';
  if (l.kind === 'lsoa') return `${esc(l.title)} <span class="note">deprivation</span>`;
  return `${esc(l.title)} <span class="note">places and deprivation</span>`;
}

export class Controls {
  constructor(meta, { onChange, onSearch, onPick, onAreas }) {
    this.meta = meta;
    this.onChange = onChange;
    this.el = {
      layers: document.getElementById('layer-list'),
      metric: document.getElementById('metric-select'),
      phaseSection: document.getElementById('phase-section'),
      phase: document.getElementById('phase-toggle'),
      yearSection: document.getElementById('year-section'),
      year: document.getElementById('year-slider'),
      yearOut: document.getElementById('year-output'),
      yearNote: document.getElementById('year-note'),
      schools: document.getElementById('schools-toggle'),
      wards: document.getElementById('wards-toggle'),
      wardsOption: document.getElementById('wards-option'),
      type: document.getElementById('type-select'),
      ofsted: document.getElementById('ofsted-select'),
      others: document.getElementById('others-toggle'),
      othersLabel: document.getElementById('others-label'),
      schoolFilters: document.getElementById('school-filters'),
      area: document.getElementById('area-select'),
      basemap: document.getElementById('basemap-toggle'),
      search: document.getElementById('search'),
      searchInput: document.getElementById('search-input'),
      results: document.getElementById('search-results'),
    };
    this.years = [];
    this.buildLayers();
    this.el.metric.addEventListener('change', () => this.onChange({ metric: this.el.metric.value }));
    this.el.year.addEventListener('input', () => {
      const y = this.years[Number(this.el.year.value)];
      if (y !== undefined) this.onChange({ year: y });
    });
    this.el.schools.addEventListener('change', () => this.onChange({ schools: this.el.schools.checked }));
    this.el.wards.addEventListener('change', () => this.onChange({ wards: this.el.wards.checked }));
    this.el.basemap.addEventListener('change', () => this.onChange({ basemap: this.el.basemap.checked }));
    this.el.others.addEventListener('change', () => this.onChange({ others: this.el.others.checked }));
    this.el.type.addEventListener('change', () => this.onChange({ stype: this.el.type.value || undefined }));
    this.el.ofsted.addEventListener('change', () => this.onChange({ ofsted: this.el.ofsted.value || undefined }));
    this.buildSchoolFilters();
    this.listed = null;
    this.el.area.addEventListener('change', () => {
      if (this.el.area.value && onPick) onPick({ layer: this.listed, code: this.el.area.value });
    });
    this.areas = onAreas;
    this.setupSearch(onSearch, onPick);
  }

  /** The type and Ofsted choices, with how many schools have each, from /api/layers. */
  buildSchoolFilters() {
    const schools = this.meta.layers.find((l) => l.kind === 'schools');
    const f = schools && schools.filters;
    this.el.schoolFilters.hidden = !f;
    if (!f) return;
    const options = (all, list) => `<option value="">${all}</option>${list
      .map(([v, n]) => `<option value="${esc(v)}">${esc(v.charAt(0).toUpperCase() + v.slice(1))} (${n})</option>`).join('')}`;
    this.el.type.innerHTML = options('Every type', f.types);
    this.el.ofsted.innerHTML = options('Any rating', f.ofsted);
    this.el.ofsted.disabled = f.ofsted.length < 2;
    this.el.othersLabel.textContent = `Also show the ${f.not_counted} establishments that do not count for places (independent, special, further education, universities)`;
    this.el.others.disabled = f.not_counted === 0;
  }

  /** The areas of `layer` in the list (fetched once per layer), the selected one chosen. */
  async listAreas(layer, state) {
    const [selLayer, selCode] = (state.sel || '').split('/');
    if (this.listed !== layer.id && this.areas) {
      this.listed = layer.id;
      const noun = `one of the ${layer.features} ${layer.kind === 'schools' ? 'schools' : layer.title}`;
      this.el.area.innerHTML = `<option value="">Choose ${esc(noun)}…</option>`;
      try {
        const list = await this.areas(layer.id);
        if (this.listed !== layer.id) return;
        this.el.area.innerHTML += list.map((a) => `<option value="${esc(a.code)}">${esc(a.name)}</option>`).join('');
      } catch { /* the map still works without the list */ }
    }
    this.el.area.value = selLayer === layer.id ? selCode : '';
  }

  buildLayers() {
    this.el.layers.innerHTML = this.meta.layers
      .map(
        (l) => `<label><input type="radio" name="layer" value="${esc(l.id)}"> ${layerLabel(l)}</label>`,
      )
      .join('');
    this.el.layers.addEventListener('change', (e) => {
      if (e.target.name === 'layer') this.onChange({ layer: e.target.value });
    });
  }

  /** Shows `state` ({layer, metric, phase, year, schools}) for `layer` (its metadata). */
  render(state, layer) {
    for (const input of this.el.layers.querySelectorAll('input')) input.checked = input.value === state.layer;
    this.el.metric.innerHTML = layer.metrics
      .map((m) => `<option value="${esc(m.id)}"${m.id === state.metric ? ' selected' : ''}>${esc(m.name)}</option>`)
      .join('');
    const metric = layer.metrics.find((m) => m.id === state.metric);
    const phased = layer.phases.length > 0;
    this.el.phaseSection.hidden = !phased || layer.phases.length < 2;
    this.el.phase.innerHTML = layer.phases
      .map((p) => `<button type="button" role="radio" aria-checked="${p === state.phase}" data-phase="${p}">${PHASE_TITLES[p] || p}</button>`)
      .join('');
    for (const b of this.el.phase.querySelectorAll('button')) b.addEventListener('click', () => this.onChange({ phase: b.dataset.phase }));
    const byYear = metric ? metric.by_phase_year : false;
    this.years = (layer.years && layer.years[state.phase]) || [];
    this.el.yearSection.hidden = !byYear || this.years.length === 0;
    this.el.year.max = String(Math.max(0, this.years.length - 1));
    const idx = Math.max(0, this.years.indexOf(state.year));
    this.el.year.value = String(idx);
    this.el.year.setAttribute('aria-valuetext', state.year ? academicYear(state.year) : '');
    this.el.yearOut.textContent = state.year ? academicYear(state.year) : '';
    const census = this.meta.dataset.census_year;
    const acc = this.meta.dataset.forecast_accuracy;
    const scores = acc ? acc.authority.filter((s) => s.phase === state.phase && s.accuracy_pct != null) : [];
    const fmt = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}%`;
    const tested = scores.length
      ? ` <span class="note" data-field="accuracy">Back-test (${scores.map((s) => `${s.horizon} yr: ${fmt(s.accuracy_pct)}`).join(', ')}; forecast − actual, authority)</span>`
      : '';
    // Without rolls, the forecasts are the projection from population: say so, and how it did.
    const pop = this.meta.dataset.population_forecast;
    const fromPopulation = !scores.length && pop
      ? ` <span class="note" data-field="population-forecast">Projection from population (no rolls)${pop.accuracy ? '; its accuracy on this area\'s own history is under “How this is calculated”' : ''}.</span>`
      : '';
    this.el.yearNote.innerHTML = state.year > census
      ? `Forecast <span class="forecast-tag">${this.years.length - 1} forecast years</span>${tested}${fromPopulation}`
      : this.years.length > 1
        ? `Census year (actual rolls). Move the slider for forecasts to ${academicYear(this.years[this.years.length - 1])}.`
        : 'Census year (actual rolls). No forecasts were supplied.';
    this.el.schools.checked = state.schools;
    this.el.schools.disabled = layer.kind === 'schools';
    this.el.wards.checked = state.wards;
    this.el.basemap.checked = state.basemap !== false;
    this.el.wardsOption.hidden = !this.meta.layers.some(isWard) || isWard(layer);
    this.el.others.checked = state.others;
    this.listAreas(layer, state);
    this.el.type.value = state.stype || '';
    this.el.ofsted.value = state.ofsted || '';
  }

  setupSearch(onSearch, onPick) {
    const { searchInput: input, results } = this.el;
    let timer = null;
    let hits = [];
    let active = -1;
    const close = () => {
      results.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      active = -1;
    };
    const show = () => {
      results.innerHTML = hits.length
        ? hits
            .map(
              (h, i) => `<li role="option" id="hit-${i}" aria-selected="${i === active}" data-i="${i}">${esc(h.name)}
                 <span class="layer">· ${esc(h.layer_title)} · ${esc(h.code)}</span></li>`,
            )
            .join('')
        : '<li role="option" aria-disabled="true">No matches</li>';
      results.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      if (active >= 0) input.setAttribute('aria-activedescendant', `hit-${active}`);
    };
    let asked = 0; // the latest query sent: older answers are dropped
    const pick = (i) => {
      const h = hits[i];
      if (!h) return;
      clearTimeout(timer);
      asked += 1;
      close();
      input.value = h.name;
      onPick(h);
    };
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) return close();
      hits = [];
      timer = setTimeout(async () => {
        const mine = ++asked;
        try {
          const found = await onSearch(q);
          if (mine !== asked) return;
          hits = found;
          active = hits.length ? 0 : -1;
          show();
        } catch (e) {
          if (mine !== asked) return;
          hits = [];
          show();
        }
      }, 150);
    });
    input.addEventListener('keydown', (e) => {
      if (results.hidden) return;
      if (e.key === 'ArrowDown') { active = Math.min(hits.length - 1, active + 1); show(); e.preventDefault(); }
      else if (e.key === 'ArrowUp') { active = Math.max(0, active - 1); show(); e.preventDefault(); }
      else if (e.key === 'Escape') close();
    });
    this.el.search.addEventListener('submit', (e) => { e.preventDefault(); pick(Math.max(0, active)); });
    results.addEventListener('click', (e) => {
      const li = e.target.closest('li[data-i]');
      if (li) pick(Number(li.dataset.i));
    });
    document.addEventListener('click', (e) => { if (!this.el.search.contains(e.target)) close(); });
  }
}

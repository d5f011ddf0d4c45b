// The what-if plan editor: changes made on the map (expand or close a school, open one, add
// housing), listed with an undo each, sent to the server as TOML (the format
// `placeplan scenario diff` reads: POST api/plans) and answered with every area × phase × year
// whose places, pupils, shortfall or status change. A plan's link is `#plan=ID`; its TOML can be
// saved and opened again. Only on a placeplan server: a published site has no server to ask.

import { academicYear, esc, places as num } from './format.js';

/** Plan changes in TOML, in the order `scenario diff` documents (strings quoted as TOML basic strings). */
export function planToml(name, edits, yields) {
  const q = (s) => JSON.stringify(String(s));
  const lines = [`name = ${q(name || 'plan')}`];
  for (const e of edits) {
    if (e.kind === 'settings') continue;
    lines.push('', `[[${e.kind}]]`);
    if (e.kind === 'expand') lines.push(`urn = ${e.urn}`, `places = ${e.places}`, `from = ${e.from}`);
    if (e.kind === 'close') lines.push(`urn = ${e.urn}`, `from = ${e.from}`);
    if (e.kind === 'open') {
      lines.push(`name = ${q(e.name)}`, `phase = ${q(e.phase)}`, `capacity = ${e.capacity}`, `from = ${e.from}`,
        `easting = ${e.easting}`, `northing = ${e.northing}`);
      if (e.urn) lines.push(`urn = ${e.urn}`);
    }
    if (e.kind === 'housing') {
      lines.push(`site = ${q(e.site)}`);
      if (e.area) lines.push(`area = ${q(e.area)}`);
      if (e.easting !== undefined && e.easting !== null) lines.push(`easting = ${e.easting}`, `northing = ${e.northing}`);
      lines.push(`completions = [${e.completions.map(([y, d]) => `[${y}, ${d}]`).join(', ')}]`);
      if (e.type) lines.push(`type = ${q(e.type)}`);
    }
  }
  // Numbers of a table, then its sub-tables (yields by housing type; the bands).
  const table = (head, obj) => {
    const nums = Object.entries(obj).filter(([, v]) => typeof v === 'number');
    if (nums.length) lines.push('', `[${head}]`, ...nums.map(([k, v]) => `${k} = ${v}`));
  };
  if (yields) {
    table('yields', yields);
    for (const [type, y] of Object.entries(yields.by_type || {})) table(`yields.by_type.${q(type)}`, y);
  }
  const rule = edits.find((e) => e.kind === 'settings');
  if (rule) {
    if (typeof rule.operating_margin === 'number') table('settings', { operating_margin: rule.operating_margin });
    if (rule.bands) table('settings.bands', rule.bands);
  }
  return `${lines.join('\n')}\n`;
}

/** The edits of a plan as the server read it (`plan` in its answer). */
export function editsOf(plan) {
  const out = [];
  for (const e of plan.open || []) out.push({ kind: 'open', ...e });
  for (const e of plan.expand || []) out.push({ kind: 'expand', ...e });
  for (const e of plan.close || []) out.push({ kind: 'close', ...e });
  for (const e of plan.housing || []) out.push({ kind: 'housing', ...e });
  if (plan.settings) out.push({ kind: 'settings', operating_margin: plan.settings.operating_margin ?? undefined, bands: plan.settings.bands || undefined });
  return out;
}

/** One edit in words, for the list. */
export function describe(e, schoolName) {
  const from = `from ${academicYear(e.from ?? (e.completions && e.completions[0] && e.completions[0][0]))}`;
  if (e.kind === 'expand') return `${e.places >= 0 ? 'Add' : 'Remove'} ${num(Math.abs(e.places))} places at ${schoolName(e.urn)} ${from}`;
  if (e.kind === 'close') return `Close ${schoolName(e.urn)} ${from} (its pupils go to the other schools of its planning area)`;
  if (e.kind === 'open') return `Open ${e.name}, ${e.phase}, ${num(e.capacity)} places ${from}`;
  if (e.kind === 'settings') {
    const p = (v) => `${Math.round(v * 1000) / 10}%`;
    const b = e.bands || {};
    const parts = [
      typeof e.operating_margin === 'number' ? `operating margin ${p(e.operating_margin)}` : '',
      typeof b.deficit_below === 'number' ? `deficit below ${p(b.deficit_below)} spare` : '',
      typeof b.tight_below === 'number' ? `tight below ${p(b.tight_below)}` : '',
      typeof b.healthy_below === 'number' ? `healthy up to ${p(b.healthy_below)}` : '',
    ].filter(Boolean);
    return `Sufficiency rule: ${parts.join(', ')}`;
  }
  const homes = e.completions.reduce((a, [, d]) => a + d, 0);
  return `${num(homes)} homes at ${e.site}${e.area ? ` (${e.area})` : ''} ${from}`;
}

const FIELDS = {
  expand: [['urn', 'School (click one on the map, or its URN)', 'number'], ['places', 'Places to add (negative to remove)', 'number'], ['from', 'From', 'year']],
  close: [['urn', 'School (click one on the map, or its URN)', 'number'], ['from', 'Closed from', 'year']],
  open: [['name', 'Name', 'text'], ['phase', 'Phase', 'phase'], ['capacity', 'Places', 'number'], ['from', 'Opens', 'year'], ['where', 'Where (click the map)', 'where']],
  housing: [['site', 'Site', 'text'], ['area', 'Planning area code (or click the map)', 'text'], ['dwellings', 'Homes', 'number'], ['from', 'Occupied', 'year'],
    ['yield_primary', 'Primary pupils per home', 'yield'], ['yield_secondary', 'Secondary pupils per home', 'yield'],
    ['where', 'Where (optional: click the map)', 'where']],
  settings: [['operating_margin', 'Operating margin, % of pupils', 'percent'], ['deficit_below', 'Deficit: spare below, %', 'percent'],
    ['tight_below', 'Tight: spare below, %', 'percent'], ['healthy_below', 'Healthy: spare up to, % (surplus above)', 'percent']],
};

export class PlanEditor {
  /**
   * `root`: the section; `years`: forecast years; `schoolName(urn)`; `rule`: the manifest's
   * {operating_margin, bands}; `onPlan(answer|null)`.
   */
  constructor(root, { years, schoolName, rule, onPlan }) {
    this.root = root;
    this.rule = rule || { operating_margin: 0.02, bands: { deficit_below: 0, tight_below: 0.02, healthy_below: 0.1 } };
    this.years = years;
    this.schoolName = schoolName;
    this.onPlan = onPlan;
    this.edits = [];
    this.yields = null;
    this.where = null;
    this.answer = null;
    this.$ = (id) => root.querySelector(`#${id}`);
    this.$('plan-kind').addEventListener('change', () => this.fields());
    this.$('plan-add').addEventListener('click', () => this.add());
    this.$('plan-apply').addEventListener('click', () => this.apply());
    this.$('plan-save').addEventListener('click', () => this.save());
    this.$('plan-file').addEventListener('change', (e) => this.open(e.target.files[0]));
    this.fields();
    this.list();
  }

  fields() {
    const kind = this.$('plan-kind').value;
    const yearOptions = this.years.map((y) => `<option value="${y}">${esc(academicYear(y))}</option>`).join('');
    this.$('plan-fields').innerHTML = FIELDS[kind].map(([key, label, type]) => {
      const id = `plan-${key}`;
      if (type === 'year') return `<label class="field" for="${id}">${esc(label)}</label><select id="${id}">${yearOptions}</select>`;
      if (type === 'phase') return `<label class="field" for="${id}">${esc(label)}</label><select id="${id}"><option>primary</option><option>secondary</option></select>`;
      if (type === 'percent') {
        // Filled with the rule in force: the plan's, else the manifest's.
        const cur = this.edits.find((e) => e.kind === 'settings') || {};
        const v = key === 'operating_margin' ? cur.operating_margin ?? this.rule.operating_margin : (cur.bands || {})[key] ?? this.rule.bands[key];
        return `<label class="field" for="${id}">${esc(label)}</label><input id="${id}" type="number" step="0.5" value="${Math.round(v * 1000) / 10}">`;
      }
      if (type === 'yield') {
        // The plan's yields, else the manifest's; blank when neither has one.
        const y = this.yields || this.rule.yields || {};
        const v = y[key.replace('yield_', '')];
        return `<label class="field" for="${id}">${esc(label)}</label><input id="${id}" type="number" step="any" min="0" value="${typeof v === 'number' ? v : ''}" placeholder="from your pupil yield data">`;
      }
      if (type === 'where') return `<p class="note" id="plan-where">${esc(label)}: ${this.where ? `easting ${this.where.easting}, northing ${this.where.northing}` : 'not placed yet'}</p>`;
      return `<label class="field" for="${id}">${esc(label)}</label><input id="${id}" type="${type}"${type === 'number' ? ' step="any"' : ''}>`;
    }).join('');
  }

  /** A school clicked on the map: its URN goes into the form. */
  pickSchool(urn) {
    const f = this.$('plan-urn');
    if (f) f.value = urn;
  }

  /** A point clicked on the map (British National Grid), for a new school or a housing site. */
  place(bng) {
    this.where = bng;
    const p = this.$('plan-where');
    if (p) p.textContent = `Where: easting ${bng.easting}, northing ${bng.northing}`;
  }

  /** Whether map clicks should place something. */
  placing() {
    return ['open', 'housing'].includes(this.$('plan-kind').value);
  }

  value(key) {
    const f = this.$(`plan-${key}`);
    return f ? f.value.trim() : '';
  }

  add() {
    const kind = this.$('plan-kind').value;
    const n = (k) => Number(this.value(k));
    const from = n('from');
    let e;
    if (kind === 'expand') e = { kind, urn: n('urn'), places: n('places'), from };
    if (kind === 'close') e = { kind, urn: n('urn'), from };
    if (kind === 'open') {
      if (!this.where) return this.status('Click the map where the new school would be.');
      e = { kind, name: this.value('name') || 'New school', phase: this.value('phase'), capacity: n('capacity'), from, ...this.where };
    }
    if (kind === 'housing') {
      e = { kind, site: this.value('site') || 'New homes', completions: [[from, n('dwellings')]] };
      if (this.value('area')) e.area = this.value('area');
      else if (this.where) Object.assign(e, this.where);
      else return this.status('Give the planning area code, or click the map where the homes would be.');
      // Yields other than those in force become the plan's (by-type yields are kept).
      const cur = this.yields || this.rule.yields || {};
      const yp = this.value('yield_primary'), ys = this.value('yield_secondary');
      if (!yp || !ys) {
        if (!(typeof cur.primary === 'number')) return this.status('Give the pupils per home for each phase (from your authority\'s pupil yield data): this data has no yields.');
      } else if (Number(yp) !== cur.primary || Number(ys) !== cur.secondary) {
        this.yields = { ...cur, primary: Number(yp), secondary: Number(ys) };
      }
    }
    if (kind === 'settings') {
      const f = (k) => n(k) / 100;
      e = { kind, operating_margin: f('operating_margin'), bands: { deficit_below: f('deficit_below'), tight_below: f('tight_below'), healthy_below: f('healthy_below') } };
      // One rule per plan: a new one replaces the last.
      this.edits = this.edits.filter((x) => x.kind !== 'settings');
    }
    if ((kind === 'expand' || kind === 'close') && !(e.urn > 0)) return this.status('Choose a school: click it on the map, or type its URN.');
    this.edits.push(e);
    this.where = null;
    this.fields();
    this.list();
    this.apply();
  }

  list() {
    const ol = this.$('plan-edits');
    ol.innerHTML = this.edits.map((e, i) => `<li>${esc(describe(e, this.schoolName))} <button type="button" data-undo="${i}" aria-label="Undo: ${esc(describe(e, this.schoolName))}">Undo</button></li>`).join('');
    for (const b of ol.querySelectorAll('button[data-undo]')) {
      b.addEventListener('click', () => { this.edits.splice(Number(b.dataset.undo), 1); this.list(); this.apply(); });
    }
    this.$('plan-empty').hidden = this.edits.length > 0;
  }

  status(text) {
    this.$('plan-status').textContent = text;
  }

  toml() {
    return planToml(this.$('plan-title').value.trim() || 'Plan made on the map', this.edits, this.yields);
  }

  async post(toml) {
    const t0 = performance.now();
    const res = await fetch('api/plans', { method: 'POST', headers: { 'Content-Type': 'application/toml' }, body: toml });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message || `${res.status} ${res.statusText}`);
    return { answer: body, ms: performance.now() - t0 };
  }

  async apply() {
    if (!this.edits.length) {
      this.asked = (this.asked || 0) + 1;
      this.answer = null;
      this.$('plan-diff').innerHTML = '';
      this.status('');
      this.onPlan(null);
      return;
    }
    // Edits come faster than answers at times: only the answer to the latest plan is shown.
    const asked = (this.asked = (this.asked || 0) + 1);
    try {
      const { answer, ms } = await this.post(this.toml());
      if (asked === this.asked) this.show(answer, ms);
    } catch (e) {
      if (asked === this.asked) this.status(`This plan cannot be applied: ${e.message}`);
    }
  }

  show(answer, ms) {
    this.answer = answer;
    const n = answer.changes.length;
    this.status(`${n} area × phase × year figure${n === 1 ? '' : 's'} change${ms ? ` (answered in ${Math.round(ms)} ms)` : ''}.${answer.notes.length ? ` ${answer.notes.join('; ')}.` : ''}`);
    const shown = answer.changes.slice(0, 200);
    const pair = (p, f = num) => `${f(p[0])} → ${f(p[1])}`;
    this.$('plan-diff').innerHTML = n ? `<table><caption>What the plan changes${n > shown.length ? ` (first ${shown.length} of ${n}; the saved TOML gives all with placeplan scenario diff)` : ''}</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Phase</th><th scope="col">Year</th><th scope="col">Places</th><th scope="col">Pupils</th><th scope="col">Short by</th><th scope="col">Status</th></tr></thead>
      <tbody>${shown.map((c) => `<tr data-layer="${esc(c.layer)}" data-code="${esc(c.code)}"><td>${esc(c.layer === 'la' ? 'Authority' : c.name)}</td><td>${esc(c.phase)}</td><td>${esc(academicYear(c.year))}</td><td>${pair(c.capacity)}</td><td>${pair(c.pupils)}</td><td>${pair(c.shortfall)}</td><td>${esc(c.status[0])} → ${esc(c.status[1])}</td></tr>`).join('')}</tbody></table>` : '';
    const dl = (level, format, label) => `<a href="api/export?level=${level}&format=${format}&plan=${esc(answer.id)}">${label}</a>`;
    this.$('plan-link').innerHTML = `<a href="${esc(answer.link)}" id="plan-permalink">Link to this plan</a> · the plan's figures: ${dl('planning_area', 'xlsx', 'XLSX')}, ${dl('planning_area', 'csv', 'CSV')} by planning area, ${dl('school', 'csv', 'CSV')} by school`;
    this.onPlan(answer);
  }

  save() {
    const blob = new Blob([this.toml()], { type: 'application/toml' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${(this.$('plan-title').value.trim() || 'plan').replace(/[^A-Za-z0-9._-]+/gu, '-')}.toml`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  /** Loads a plan the server answered (from a link or an opened file) into the editor. */
  load(answer) {
    this.edits = editsOf(answer.plan);
    this.yields = answer.plan.yields || null;
    this.$('plan-title').value = answer.plan.name || '';
    this.list();
    this.show(answer);
  }

  async open(file) {
    if (!file) return;
    try {
      const { answer } = await this.post(await file.text());
      this.load(answer);
    } catch (e) {
      this.status(`${file.name}: ${e.message}`);
    }
  }

  /** The plan of a link (`#plan=ID`). */
  async fromLink(id) {
    try {
      const res = await fetch(`api/plans/${encodeURIComponent(id)}`);
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.message || res.statusText);
      this.load(body);
    } catch (e) {
      this.status(`The plan of this link cannot be shown: ${e.message}`);
    }
  }
}

const CHANGE_WORDS = { opens: 'NEW', expands: 'MORE PLACES', closes: 'CLOSES' };

/**
 * Marks the schools a plan opens, expands or closes on `map` (a GeoJSON source of their points,
 * drawn above every layer); `answer` null clears them.
 */
export function drawPlanSchools(map, answer) {
  const features = ((answer && answer.schools) || []).filter((s) => s.point).map((s) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: s.point },
    properties: {
      urn: s.urn,
      change: s.change,
      label: `${CHANGE_WORDS[s.change] || s.change}: ${s.name}${s.places != null ? ` (${s.places >= 0 ? '+' : '−'}${num(Math.abs(s.places))})` : ''}`,
    },
  }));
  const data = { type: 'FeatureCollection', features };
  const source = map.getSource('plan-schools');
  if (source) {
    source.setData(data);
    return;
  }
  map.addSource('plan-schools', { type: 'geojson', data });
  map.addLayer({
    id: 'plan-schools',
    type: 'circle',
    source: 'plan-schools',
    paint: {
      'circle-radius': ['match', ['get', 'change'], 'opens', 9, 8],
      'circle-color': ['match', ['get', 'change'], 'closes', '#ffffff', '#f47738'],
      'circle-stroke-color': ['match', ['get', 'change'], 'closes', '#0b0c0c', '#ffffff'],
      'circle-stroke-width': ['match', ['get', 'change'], 'closes', 3, 2.5],
    },
  });
  map.addLayer({
    id: 'plan-schools-label',
    type: 'symbol',
    source: 'plan-schools',
    layout: {
      'text-field': ['get', 'label'],
      'text-font': ['Noto Sans Bold'],
      'text-size': 12,
      'text-anchor': 'top',
      'text-offset': [0, 1.1],
      'text-max-width': 12,
      'text-allow-overlap': true,
    },
    paint: { 'text-color': '#0b0c0c', 'text-halo-color': '#ffffff', 'text-halo-width': 2 },
  });
}

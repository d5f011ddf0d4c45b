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
  if (yields && Object.keys(yields).length) {
    lines.push('', '[yields]');
    for (const [k, v] of Object.entries(yields)) if (typeof v === 'number') lines.push(`${k} = ${v}`);
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
  return out;
}

/** One edit in words, for the list. */
export function describe(e, schoolName) {
  const from = `from ${academicYear(e.from ?? (e.completions && e.completions[0] && e.completions[0][0]))}`;
  if (e.kind === 'expand') return `${e.places >= 0 ? 'Add' : 'Remove'} ${num(Math.abs(e.places))} places at ${schoolName(e.urn)} ${from}`;
  if (e.kind === 'close') return `Close ${schoolName(e.urn)} ${from} (its pupils go to the other schools of its planning area)`;
  if (e.kind === 'open') return `Open ${e.name}, ${e.phase}, ${num(e.capacity)} places ${from}`;
  const homes = e.completions.reduce((a, [, d]) => a + d, 0);
  return `${num(homes)} homes at ${e.site}${e.area ? ` (${e.area})` : ''} ${from}`;
}

const FIELDS = {
  expand: [['urn', 'School (click one on the map, or its URN)', 'number'], ['places', 'Places to add (negative to remove)', 'number'], ['from', 'From', 'year']],
  close: [['urn', 'School (click one on the map, or its URN)', 'number'], ['from', 'Closed from', 'year']],
  open: [['name', 'Name', 'text'], ['phase', 'Phase', 'phase'], ['capacity', 'Places', 'number'], ['from', 'Opens', 'year'], ['where', 'Where (click the map)', 'where']],
  housing: [['site', 'Site', 'text'], ['area', 'Planning area code (or click the map)', 'text'], ['dwellings', 'Homes', 'number'], ['from', 'Occupied', 'year'],
    ['yield_primary', 'Primary pupils per home (blank: the manifest\'s yields)', 'number'], ['yield_secondary', 'Secondary pupils per home', 'number'],
    ['where', 'Where (optional: click the map)', 'where']],
};

export class PlanEditor {
  /** `root`: the section; `years`: forecast years; `schools`: URN → name; `onPlan(answer|null)`. */
  constructor(root, { years, schoolName, onPlan }) {
    this.root = root;
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
      // Pupil yields for the plan, when the manifest has none (or the user has local ones).
      if (this.value('yield_primary') || this.value('yield_secondary')) {
        this.yields = { ...(this.yields || {}), primary: n('yield_primary'), secondary: n('yield_secondary') };
      }
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

// The side panel: the profile of the selected area or school for the chosen phase and year —
// the headline in words, the figures, a chart over the years, the schools, the deprivation
// profile, the LSOA composition and the calculation behind the figures.

import { href } from './api.js';
import { capacityChart } from './chart.js';
import { academicYear, esc, pct, places, signed } from './format.js';

const STATUS_WORDS = {
  deficit: 'fewer places than pupils',
  tight: 'below the operating margin',
  healthy: 'within the operating margin',
  surplus: 'more spare places than the healthy band',
};

function statusBadge(s) {
  return s ? `<span class="status ${esc(s)}" data-field="status">${esc(s)}</span>` : '<span data-field="status">no figure</span>';
}

const PHASE_WORDS = {
  primary: { title: 'Primary', school: 'primary school', children: 'primary-age children (4–10)' },
  secondary: { title: 'Secondary', school: 'secondary school', children: 'secondary-age children (11–15)' },
  post16: { title: 'Post-16', school: 'sixth form or 16–19 school', children: 'young people aged 16–17' },
};

/** Words for a phase, falling back to the phase id. */
export function phaseWords(phase) {
  return PHASE_WORDS[phase] || { title: phase, school: `${phase} school`, children: `${phase} children` };
}

function headline(name, phase, row, census) {
  const s = row.status;
  const when = row.year > census ? `forecast for ${academicYear(row.year)}` : `in ${academicYear(row.year)}`;
  const w = phaseWords(phase);
  const ph = w.title;
  if (row.schools === 0) {
    const who = row.resident_children == null
      ? ''
      : row.resident_children_projected
        ? ` ${places(row.resident_children)} ${w.children} are projected to live here in ${academicYear(row.year)} (projection from population), going to schools elsewhere.`
        : ` ${places(row.resident_children)} ${w.children} live here and go to schools elsewhere.`;
    return `${ph}: no ${w.school} stands in ${esc(name)}.${who}`;
  }
  if (row.shortfall > 0.5) {
    return `${ph} places in ${esc(name)} ${row.year > census ? 'are forecast to' : 'currently'} fall short by
      <strong>${places(row.shortfall)}</strong>${row.year > census ? ` in ${academicYear(row.year)}` : ''}: ${places(row.pupils)} pupils for ${places(row.capacity)} places.`;
  }
  return `${ph}: <strong>${places(row.capacity)}</strong> places for <strong>${places(row.pupils)}</strong> pupils ${when} —
    ${signed(row.spare)} spare (${pct(row.spare_pct)}), ${STATUS_WORDS[s] || 'no status'}.`;
}

function figures(row, margin) {
  return `<dl class="figures">
    <dt>Places</dt><dd data-field="capacity">${places(row.capacity)}</dd>
    <dt>Pupils${row.forecast ? ' (forecast)' : ' (on roll)'}</dt><dd data-field="pupils">${places(row.pupils)}</dd>
    <dt>Spare places</dt><dd data-field="spare">${signed(row.spare)}</dd>
    <dt>Spare %</dt><dd data-field="spare_pct">${pct(row.spare_pct)}</dd>
    <dt>Short by (pupils − places)</dt><dd data-field="shortfall">${places(row.shortfall)}</dd>
    <dt>Places to add to keep a ${pct(margin * 100)} margin</dt><dd data-field="margin_shortfall">${places(row.margin_shortfall)}</dd>
    <dt>Schools</dt><dd data-field="schools">${row.schools}</dd>
    ${row.schools_no_data ? `<dt>Schools with no figures (left out)</dt><dd data-field="schools_no_data">${row.schools_no_data}</dd>` : ''}
    ${row.schools_suppressed ? `<dt>Schools with a suppressed count (c; counted as 5)</dt><dd data-field="schools_suppressed">${row.schools_suppressed}</dd>` : ''}
    ${row.resident_children == null ? '' : `<dt>Children of these ages living here${row.resident_children_projected ? ' (projected)' : ''}</dt><dd data-field="resident_children">${places(row.resident_children)}</dd>`}
    ${row.flagged_schools ? `<dt>Schools with 25%+ spare</dt><dd>${row.flagged_schools}</dd>` : ''}
    ${row.schools_without_forecast && row.forecast ? `<dt>Schools without a forecast (roll carried)</dt><dd>${row.schools_without_forecast}</dd>` : ''}
    ${row.schools_from_population && row.forecast ? `<dt>Schools forecast from population (no rolls)</dt><dd data-field="schools_from_population">${row.schools_from_population}</dd>` : ''}
  </dl>`;
}

function deprivation(d) {
  if (!d) return '';
  return `<h3>Deprivation</h3><dl class="figures">
    <dt>Residents</dt><dd>${places(d.population)}</dd>
    <dt>Children 0–15</dt><dd>${places(d.children_0_15)}</dd>
    <dt>IMD 2019 rank (population-weighted, 1 = most deprived of 32,844)</dt><dd data-field="imd_rank">${places(d.imd_rank_popweighted)}</dd>
    <dt>Residents in England's most deprived 10%</dt><dd>${pct(d.pct_pop_most_deprived_decile)}</dd>
    <dt>Residents in England's most deprived 20% (what the need view uses)</dt><dd data-field="most_deprived_20">${pct(d.pct_pop_most_deprived_quintile)}</dd>
    <dt>Children in the most deprived 10% (IDACI)</dt><dd>${pct(d.pct_children_idaci_decile1)}</dd>
  </dl>`;
}

function schoolsTable(list, phase) {
  if (!list || !list.length) return `<p class="note">No ${esc(phaseWords(phase).school)} is counted here.</p>`;
  const cell = (v) => (v == null ? '<span class="nodata">no data</span>' : places(v));
  // A count disclosure control suppresses (1 to 4 pupils) is "c", never "no data" or 0.
  const roll = (s) => (s.suppressed ? '<abbr title="suppressed: 1 to 4 pupils">c</abbr>' : cell(s.pupils));
  const rows = list
    .map(
      (s) => `<tr${s.in_totals === false ? ' class="no-figures"' : ''} title="${esc(s.provenance || '')}"><td>${esc(s.name)}${s.flagged ? ' <span title="25% or more spare and at least 30 places">⚑</span>' : ''}${s.opens ? ` <span class="note">(scenario: opens ${academicYear(s.opens)}; census-year figures are 0)</span>` : ''}${s.closes ? ` <span class="note">(scenario: closes ${academicYear(s.closes)})</span>` : ''}</td>
        <td>${esc(s.ofsted || '—')}</td><td class="num">${cell(s.capacity)}</td><td class="num">${roll(s)}</td>
        <td class="num">${s.suppressed ? 'c' : signed(s.spare)}</td><td class="num">${s.fsm_pct == null ? '—' : pct(s.fsm_pct)}</td></tr>`,
    )
    .join('');
  const gaps = list.filter((s) => s.in_totals === false).length;
  const estimates = list.filter((s) => (s.provenance || '').includes('estimate')).length;
  const notes = [
    gaps ? `${gaps === 1 ? '1 school here has' : `${gaps} schools here have`} no figures and ${gaps === 1 ? 'is' : 'are'} left out of the totals.` : '',
    estimates ? `${estimates === 1 ? '1 school’s figures are' : `${estimates} schools’ figures are`} estimates (hover a row for the rule).` : '',
  ].filter(Boolean);
  return `<table><caption class="visually-hidden">Schools</caption><thead><tr><th scope="col">School</th><th scope="col">Ofsted</th>
    <th scope="col" class="num">Places</th><th scope="col" class="num">Roll</th><th scope="col" class="num">Spare</th><th scope="col" class="num">FSM</th></tr></thead>
    <tbody>${rows}</tbody></table>${notes.map((n) => `<p class="note" data-field="school-notes">${esc(n)}</p>`).join('')}`;
}

function lsoaTable(lsoas) {
  if (!lsoas || !lsoas.length) return '';
  const rows = lsoas
    .map(
      (l) => `<tr><td>${esc(l.code)}</td><td class="num">${l.weight.toFixed(3)}</td><td class="num">${places(l.population)}</td>
        <td class="num">${l.imd_decile ?? '—'}</td><td class="num">${l.idaci_decile ?? '—'}</td></tr>`,
    )
    .join('');
  return `<details class="calc"><summary>LSOA composition (${lsoas.length})</summary>
    <table><thead><tr><th scope="col">LSOA</th><th scope="col" class="num">Weight</th><th scope="col" class="num">Residents</th>
    <th scope="col" class="num">IMD decile</th><th scope="col" class="num">IDACI decile</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

/** Hot spot, access and priority findings in words, with how each was computed. */
function equity(eq) {
  if (!eq || !eq.sentences || !eq.sentences.length) return '';
  const p = eq.priority;
  const tag = p && p.priority ? `<span class="status deficit">priority ${p.rank}</span> ` : '';
  return `<section class="equity" data-field="equity"><h3>Equity</h3>
    ${eq.sentences.map((s, i) => `<p>${i === 0 ? tag : ''}${esc(s)}</p>`).join('')}
    <details class="calc"><summary>How these were worked out</summary>${eq.methods.map((m) => `<p class="note">${esc(m)}</p>`).join('')}</details>
  </section>`;
}

/** The calculation of one explanation, as an ordered list of steps. */
export function calculation(ex) {
  if (!ex) return '';
  return `<details class="calc" data-metric="${esc(ex.metric)}"><summary>Show the calculation: ${esc(ex.metric.replace(/_/g, ' '))}
    ${ex.metric === 'spare_pct' || ex.metric === 'shortfall' ? `(${esc(ex.phase)}, ${academicYear(ex.year)})` : ''}</summary>
    <p class="note">${esc(ex.formula)}${ex.weights ? `<br>${esc(ex.weights)}` : ''}</p>
    <ol>${ex.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol></details>`;
}

function yearTable(rows) {
  const body = rows
    .map(
      (r) => `<tr><th scope="row">${academicYear(r.year)}${r.forecast ? ' <span class="forecast-tag">F</span>' : ''}</th>
      <td class="num">${places(r.capacity)}</td><td class="num">${r.suppressed ? '<abbr title="suppressed: 1 to 4 pupils, counted as 5">c</abbr>' : places(r.pupils)}</td><td class="num">${signed(r.spare)}</td>
      <td>${r.status ? `<span class="status ${esc(r.status)}">${esc(r.status)}</span>` : '—'}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">Year</th><th scope="col" class="num">Places</th><th scope="col" class="num">Pupils</th>
    <th scope="col" class="num">Spare</th><th scope="col">Status</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The figures of a year as they are and under a plan, side by side; changed ones marked. */
function compareTable(base, plan, planName, phase, year, census) {
  if (!plan) return `<p class="note" data-field="plan-compare">Plan “${esc(planName)}”: no ${esc(phase)} figure here for ${academicYear(year)}.</p>`;
  const fields = [
    ['Places', 'capacity', places],
    [`Pupils${year > census ? ' (forecast)' : ''}`, 'pupils', places],
    ['Spare places', 'spare', signed],
    ['Spare %', 'spare_pct', pct],
    ['Short by', 'shortfall', places],
    ['Places to add for the operating margin', 'margin_shortfall', places],
  ];
  const same = (a, b) => (a == null && b == null) || (a != null && b != null && Math.abs(a - b) < 0.5);
  const rows = fields.map(([label, k, f]) => {
    const a = base ? base[k] : null;
    const b = plan[k];
    return `<tr><th scope="row">${esc(label)}</th><td class="num">${a == null ? '—' : f(a)}</td><td class="num${same(a, b) ? '' : ' changed'}" data-field="plan-${k}">${b == null ? '—' : f(b)}</td></tr>`;
  });
  const st = (r) => (r && r.status ? `<span class="status ${esc(r.status)}">${esc(r.status)}</span>` : '—');
  rows.push(`<tr><th scope="row">Status</th><td>${st(base)}</td><td class="${(base && base.status) === plan.status ? '' : 'changed'}" data-field="plan-status">${st(plan)}</td></tr>`);
  return `<table class="plan-compare" data-field="plan-compare"><caption>As it is and under the plan “${esc(planName)}”, ${esc(phase)}, ${academicYear(year)}</caption>
    <thead><tr><th scope="col"></th><th scope="col" class="num">As it is</th><th scope="col" class="num">Plan</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Renders `profile` for `state` ({phase, year}); `links` = {permalink, geojson, explain};
 * `plan` = {id, name, profile}: the same profile under the plan on view, set beside it.
 * Returns the HTML.
 */
export function renderProfile(profile, state, meta, links, plan) {
  const census = meta.dataset.census_year;
  const margin = meta.dataset.operating_margin;
  const parts = [];
  parts.push(`<h2>${esc(profile.name)}</h2><p class="sub">${esc(profile.layer_title)} · ${esc(profile.code)}${profile.synthetic ? ' · <strong>synthetic data</strong>' : ''}</p>`);
  if (profile.kind === 'schools') {
    const s = profile.schools[0] ? profile.schools[0][1][0] : null;
    if (s) {
      parts.push(`<p>${esc(s.phase_of_education)} · ${esc(s.establishment_type)} · Ofsted: ${esc(s.ofsted || 'not known')}</p>`);
    }
    const ys = profile.school_years.filter((r) => r.phase === state.phase);
    const rows = ys.length ? ys : profile.school_years;
    const row = rows.find((r) => r.year === state.year) || rows[0];
    if (row) {
      parts.push(`<p class="headline">${statusBadge(row.status)} ${academicYear(row.year)}</p>`);
      parts.push(figures({ ...row, forecast: row.year > census, schools: 1 }, margin));
      const planRows = plan ? plan.profile.school_years.filter((r) => r.phase === row.phase) : null;
      if (plan) parts.push(compareTable(row, planRows.find((r) => r.year === row.year), plan.name, row.phase, row.year, census));
      parts.push(capacityChart(rows.map((r) => ({ ...r, forecast: r.year > census })), `Places and pupils at ${profile.name}`, state.year, planRows));
    }
    for (const [ph, lines] of profile.schools) {
      const l = lines[0];
      parts.push(`<p class="note">${esc(ph)}: FSM ${l.fsm_pct == null ? '—' : pct(l.fsm_pct)}${l.flagged ? ' · flagged: 25%+ spare and 30+ places' : ''}</p>`);
    }
    parts.push(deprivation(profile.deprivation).replace('<h3>Deprivation</h3>', '<h3>Deprivation of the LSOA the school is in</h3>'));
  } else if (profile.kind === 'lsoa') {
    parts.push(deprivation(profile.deprivation));
    parts.push(equity(profile.equity));
    const here = profile.schools.flatMap(([, l]) => l);
    parts.push(`<h3>Schools in this LSOA</h3>${schoolsTable(here, 'open')}`);
  } else {
    const rows = profile.figures.filter((r) => r.phase === state.phase);
    const row = rows.find((r) => r.year === state.year) || rows[0];
    if (row && row.schools === 0) {
      parts.push(`<p class="headline">${headline(profile.name, state.phase, row, census)}</p>`);
    } else if (row) {
      parts.push(`<p class="headline">${statusBadge(row.status)} ${headline(profile.name, state.phase, row, census)}</p>`);
      parts.push(figures(row, margin));
      const planRows = plan ? plan.profile.figures.filter((r) => r.phase === state.phase) : null;
      if (plan) parts.push(compareTable(row, planRows.find((r) => r.year === row.year), plan.name, state.phase, row.year, census));
      // A forecast from population says how such projections did on the data's own history.
      const pop = meta.dataset.population_forecast;
      const scores = pop ? (pop.scores || []).filter((s) => s.phase === state.phase) : [];
      if (row.forecast && row.schools_from_population && scores.length) {
        const ahead = (s) => `${s.horizon} year${s.horizon === 1 ? '' : 's'} ahead`;
        const sp = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
        const la = scores.filter((s) => s.authority_pct != null).map((s) => `${sp(s.authority_pct)}% ${ahead(s)}`).join(', ');
        const wards = scores.filter((s) => s.wards).map((s) => `${s.wards.mape.toFixed(1)}% ${ahead(s)}`).join(', ');
        const title = (scores.find((s) => s.wards) || {}).wards;
        parts.push(`<p class="note" data-field="population-accuracy">Projected from population. Tested on this authority's own history, such projections of ${esc(state.phase)}-age children were ${la} for the authority${title ? `, and off by ${wards} on average for ${esc(title.title.toLowerCase())}` : ''}.</p>`);
      }
      // The Reception forecasts against a year's admissions allocations, beside the primary figures.
      const adm = meta.dataset.admissions_check;
      if (adm && state.phase === 'primary' && row.forecast) {
        const here = adm.layer === profile.layer ? (adm.areas || {})[profile.code] : null;
        const pct = (v) => (v == null ? 'no accuracy' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}%`);
        const local = here
          ? ` Here: ${here.schools} school${here.schools === 1 ? '' : 's'}, forecast ${Math.round(here.forecast).toLocaleString('en-GB')} against ${Math.round(here.allocated).toLocaleString('en-GB')} allocated (${pct(here.accuracy_pct)}).`
          : '';
        parts.push(`<p class="note" data-field="admissions-check">${esc(adm.sentence + local)}</p>`);
      }
      parts.push(capacityChart(rows, `${state.phase} places and pupils in ${profile.name} by year`, state.year, planRows));
      parts.push(`<details class="calc"><summary>Figures by year</summary>${yearTable(rows)}</details>`);
      parts.push('<div id="calc-year"></div>');
    }
    const list = (profile.schools.find(([p]) => p === state.phase) || [null, []])[1];
    // Figures that rest on an estimate say so beside them, with the rule.
    const est = list.filter((s) => s.in_totals !== false && /estimate/.test(s.provenance || ''));
    if (est.length && row && row.schools > 0) {
      const rule = ((est[0].provenance || '').match(/\(estimate: ([^)]*)\)/) || [])[1];
      parts.push(`<p class="note estimate" data-field="estimate"><strong>Estimate:</strong> the places of ${est.length === 1 ? esc(est[0].name) : `${est.length} of these schools`} are split between phases by a rule${rule && est.length === 1 ? ` (${esc(rule)})` : ' (hover a school below for it)'}; the figures above depend on it.</p>`);
    }
    // The area's total can hide schools that are full: name them.
    const over = list.filter((s) => s.in_totals !== false && s.spare != null && s.spare < 0).sort((a, b) => a.spare - b.spare);
    if (over.length) {
      const named = over.slice(0, 4).map((s) => `${esc(s.name)} (${signed(s.spare)})`).join(', ');
      const who = list.length === 1 ? `Its only ${esc(phaseWords(state.phase).school)}` : `${over.length} of its ${list.length} ${esc(phaseWords(state.phase).school)}s`;
      parts.push(`<p data-field="schools-over"><strong>${who}</strong> had more pupils than places in ${academicYear(census)}: ${named}${over.length > 4 ? ' …' : ''}.${row && row.shortfall === 0 ? ' Spare places at the others cover them in the area total.' : ''}</p>`);
    }
    parts.push(equity(profile.equity));
    parts.push(`<h3>${esc(phaseWords(state.phase).title)} schools serving the area</h3>`);
    parts.push(schoolsTable(list, state.phase));
    parts.push(deprivation(profile.deprivation));
    parts.push(lsoaTable(profile.lsoas));
    // Spare % is explained for the chosen year in #calc-year; the rest are census-year figures.
    const calc = profile.calculation.filter((c) => c.metric !== 'spare_pct');
    parts.push(calc.map(calculation).join(''));
  }
  const ward = profile.kind && profile.kind.area === 'ward'
    ? `<a href="${esc(href.wardPage(profile.layer, profile.code, plan && plan.id))}" id="ward-page">Ward page (printable)${plan ? ', with the plan' : ''}</a>` : '';
  const level = profile.kind && (profile.kind.area === 'ward' ? 'ward' : profile.kind.area === 'planning_area' ? 'planning_area' : null);
  const dl = level
    ? `<span class="downloads">Figures for every ${level === 'ward' ? 'ward' : 'planning area'}:
        ${['csv', 'xlsx', 'gpkg'].map((f) => `<a href="${esc(href.download(level, profile.layer, f))}" download>${f.toUpperCase()}</a>`).join(' ')}</span>`
    : '';
  parts.push(`<p class="links">${ward}${dl}<a href="${esc(links.permalink)}" id="permalink">Link to this view</a>
    <a href="${esc(links.geojson)}" download>GeoJSON of the layer</a>
    <a href="${esc(links.api)}">Profile as JSON</a></p>`);
  return parts.join('\n');
}

// placeplan web app: wires the map, controls, legend and panel together. The view state
// ({layer, metric, phase, year, sel, schools, map}) lives here and in the URL hash.

import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { api, getStyle, href, probeArchive, ROOT, STATIC } from './api.js';
import { Controls } from './controls.js';
import { academicYear, esc, metricValue } from './format.js';
import { LayerView, propertyFor } from './layers.js';
import { renderLegend, renderSchoolLegend } from './legend.js';
import { calculation, renderProfile } from './panel.js';
import { composeView, download, preparePrint } from './export.js';
import { isBasemapLayer, mergeBasemap } from './basemap.js';
import { mapPosition, parsePosition, readState, writeState } from './urlstate.js';
import { PlanEditor, drawPlanSchools } from './plan.js';

const $ = (id) => document.getElementById(id);
/** The areas' fill opacity in the server's style (`fill-opacity` when not hovered). */
const AREA_OPACITY = 0.72;

function showMessage(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = !text;
}

/** Makes `state` consistent with the layers there are. */
function normalise(state, meta) {
  const layer = meta.layers.find((l) => l.id === state.layer) || meta.layers.find((l) => l.id === meta.default_layer) || meta.layers[0];
  state.layer = layer.id;
  if (!layer.metrics.some((m) => m.id === state.metric)) state.metric = layer.metrics[0] ? layer.metrics[0].id : undefined;
  if (!layer.phases.includes(state.phase)) state.phase = layer.phases[0] || 'primary';
  const years = (layer.years && layer.years[state.phase]) || [];
  if (!years.includes(state.year)) {
    // The year the user was looking at, or the nearest the phase has (switching phase keeps it).
    const want = Number.isFinite(state.year) ? state.year : meta.dataset.census_year;
    // A layer without years (LSOAs) keeps the year, for the school dots and the next layer.
    state.year = years.length
      ? years.reduce((best, y) => (Math.abs(y - want) < Math.abs(best - want) ? y : best), years[0])
      : want;
  }
  return layer;
}

/** Loads a classic script (the vendored PMTiles build) once. */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.onload = resolve;
    el.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(el);
  });
}

/**
 * A published site's style: its "./" addresses made absolute against the site's root (MapLibre
 * wants absolute URLs), and its tile archive opened through the PMTiles protocol. A host that
 * answers range requests sends only the tiles on view; one that does not (python3 -m http.server)
 * answers the first request with the whole archive, which is then read from memory.
 */
async function siteStyle(url) {
  const style = await getStyle(url);
  const abs = (u) => (typeof u === 'string' && u.startsWith('./') ? ROOT + u.slice(2) : u);
  style.glyphs = abs(style.glyphs);
  await loadScript(`${ROOT}vendor/pmtiles/pmtiles.js`);
  const protocol = new window.pmtiles.Protocol();
  maplibregl.addProtocol('pmtiles', protocol.tile);
  for (const src of Object.values(style.sources)) {
    if (typeof src.data === 'string') src.data = abs(src.data);
    if (typeof src.url !== 'string' || !src.url.startsWith('pmtiles://')) continue;
    const archive = abs(src.url.slice('pmtiles://'.length));
    src.url = `pmtiles://${archive}`;
    const whole = await probeArchive(archive);
    protocol.add(new window.pmtiles.PMTiles(whole
      // No range requests here: the answer was the whole archive.
      ? { getKey: () => archive, getBytes: async (offset, length) => ({ data: whole.slice(offset, offset + length) }) }
      : archive));
  }
  return style;
}

async function start() {
  let meta;
  try {
    meta = await api.layers();
  } catch (e) {
    showMessage(`Could not load the layers: ${e.message}`);
    return;
  }
  $('dataset-name').textContent = meta.dataset.name;
  // Which year each input describes, under "How this is calculated".
  $('vintages').textContent = (meta.dataset.vintages || []).length
    ? `Which year each input describes: ${meta.dataset.vintages.map((v) => `${v.input} — ${v.describes}`).join('; ')}.`
    : '';
  $('synthetic-badge').hidden = !meta.dataset.synthetic;
  // Under disclosure control every pupil count is rounded: a badge says so, and the note is
  // under "How this is calculated".
  const pop = meta.dataset.population_forecast;
  const adm = meta.dataset.admissions_check;
  $('population-note').textContent = [pop && pop.method, pop && pop.accuracy, adm && adm.sentence].filter(Boolean).join(' ');
  const disclosure = meta.dataset.disclosure;
  $('disclosure-badge').hidden = !disclosure;
  $('disclosure-note').textContent = disclosure ? disclosure.note : '';
  if (disclosure) $('disclosure-badge').title = disclosure.note;
  $('attribution-note').textContent = meta.dataset.attribution;
  document.title = `${meta.dataset.name} — placeplan`;

  const small = window.matchMedia('(max-width: 700px)');
  // On a phone the controls are a drawer over the map, opened from the top bar.
  const toggle = $('controls-toggle');
  const setDrawer = (open) => {
    document.body.classList.toggle('drawer-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Close' : 'Layers and legend';
  };
  toggle.addEventListener('click', () => setDrawer(!document.body.classList.contains('drawer-open')));
  // The map and the drawer start under the top bar, whose height depends on the screen.
  const top = document.querySelector('.topbar');
  new ResizeObserver(() => document.body.style.setProperty('--top', `${top.offsetHeight}px`)).observe(top);
  const fromUrl = readState();
  const state = { schools: true, wards: true, others: false, ...fromUrl };
  let layer = normalise(state, meta);
  const pos = parsePosition(fromUrl.map);
  const b = layer.bounds;
  // A vector basemap, when the server names one: fetched from its provider and merged under ours.
  let style = meta.style;
  if (STATIC) {
    try {
      style = await siteStyle(meta.style);
    } catch (e) {
      showMessage(`Could not open the map's tiles: ${e.message}`);
      return;
    }
  }
  const bm = meta.dataset.basemap;
  if (bm && bm.kind === 'style') {
    try {
      const [ours, theirs] = await Promise.all([(typeof style === 'string' ? fetch(style).then((r) => r.json()) : style), fetch(bm.url).then((r) => {
        if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
        return r.json();
      })]);
      style = mergeBasemap(ours, theirs, bm.url);
    } catch (e) {
      showMessage(`The basemap (${bm.url}) could not be loaded (${e.message}); the map is shown without it.`);
    }
  }
  $('basemap-option').hidden = !bm;
  const map = new maplibregl.Map({
    container: 'map',
    style,
    ...(pos ? { center: pos.center, zoom: pos.zoom } : { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 30 } }),
    // On a phone the credit folds into an (i) button.
    attributionControl: { compact: small.matches },
    maxZoom: 18,
    // Keeps the picture after drawing it, so that "Export this view" and printing can copy it.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  const view = new LayerView(map, meta);
  let profile = null;
  let postcodeMarker = null;
  let basemapVis = null;
  let selLayer = null;

  const links = () => {
    const [l, code] = (state.sel || '').split('/');
    return {
      permalink: location.href,
      geojson: href.geojson(state.layer),
      api: href.profile(l, code),
    };
  };

  // The selected area's figures under the plan on view, set beside the data as it is.
  let planProfile = null;
  let planName = 'plan';
  const refreshPlanProfile = async () => {
    const id = state.plan;
    const want = profile && id ? `${id}|${profile.layer}|${profile.code}` : '';
    if (!want) {
      if (planProfile) { planProfile = null; renderPanel(); }
      return;
    }
    if (planProfile && planProfile.key === want) {
      // The plan's name may come after its figures (a link opened with an area selected).
      if (planProfile.name !== planName) { planProfile.name = planName; renderPanel(); }
      return;
    }
    try {
      const p = await api.area(profile.layer, profile.code, id);
      if (state.plan !== id || !profile || `${id}|${profile.layer}|${profile.code}` !== want) return;
      planProfile = { key: want, id, name: planName, profile: p };
      renderPanel();
    } catch (e) {
      console.warn('plan profile', e);
    }
  };

  const renderPanel = () => {
    const panel = $('panel');
    if (!profile) {
      panel.hidden = true;
      panel.removeAttribute('data-code');
      if (small.matches) map.easeTo({ padding: { bottom: 0 }, duration: 250 });
      return;
    }
    const plan = planProfile && planProfile.id === state.plan && planProfile.key.endsWith(`|${profile.layer}|${profile.code}`) ? planProfile : null;
    $('panel-body').innerHTML = renderProfile(profile, state, meta, links(), plan);
    panel.dataset.code = profile.code;
    panel.dataset.layer = profile.layer;
    panel.dataset.phase = state.phase;
    panel.dataset.year = String(state.year);
    panel.hidden = false;
    // On a phone the sheet covers the bottom of the map: the map's centre moves above it.
    if (small.matches) map.easeTo({ padding: { bottom: panel.offsetHeight }, duration: 250 });
    const slot = $('calc-year');
    if (slot && profile.kind !== 'schools' && profile.kind !== 'lsoa') {
      const key = `${profile.code}|${state.phase}|${state.year}`;
      slot.dataset.key = key;
      api.explain(profile.layer, profile.code, 'spare_pct', state.phase, state.year)
        .then((ex) => { if (slot.dataset.key === key) slot.innerHTML = calculation(ex); })
        .catch(() => { slot.innerHTML = ''; });
    }
    map.resize();
  };

  /** "primary, 2027/28 (forecast)": the phase and year a metric is shown for. */
  const legendContext = (metric) => (metric && metric.by_phase_year
    ? `${layer.kind === 'schools' ? `${state.phase} schools, ` : `${state.phase}, `}${academicYear(state.year)}${state.year > meta.dataset.census_year ? ' (forecast)' : ''}`
    : '');

  // Reassigned once the plan editor exists: draws the plan's figures over the layer on view.
  let refreshPlan = () => {};
  const apply = () => {
    layer = normalise(state, meta);
    const metric = layer.metrics.find((m) => m.id === state.metric);
    view.show(state.layer, state.schools, { wardsOn: state.wards, othersOn: state.others });
    // The basemap, when there is one, can be switched off (e.g. for a plain printout); its
    // layers keep their own visibility otherwise.
    basemapVis = basemapVis || new Map(map.getStyle().layers.filter((l) => isBasemapLayer(l.id)).map((l) => [l.id, (l.layout || {}).visibility || 'visible']));
    for (const [id, vis] of basemapVis) map.setLayoutProperty(id, 'visibility', state.basemap === false ? 'none' : vis);
    const filters = { type: state.stype, ofsted: state.ofsted };
    view.colour(layer, metric, state.phase, state.year, filters);
    const schools = meta.layers.find((l) => l.kind === 'schools');
    if (schools && schools.id !== state.layer) view.colour(schools, schools.metrics[0], state.phase, state.year, filters);
    renderSchoolLegend($('school-legend'), schools, state, `${state.phase} schools, ${academicYear(state.year)}`);
    const context = legendContext(metric);
    // Swatches as the areas are drawn: at the fill's opacity over the map's background.
    renderLegend($('legend'), $('metric-description'), metric, context, layer.kind === 'schools' ? 1 : AREA_OPACITY);
    controls.render(state, layer);
    state.map = mapPosition(map);
    writeState(state);
    renderPanel();
    refreshPlan();
  };

  /** What the exported picture says beside the map: title, legend, school key, notes. */
  const exportInfo = () => {
    const metric = layer.metrics.find((m) => m.id === state.metric);
    const schools = meta.layers.find((l) => l.kind === 'schools');
    const sm = schools && schools.metrics[0];
    const context = legendContext(metric);
    const items = metric ? [...metric.legend.map((l) => ({ color: l.color, label: l.label })), { color: metric.no_data, label: 'No figure' }] : [];
    const date = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
    const vintages = (meta.dataset.vintages || []).map((v) => `${v.input} — ${v.describes}`).join('; ');
    return {
      title: meta.dataset.name,
      subtitle: `${layer.title}: ${metric ? metric.name : ''}${context ? ` — ${context}` : ''}`,
      synthetic: meta.dataset.synthetic,
      legend: { opacity: layer.kind === 'schools' ? 1 : AREA_OPACITY, title: metric ? `${metric.name}${metric.unit && !['decile', 'rank'].includes(metric.unit) ? ` (${metric.unit})` : ''}` : '', items },
      schools: sm && (state.schools || state.layer === schools.id) && schools.id !== state.layer
        ? { title: `School dots: ${sm.name} — ${academicYear(state.year)}, ${state.phase} schools`, items: [...sm.legend.map((l) => ({ color: l.color, label: l.label })), ...(state.others ? [{ color: '#ffffff', label: 'Does not count for places' }] : [])] }
        : null,
      notes: [
        // The link to the view, unless it is this computer's own address (no use on paper).
        `Made with placeplan on ${date}.${['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname) ? '' : ` View: ${location.href}`}`,
        vintages ? `Data: ${vintages}.` : '',
        meta.dataset.disclosure ? meta.dataset.disclosure.note : '',
        // Every source's credit, as the map shows it (the basemap's too).
        (document.querySelector('.maplibregl-ctrl-attrib-inner') || {}).textContent || meta.dataset.attribution,
      ].filter(Boolean),
    };
  };
  const fileName = () => `placeplan-${state.layer}-${state.phase}-${state.year}.png`.replace(/[^A-Za-z0-9._-]/g, '_');
  const exportPng = async () => {
    const { canvas, boxes } = composeView(map, exportInfo());
    window.placeplan.lastExport = { width: canvas.width, height: canvas.height, boxes };
    await download(canvas, fileName());
  };
  const exportPrint = async (paper) => {
    // Drawn at twice the screen's resolution for paper, then back.
    const ratio = map.getPixelRatio();
    if (ratio < 2) {
      map.setPixelRatio(2);
      await new Promise((resolve) => map.once('idle', resolve));
    }
    const { canvas } = composeView(map, exportInfo());
    if (ratio < 2) map.setPixelRatio(ratio);
    preparePrint(canvas, paper);
    await document.querySelector('#print-sheet img').decode().catch(() => {});
    window.print();
  };
  $('export-png').addEventListener('click', exportPng);
  $('export-a4').addEventListener('click', () => exportPrint('A4'));
  $('export-a3').addEventListener('click', () => exportPrint('A3'));
  // Ctrl+P prints the same sheet (A4).
  window.addEventListener('beforeprint', () => {
    if (!document.body.dataset.paper) preparePrint(composeView(map, exportInfo()).canvas, 'A4');
  });
  window.addEventListener('afterprint', () => { delete document.body.dataset.paper; });

  const select = async (layerId, code, { fly = false } = {}) => {
    try {
      profile = await api.area(layerId, code);
    } catch (e) {
      showMessage(e.message);
      return;
    }
    showMessage('');
    selLayer = layerId;
    state.sel = `${layerId}/${code}`;
    refreshPlanProfile();
    view.select(layerId, profile.feature_id);
    // Open the panel first, so that the map is fitted to the space that is left.
    apply();
    if (fly && profile.bbox) {
      map.resize();
      const [w, s, e, n] = profile.bbox;
      if (w === e && s === n) map.flyTo({ center: [w, s], zoom: Math.max(map.getZoom(), 14) });
      else map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 14 });
    }
  };

  const controls = new Controls(meta, {
    onChange: (patch) => {
      Object.assign(state, patch);
      apply();
    },
    onSearch: (q) => api.search(q),
    onAreas: (layerId) => api.areas(layerId),
    onPick: async (hit) => {
      const l = meta.layers.find((x) => x.id === hit.layer);
      if (l && l.kind !== 'schools') state.layer = hit.layer;
      else state.schools = true;
      await select(hit.layer, hit.code, { fly: !hit.postcode });
      // A postcode: a marker at it, and the map centred on it with its area open.
      if (postcodeMarker) postcodeMarker.remove();
      postcodeMarker = null;
      if (hit.postcode && hit.point) {
        const el = document.createElement('div');
        el.className = 'postcode-marker';
        el.setAttribute('role', 'img');
        el.setAttribute('aria-label', `Postcode ${hit.postcode}`);
        el.title = `Postcode ${hit.postcode}`;
        postcodeMarker = new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat(hit.point).addTo(map);
        map.flyTo({ center: hit.point, zoom: Math.max(map.getZoom(), 13.5) });
      }
    },
  });

  $('panel-close').addEventListener('click', () => {
    profile = null;
    state.sel = undefined;
    view.select(null);
    apply();
  });

  // The what-if plan editor: a placeplan server projects the plans; a published site has none.
  let editor = null;
  if (!STATIC) {
    const schoolsLayer = meta.layers.find((l) => l.kind === 'schools');
    const names = new Map();
    if (schoolsLayer) api.areas(schoolsLayer.id).then((list) => { for (const a of list) names.set(String(a.code), a.name); }).catch(() => {});
    const census = meta.dataset.census_year;
    const years = [...new Set(meta.layers.flatMap((l) => Object.values(l.years || {}).flat()))].filter((y) => y > census).sort((a, b) => a - b);
    // The sufficiency metrics a plan changes, and the field of its rows that holds each.
    const PLANNED = { status: 'status', spare_pct: 'spare_pct', shortfall: 'shortfall', margin_shortfall: 'margin_shortfall' };
    const featureIds = new Map();
    const idsOf = (layerId) => {
      if (!featureIds.has(layerId)) featureIds.set(layerId, api.areas(layerId).then((list) => new Map(list.map((a) => [String(a.code), a.id]))));
      return featureIds.get(layerId);
    };
    let planAnswer = null;
    let drawn = '';
    refreshPlan = async () => {
      const metric = layer.metrics.find((m) => m.id === state.metric);
      const field = metric && PLANNED[metric.id];
      const key = planAnswer && field && layer.kind !== 'schools' ? `${planAnswer.id}|${layer.id}|${state.phase}|${state.year}|${field}` : '';
      const badge = $('plan-badge');
      badge.hidden = !planAnswer;
      if (planAnswer) {
        badge.textContent = `PLAN: ${planAnswer.name}`;
        badge.title = field ? 'The map shows the plan\'s figures; the panel shows the data as it is' : 'This measure is not changed by a plan: the map shows the data as it is';
      }
      if (key === drawn) return;
      drawn = key;
      if (!key) {
        view.planValues(layer.id, null);
        view.colour(layer, metric, state.phase, state.year, { type: state.stype, ofsted: state.ofsted });
        return;
      }
      try {
        const q = `layer=${encodeURIComponent(layer.id)}&phase=${encodeURIComponent(state.phase)}&year=${state.year}`;
        const [rows, ids] = await Promise.all([
          fetch(`api/plans/${planAnswer.id}/summary?${q}`).then((r) => (r.ok ? r.json() : [])),
          idsOf(layer.id),
        ]);
        if (drawn !== key) return;
        const values = new Map();
        for (const r of rows) if (ids.has(r.code) && r[field] !== null && r[field] !== undefined) values.set(ids.get(r.code), r[field]);
        view.planValues(layer.id, values);
        view.colour(layer, metric, state.phase, state.year, { type: state.stype, ofsted: state.ofsted });
        document.body.dataset.planDrawn = key;
      } catch (e) {
        console.warn('plan figures', e);
      }
    };
    editor = new PlanEditor($('plan-section'), {
      years,
      schoolName: (urn) => names.get(String(urn)) || `URN ${urn}`,
      rule: { operating_margin: meta.dataset.operating_margin, bands: meta.dataset.bands, yields: meta.dataset.yields },
      onPlan: (answer) => {
        planAnswer = answer;
        planName = answer ? answer.name : 'plan';
        state.plan = answer ? answer.id : undefined;
        writeState(state);
        drawPlanSchools(map, answer);
        refreshPlan();
        refreshPlanProfile();
      },
    });
    $('plan-section').hidden = false;
    if (state.plan) editor.fromLink(state.plan);
  }

  const tooltip = $('tooltip');
  map.on('mousemove', (e) => {
    const ids = view.interactive(state.layer, state.schools);
    const f = ids.length ? map.queryRenderedFeatures(e.point, { layers: ids })[0] : null;
    if (!f) {
      view.hover(null);
      tooltip.hidden = true;
      map.getCanvas().style.cursor = '';
      return;
    }
    view.hover(f.sourceLayer, f.id);
    map.getCanvas().style.cursor = 'pointer';
    const l = meta.layers.find((x) => x.id === f.sourceLayer);
    const m = l.id === state.layer ? l.metrics.find((x) => x.id === state.metric) : l.metrics[0];
    let valueText = '';
    if (f.properties.mainstream === false) {
      valueText = `${esc(f.properties.type || 'Establishment')}: does not count for places`;
    } else if (m) {
      const prop = propertyFor(m, state.phase, state.year);
      const legendLabel = m.kind === 'categorical' ? (m.legend.find((x) => x.value === f.properties[prop]) || {}).label : null;
      valueText = `${esc(m.name)}: ${esc(legendLabel || metricValue(m, f.properties[prop]))}`;
      // The status in words too, so that colour is never the only cue.
      const statusProp = `status_${state.phase}_${state.year}`;
      const st = f.properties[statusProp];
      if (st && m.id !== 'status') valueText += `<br>Status ${esc(academicYear(state.year))}: ${esc(st)}`;
    }
    tooltip.innerHTML = `<strong>${esc(f.properties.name)}</strong><br>${valueText}`;
    const rect = map.getContainer().getBoundingClientRect();
    tooltip.style.left = `${rect.left + e.point.x + 14}px`;
    tooltip.style.top = `${rect.top + e.point.y + 14}px`;
    tooltip.hidden = false;
  });
  map.on('mouseout', () => { view.hover(null); tooltip.hidden = true; });
  map.on('click', (e) => {
    const ids = view.interactive(state.layer, state.schools);
    const f = ids.length ? map.queryRenderedFeatures(e.point, { layers: ids })[0] : null;
    if (f) select(f.sourceLayer, String(f.properties.code));
    if (!editor) return;
    const schoolsLayer = meta.layers.find((l) => l.kind === 'schools');
    if (f && schoolsLayer && f.sourceLayer === schoolsLayer.id) editor.pickSchool(String(f.properties.code));
    if (editor.placing()) {
      fetch(`api/bng?lon=${e.lngLat.lng}&lat=${e.lngLat.lat}`).then((r) => r.json()).then((p) => {
        if (p.easting !== undefined) editor.place(p);
      }).catch(() => {});
    }
  });
  map.on('moveend', () => { state.map = mapPosition(map); writeState(state); });
  map.on('error', (e) => console.warn('map error', e && e.error ? e.error.message : e));

  window.placeplan = { map, state, meta, view, editor };
  map.on('load', () => {
    // The folded credit starts folded on a phone (MapLibre opens it at first).
    if (small.matches) for (const el of document.querySelectorAll('.maplibregl-ctrl-attrib.maplibregl-compact-show')) el.classList.remove('maplibregl-compact-show');
    apply();
    if (state.sel) {
      const [l, code] = state.sel.split('/');
      // Framed beside the panel, unless the link also says where the map was.
      if (l && code) select(l, code, { fly: !pos });
    }
    map.once('idle', () => { document.body.dataset.mapReady = 'true'; });
  });
  window.addEventListener('hashchange', () => {
    const s = readState();
    const before = state.sel;
    Object.assign(state, s);
    apply();
    if (s.sel && s.sel !== before) {
      const [l, code] = s.sel.split('/');
      select(l, code, { fly: true });
    }
  });
  void selLayer;
}

start();

// The map's layers: which one is shown, what it is coloured by, and hover and selection
// through MapLibre feature-state. Style layer ids follow the server's style:
// `{id}-fill`, `{id}-line`, `{id}-highlight` for areas and `{id}-circle` for schools.

/** A filter keeping the schools open in academic `year` (tile properties `opens`, `closes`). */
export function openIn(year) {
  return ['all',
    ['any', ['!', ['has', 'opens']], ['<=', ['get', 'opens'], year]],
    ['any', ['!', ['has', 'closes']], ['>', ['get', 'closes'], year]]];
}

/** Schools open in `year` that count in `phase` (tile property `phases`, e.g. `primary,secondary`),
 * of establishment type `type` and Ofsted rating `ofsted` when those are given. */
export function schoolsShown(phase, year, { type, ofsted } = {}) {
  const out = ['all', openIn(year), ['in', phase, ['coalesce', ['get', 'phases'], '']]];
  if (type) out.push(['==', ['get', 'type'], type]);
  if (ofsted === 'no rating') out.push(['!', ['has', 'ofsted']]);
  else if (ofsted) out.push(['==', ['get', 'ofsted'], ofsted]);
  return out;
}

/** The tile property holding `metric` for a phase and year. */
export function propertyFor(metric, phase, year) {
  return metric.by_phase_year ? metric.property.replace('{phase}', phase).replace('{year}', String(year)) : metric.property;
}

/** A MapLibre colour expression for `metric` on `property` (the same as the server's styles).
 * `planned`: an area with a plan's figure (feature-state `plan`) is coloured by that instead. */
export function colorExpression(metric, property, planned = false) {
  const body = (get) => {
    if (metric.kind === 'categorical') {
      const out = ['match', get];
      for (const l of metric.legend) out.push(l.value, l.color);
      out.push(metric.no_data);
      return out;
    }
    const out = ['step', ['to-number', get], metric.legend[0].color];
    for (const l of metric.legend.slice(1)) out.push(l.value, l.color);
    return out;
  };
  const base = ['case', ['has', property], body(['get', property]), metric.no_data];
  if (!planned) return base;
  const plan = ['feature-state', 'plan'];
  return ['case', ['!=', plan, null], body(plan), base];
}

/** A ward layer (`kind` is `{"area": "ward"}` in /api/layers). */
export function isWard(l) {
  return Boolean(l.kind && l.kind.area === 'ward');
}

export class LayerView {
  constructor(map, meta) {
    this.map = map;
    this.meta = meta;
    this.hovered = null;
    this.selected = null;
  }

  layer(id) {
    return this.meta.layers.find((l) => l.id === id);
  }

  styleIds(layer) {
    return layer.kind === 'schools'
      ? [`${layer.id}-circle`, `${layer.id}-label`]
      : [`${layer.id}-fill`, `${layer.id}-line`, `${layer.id}-highlight`, `${layer.id}-label`];
  }

  /** The style layer that receives the colour and the clicks. */
  mainId(layer) {
    return layer.kind === 'schools' ? `${layer.id}-circle` : `${layer.id}-fill`;
  }

  /** Shows `activeId` (and the schools on top when `schoolsOn`, establishments that do not
   * count when `othersOn`, ward boundaries over another area layer when `wardsOn`); hides the rest. */
  show(activeId, schoolsOn, { wardsOn = false, othersOn = false } = {}) {
    const vis = (sid, on) => { if (this.map.getLayer(sid)) this.map.setLayoutProperty(sid, 'visibility', on ? 'visible' : 'none'); };
    const active = this.layer(activeId);
    for (const l of this.meta.layers) {
      const on = l.id === activeId || (l.kind === 'schools' && schoolsOn);
      for (const sid of this.styleIds(l)) {
        // The selected area keeps its outline when another layer is shown.
        const keep = this.selected && this.selected.layerId === l.id && sid.endsWith('-highlight');
        vis(sid, on || keep);
      }
      if (l.kind === 'schools') vis(`${l.id}-other`, on && othersOn);
      // The first ward layer's boundaries and names over a layer that is not wards.
      if (l === this.meta.layers.find(isWard) && l.id !== activeId) {
        const context = Boolean(wardsOn && active && !isWard(active));
        vis(`${l.id}-context`, context);
        vis(`${l.id}-label`, context);
      }
    }
  }

  /** Whether the dataset has a ward layer to draw over the others. */
  hasWards() {
    return this.meta.layers.some(isWard);
  }

  /** Colours `layer` by `metric` for `phase` and `year`. */
  colour(layer, metric, phase, year, filters = {}) {
    const id = this.mainId(layer);
    if (!this.map.getLayer(id) || !metric) return;
    const prop = propertyFor(metric, phase, year);
    const paint = layer.kind === 'schools' ? 'circle-color' : 'fill-color';
    const planned = Boolean(this.planned && this.planned.layerId === layer.id);
    this.map.setPaintProperty(id, paint, colorExpression(metric, prop, planned));
    // Only the schools of the phase on view, and a school a scenario opens or closes only in
    // the years it is open.
    if (layer.kind === 'schools') {
      const shown = schoolsShown(phase, year, filters);
      this.map.setFilter(id, shown);
      if (this.map.getLayer(`${layer.id}-label`)) this.map.setFilter(`${layer.id}-label`, shown);
    }
    return prop;
  }

  /** The style layers that answer the mouse. */
  interactive(activeId, schoolsOn) {
    const out = [];
    const schools = this.meta.layers.find((l) => l.kind === 'schools');
    if (schools && (schoolsOn || activeId === schools.id)) {
      out.push(this.mainId(schools));
      const other = `${schools.id}-other`;
      if (this.map.getLayer(other) && this.map.getLayoutProperty(other, 'visibility') === 'visible') out.push(other);
    }
    const active = this.layer(activeId);
    if (active && active.kind !== 'schools') out.push(this.mainId(active));
    return out.filter((id) => this.map.getLayer(id));
  }

  /** A feature for feature-state: its source is the style's (one per layer from a server, one
   * for every layer from a published site's archive), its source layer the layer's id. */
  target(layerId, featureId) {
    const l = this.layer(layerId);
    const styleLayer = l && this.map.getLayer(this.mainId(l));
    return { source: styleLayer ? styleLayer.source : layerId, sourceLayer: layerId, id: featureId };
  }

  /** Draws a plan's figures over `layerId`: `values` maps feature ids to the plan's value of
   * the metric on view (`null`: the data as it is again). */
  planValues(layerId, values) {
    if (this.planned) {
      for (const id of this.planned.ids) this.map.removeFeatureState(this.target(this.planned.layerId, id), 'plan');
    }
    this.planned = null;
    if (!values) return;
    for (const [id, v] of values) this.map.setFeatureState(this.target(layerId, id), { plan: v });
    this.planned = { layerId, ids: [...values.keys()] };
  }

  hover(layerId, featureId) {
    if (this.hovered && (this.hovered.layerId !== layerId || this.hovered.featureId !== featureId)) {
      this.map.setFeatureState(this.target(this.hovered.layerId, this.hovered.featureId), { hover: false });
      this.hovered = null;
    }
    if (layerId !== null && featureId !== undefined && featureId !== null) {
      this.map.setFeatureState(this.target(layerId, featureId), { hover: true });
      this.hovered = { layerId, featureId };
    }
  }

  select(layerId, featureId) {
    if (this.selected) this.map.setFeatureState(this.target(this.selected.layerId, this.selected.featureId), { selected: false });
    this.selected = null;
    if (layerId !== null && featureId !== undefined && featureId !== null) {
      this.map.setFeatureState(this.target(layerId, featureId), { selected: true });
      this.selected = { layerId, featureId };
    }
  }
}

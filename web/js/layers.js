// The map's layers: which one is shown, what it is coloured by, and hover and selection
// through MapLibre feature-state. Style layer ids follow the server's style:
// `{id}-fill`, `{id}-line`, `{id}-highlight` for areas and `{id}-circle` for schools.

/** A filter keeping the schools open in academic `year` (tile properties `opens`, `closes`). */
export function openIn(year) {
  return ['all',
    ['any', ['!', ['has', 'opens']], ['<=', ['get', 'opens'], year]],
    ['any', ['!', ['has', 'closes']], ['>', ['get', 'closes'], year]]];
}

/** Schools open in `year` that count in `phase` (tile property `phases`, e.g. `primary,secondary`). */
export function schoolsShown(phase, year) {
  return ['all', openIn(year), ['in', phase, ['coalesce', ['get', 'phases'], '']]];
}

/** The tile property holding `metric` for a phase and year. */
export function propertyFor(metric, phase, year) {
  return metric.by_phase_year ? metric.property.replace('{phase}', phase).replace('{year}', String(year)) : metric.property;
}

/** A MapLibre colour expression for `metric` on `property` (the same as the server's styles). */
export function colorExpression(metric, property) {
  const get = ['get', property];
  let body;
  if (metric.kind === 'categorical') {
    body = ['match', get];
    for (const l of metric.legend) body.push(l.value, l.color);
    body.push(metric.no_data);
  } else {
    body = ['step', ['to-number', get], metric.legend[0].color];
    for (const l of metric.legend.slice(1)) body.push(l.value, l.color);
  }
  return ['case', ['has', property], body, metric.no_data];
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
    return layer.kind === 'schools' ? [`${layer.id}-circle`] : [`${layer.id}-fill`, `${layer.id}-line`, `${layer.id}-highlight`];
  }

  /** The style layer that receives the colour and the clicks. */
  mainId(layer) {
    return layer.kind === 'schools' ? `${layer.id}-circle` : `${layer.id}-fill`;
  }

  /** Shows `activeId` (and the schools on top when `schoolsOn`); hides the rest. */
  show(activeId, schoolsOn) {
    for (const l of this.meta.layers) {
      const on = l.id === activeId || (l.kind === 'schools' && schoolsOn);
      for (const sid of this.styleIds(l)) {
        // The selected area keeps its outline when another layer is shown.
        const keep = this.selected && this.selected.layerId === l.id && sid.endsWith('-highlight');
        if (this.map.getLayer(sid)) this.map.setLayoutProperty(sid, 'visibility', on || keep ? 'visible' : 'none');
      }
    }
  }

  /** Colours `layer` by `metric` for `phase` and `year`. */
  colour(layer, metric, phase, year) {
    const id = this.mainId(layer);
    if (!this.map.getLayer(id) || !metric) return;
    const prop = layer.kind === 'schools' ? metric.property.replace('{year}', String(year)) : propertyFor(metric, phase, year);
    const paint = layer.kind === 'schools' ? 'circle-color' : 'fill-color';
    this.map.setPaintProperty(id, paint, colorExpression(metric, prop));
    // Only the schools of the phase on view, and a school a scenario opens or closes only in
    // the years it is open.
    if (layer.kind === 'schools') this.map.setFilter(id, schoolsShown(phase, year));
    return prop;
  }

  /** The style layers that answer the mouse. */
  interactive(activeId, schoolsOn) {
    const out = [];
    const schools = this.meta.layers.find((l) => l.kind === 'schools');
    if (schools && (schoolsOn || activeId === schools.id)) out.push(this.mainId(schools));
    const active = this.layer(activeId);
    if (active && active.kind !== 'schools') out.push(this.mainId(active));
    return out.filter((id) => this.map.getLayer(id));
  }

  target(layerId, featureId) {
    return { source: layerId, sourceLayer: layerId, id: featureId };
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

// A vector basemap under the layers: any MapLibre style (OS Vector Tile API, Protomaps,
// OpenFreeMap …) merged below placeplan's own style. Its sources and layers are renamed
// `basemap:…`, its relative URLs resolved against its own address, and its names drawn with
// placeplan's glyphs (one glyph server per style), in the built-in font of the same weight.

const PREFIX = 'basemap:';

/** Whether a style layer belongs to the basemap (vector or raster). */
export function isBasemapLayer(id) {
  return id === 'basemap' || id.startsWith(PREFIX);
}

function absolute(u, base) {
  try { return new URL(u, base).href; } catch { return u; }
}

/** `ours` (placeplan's style) drawn over `theirs` (fetched from `url`). */
export function mergeBasemap(ours, theirs, url) {
  const sources = {};
  for (const [id, src] of Object.entries(theirs.sources || {})) {
    const s = { ...src };
    if (typeof s.url === 'string' && !s.url.startsWith('pmtiles:')) s.url = absolute(s.url, url);
    if (Array.isArray(s.tiles)) s.tiles = s.tiles.map((t) => (t.includes('{') ? t.replace(/^[^{]*/, (head) => absolute(head, url)) : absolute(t, url)));
    if (typeof s.data === 'string') s.data = absolute(s.data, url);
    sources[PREFIX + id] = s;
  }
  const bold = /bold|semibold|black|heavy/i;
  const layers = (theirs.layers || []).map((l) => {
    const out = { ...l, id: PREFIX + l.id };
    if (l.source) out.source = PREFIX + l.source;
    if (l.layout && l.layout['text-font']) {
      const fonts = JSON.stringify(l.layout['text-font']);
      out.layout = { ...l.layout, 'text-font': [bold.test(fonts) ? 'Noto Sans Bold' : 'Noto Sans Regular'] };
    }
    return out;
  });
  let sprite = theirs.sprite;
  if (typeof sprite === 'string') sprite = absolute(sprite, url);
  else if (Array.isArray(sprite)) sprite = sprite.map((s) => ({ ...s, url: absolute(s.url, url) }));
  return {
    ...ours,
    ...(sprite ? { sprite } : {}),
    sources: { ...sources, ...ours.sources },
    // Their background and everything else first; ours (without its plain background) on top.
    layers: [...layers, ...ours.layers.filter((l) => l.id !== 'background')],
  };
}

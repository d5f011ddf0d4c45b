// Permalinks: the view lives in the URL hash (#layer=…&metric=…&phase=…&year=…&sel=…&map=z/lat/lon),
// so a copied link restores the layer, phase, year, selection and map position.

const KEYS = ['layer', 'metric', 'phase', 'year', 'sel', 'map', 'wards', 'others', 'stype', 'ofsted', 'basemap', 'plan'];
/** Keys holding a yes/no, written as 1/0. */
const FLAGS = ['wards', 'others', 'basemap'];

/** Reads the state from the current hash. */
export function readState() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const out = {};
  for (const k of KEYS) if (p.has(k)) out[k] = p.get(k);
  if (out.year !== undefined) out.year = Number.parseInt(out.year, 10);
  for (const k of FLAGS) if (out[k] !== undefined) out[k] = out[k] === '1';
  return out;
}

/** Writes the state into the hash without adding history entries. */
export function writeState(state) {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    if (FLAGS.includes(k)) { if (typeof state[k] === 'boolean') p.set(k, state[k] ? '1' : '0'); continue; }
    if (state[k] !== undefined && state[k] !== null && state[k] !== '') p.set(k, String(state[k]));
  }
  const hash = `#${p.toString()}`;
  if (hash !== location.hash) history.replaceState(null, '', hash);
}

/** "z/lat/lon" for a map. */
export function mapPosition(map) {
  const c = map.getCenter();
  return `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`;
}

/** Parses "z/lat/lon"; null when malformed. */
export function parsePosition(s) {
  const parts = (s || '').split('/').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
  return { zoom: parts[0], center: [parts[2], parts[1]] };
}

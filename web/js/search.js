// Search in a published site, where there is no server to ask: the same rules as the server's
// `/api/search` (src/server/search.rs) — wards, planning areas and schools by name or code,
// LSOAs by code, postcodes (the areas a postcode lies in) — over the area lists
// (api/layers/LAYER/areas.json) and the postcode files by outward code (api/postcodes/LS8.json).

/** Lower case, apostrophes dropped, `&` as the word "and", other punctuation as spaces. */
export function normalise(s) {
  return String(s)
    .replace(/&/g, ' and ')
    .replace(/['\u2018\u2019]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
function distance(a, b) {
  const x = [...a];
  const y = [...b];
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j += 1) d[0][j] = j;
  for (let i = 1; i <= x.length; i += 1) {
    for (let j = 1; j <= y.length; j += 1) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/** Every word of `q` starts a word of `name`, or is within one edit (two for 8 letters or more). */
function nearMiss(name, q) {
  const words = name.split(' ');
  return q.split(' ').every((t) => words.some((w) => {
    if (w.startsWith(t)) return true;
    const n = [...t].length;
    if (n < 4) return false;
    const allowed = n >= 8 ? 2 : 1;
    return distance(t, w) <= allowed || distance(t, [...w].slice(0, n).join('')) <= allowed;
  }));
}

/** 0 exact, 1 starts with, 2 a word starts with, 3 inside a word, 4 near miss; null: no match. */
export function matchRank(name, code, query) {
  const n = normalise(name);
  const q = normalise(query);
  if (!q) return null;
  const c = String(code).toLowerCase();
  if (c === q || n === q) return 0;
  if (n.startsWith(q) || c.startsWith(q)) return 1;
  if (n.includes(` ${q}`)) return 2;
  if (n.includes(q)) return 3;
  return nearMiss(n, q) ? 4 : null;
}

/** A postcode typed by a user as a key (`LS85BQ`), if it has a postcode's shape. */
export function postcodeKey(text) {
  const k = String(text).replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return /^[A-Z][A-Z0-9]{1,3}[0-9][A-Z]{2}$/.test(k) ? k : null;
}

let meta = null;
const lists = new Map();

async function areaList(layer, getJSON) {
  if (!lists.has(layer.id)) lists.set(layer.id, getJSON(`api/layers/${encodeURIComponent(layer.id)}/areas.json`));
  return lists.get(layer.id);
}

/** The longest query, as the server's (`MAX_QUERY`). */
const MAX_QUERY = 100;

/** The hits for `q`, as the server's `/api/search` answers them. */
export async function searchSite(q, limit, getJSON) {
  if (!q.trim() || [...q.trim()].length > MAX_QUERY) throw new Error(`search text must be 1 to ${MAX_QUERY} characters`);
  meta = meta || (await getJSON('api/layers.json'));
  const key = postcodeKey(q);
  if (key) {
    let file = {};
    try { file = await getJSON(`api/postcodes/${key.slice(0, -3)}.json`); } catch { /* no such outward code */ }
    const pc = file[key];
    if (!pc) return [];
    const hits = [];
    for (const [layerId, code] of pc.areas) {
      const layer = meta.layers.find((l) => l.id === layerId);
      if (!layer) continue;
      const area = (await areaList(layer, getJSON)).find((a) => a.code === code);
      hits.push({ layer: layerId, layer_title: layer.title, code, name: `${pc.label}: ${area ? area.name : code}`, point: pc.point, postcode: pc.label });
    }
    return hits.slice(0, limit);
  }
  const text = q.trim().toLowerCase();
  const found = [];
  for (const [li, layer] of meta.layers.entries()) {
    // LSOAs are found by code only: their names repeat the district name hundreds of times.
    const lsoa = layer.kind === 'lsoa';
    for (const a of await areaList(layer, getJSON)) {
      const rank = lsoa ? (a.code.toLowerCase() === text ? 0 : null) : matchRank(a.name, a.code, text);
      if (rank !== null) found.push({ rank, li, hit: { layer: layer.id, layer_title: layer.title, code: a.code, name: a.name } });
    }
  }
  found.sort((a, b) => a.rank - b.rank || a.li - b.li || (a.hit.name < b.hit.name ? -1 : a.hit.name > b.hit.name ? 1 : 0));
  return found.slice(0, limit).map((f) => f.hit);
}

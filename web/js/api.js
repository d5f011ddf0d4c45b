// The JSON API: one function per endpoint, and the addresses of pages and downloads. On a
// placeplan server they are its endpoints; on a published site (`placeplan publish`, the page's
// `placeplan-mode` is "static") the same answers are files beside index.html, and search runs
// here over the area lists and the postcode files (./search.js). Errors carry the server's message.

import { searchSite } from './search.js';

/** Whether the page is a published static site rather than a placeplan server. */
export const STATIC = document.querySelector('meta[name="placeplan-mode"]')?.content === 'static';

/** The site's root (the folder of index.html), as an absolute URL ending in "/". */
export const ROOT = new URL('.', document.baseURI).href;

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const missing = STATIC && res.status === 404 ? 'not in this published site' : `${res.status} ${res.statusText}`;
    throw new Error(body && body.message ? body.message : `${missing} (${url})`);
  }
  return body;
}

const enc = encodeURIComponent;
/** A code as a file name in a published site (`file_key` in src/publish/mod.rs). */
export const fileKey = (code) => {
  const key = String(code).replace(/[^A-Za-z0-9._~-]/gu, '_');
  return key.toLowerCase() === 'index' ? `${key}_` : key;
};

const server = {
  layers: () => getJSON('api/layers'),
  area: (layer, code, plan) => getJSON(`api/areas/${enc(layer)}/${enc(code)}${plan ? `?plan=${enc(plan)}` : ''}`),
  areas: (layer) => getJSON(`api/layers/${enc(layer)}/areas`),
  search: (q, limit = 8) => getJSON(`api/search?q=${enc(q)}&limit=${limit}`),
  explain: (layer, code, metric, phase, year) =>
    getJSON(`api/explain?layer=${enc(layer)}&code=${enc(code)}&metric=${enc(metric)}&phase=${enc(phase)}&year=${year}`),
};

// A published site has the calculation of spare places for every phase and year, one file per area.
const explained = new Map();
const site = {
  layers: () => getJSON('api/layers.json'),
  area: (layer, code) => getJSON(`api/areas/${enc(layer)}/${fileKey(code)}.json`),
  areas: (layer) => getJSON(`api/layers/${enc(layer)}/areas.json`),
  search: (q, limit = 8) => searchSite(q, limit, getJSON),
  explain: async (layer, code, metric, phase, year) => {
    if (metric !== 'spare_pct') throw new Error(`a published site explains spare places only, not ${metric}`);
    const url = `api/explain/${enc(layer)}/${fileKey(code)}.json`;
    if (!explained.has(url)) explained.set(url, getJSON(url));
    const all = await explained.get(url);
    const one = all[`${phase}|${year}`];
    if (!one) throw new Error(`no calculation for ${phase} ${year}`);
    return one;
  },
};

export const api = STATIC ? site : server;

/** A style document (a published site's, before its addresses are made absolute). */
export async function getStyle(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${r.status} ${r.statusText} for ${url}`);
  return r.json();
}

/**
 * Asks a tile archive for its first 16 kB. A host that answers range requests sends just those
 * (`null` back); one that does not sends the whole archive, which is returned to be read from
 * memory.
 */
export async function probeArchive(url) {
  const r = await fetch(url, { headers: { Range: 'bytes=0-16383' } });
  if (!r.ok) throw new Error(`${r.status} ${r.statusText} for ${url}`);
  const body = await r.arrayBuffer();
  return r.status === 200 ? body : null;
}

/** The addresses the panel links to, relative to the site's root. */
export const href = STATIC
  ? {
      wardPage: (layer, code) => `ward/${enc(layer)}/${fileKey(code)}.html`,
      download: (level, layer, format) => `downloads/${enc(layer)}/${level}.${format}`,
      geojson: (layer) => `downloads/${enc(layer)}.geojson`,
      profile: (layer, code) => (layer ? `api/areas/${enc(layer)}/${fileKey(code)}.json` : 'api/layers.json'),
    }
  : {
      wardPage: (layer, code, plan) => `ward/${enc(code)}?layer=${enc(layer)}${plan ? `&plan=${enc(plan)}` : ''}`,
      download: (level, layer, format) => `api/export?level=${level}&layer=${enc(layer)}&format=${format}`,
      geojson: (layer) => `api/layers/${enc(layer)}/geojson`,
      profile: (layer, code) => (layer ? `api/areas/${enc(layer)}/${enc(code)}` : 'api/layers'),
    };

// The JSON API: one function per endpoint. Errors carry the server's message.

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    throw new Error(body && body.message ? body.message : `${res.status} ${res.statusText} for ${url}`);
  }
  return body;
}

const enc = encodeURIComponent;

export const api = {
  layers: () => getJSON('/api/layers'),
  area: (layer, code) => getJSON(`/api/areas/${enc(layer)}/${enc(code)}`),
  areas: (layer) => getJSON(`/api/layers/${enc(layer)}/areas`),
  search: (q, limit = 8) => getJSON(`/api/search?q=${enc(q)}&limit=${limit}`),
  explain: (layer, code, metric, phase, year) =>
    getJSON(`/api/explain?layer=${enc(layer)}&code=${enc(code)}&metric=${enc(metric)}&phase=${enc(phase)}&year=${year}`),
};

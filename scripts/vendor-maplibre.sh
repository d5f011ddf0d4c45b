#!/usr/bin/env bash
# Vendors MapLibre GL JS (ESM build) from the npm registry into web/vendor/maplibre-gl/ and
# records the version, the npm integrity string and a SHA-256 of every file in VERSION.md.
# Usage: scripts/vendor-maplibre.sh [VERSION]   (default: the version in web/vendor/maplibre-gl/VERSION.md)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/web/vendor/maplibre-gl"
version="${1:-$(sed -n 's/^version: //p' "$dest/VERSION.md" 2>/dev/null || true)}"
version="${version:-6.17.0}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "maplibre-gl@$version" >/dev/null )
tgz="$tmp/maplibre-gl-$version.tgz"
integrity="$(npm view "maplibre-gl@$version" dist.integrity)"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
[ "$got" = "$integrity" ] || { echo "integrity mismatch: $got vs $integrity" >&2; exit 1; }
tar -xzf "$tgz" -C "$tmp"
mkdir -p "$dest"
for f in maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl.css; do cp "$tmp/package/dist/$f" "$dest/$f"; done
cp "$tmp/package/LICENSE.txt" "$dest/LICENSE.txt"
{
  echo "# MapLibre GL JS, vendored"
  echo
  echo "package: maplibre-gl (npm), BSD-3-Clause (LICENSE.txt)"
  echo "version: $version"
  echo "npm integrity: $integrity"
  echo "files: dist/maplibre-gl.mjs, dist/maplibre-gl-worker.mjs, dist/maplibre-gl.css, LICENSE.txt (the ESM build; the"
  echo "main module loads maplibre-gl-worker.mjs from beside itself, so no CDN and no bundler)"
  echo "refresh: scripts/vendor-maplibre.sh [VERSION]"
  echo
  echo "sha256:"
  ( cd "$dest" && sha256sum maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl.css LICENSE.txt | sed 's/^/    /' )
} > "$dest/VERSION.md"
echo "vendored maplibre-gl $version into $dest"

#!/usr/bin/env bash
# Vendors a browser library from the npm registry into web/vendor/PACKAGE/, checks the tarball
# against the registry's integrity string, and records the version, that string and a SHA-256 of
# every file in VERSION.md.
# Usage: scripts/vendor.sh maplibre-gl|pmtiles [VERSION]   (default: the version in its VERSION.md)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
pkg="${1:?usage: scripts/vendor.sh maplibre-gl|pmtiles [VERSION]}"
dest="$here/web/vendor/$pkg"
case "$pkg" in
  maplibre-gl)
    files="dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt"
    default=6.17.0
    note="the ESM build; the main module loads maplibre-gl-worker.mjs from beside itself, so no CDN and no bundler"
    ;;
  pmtiles)
    # The npm package carries no licence file: LICENSE.txt is the upstream repository's (BSD-3-Clause).
    files="dist/pmtiles.js"
    default=4.5.0
    note="the self-contained browser build (fflate inside), loaded as a classic script by a published site"
    ;;
  *) echo "unknown package $pkg (maplibre-gl or pmtiles)" >&2; exit 2 ;;
esac
version="${2:-$(sed -n 's/^version: //p' "$dest/VERSION.md" 2>/dev/null || true)}"
version="${version:-$default}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null )
tgz="$tmp/$pkg-$version.tgz"
integrity="$(npm view "$pkg@$version" dist.integrity)"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
[ "$got" = "$integrity" ] || { echo "integrity mismatch: $got vs $integrity" >&2; exit 1; }
tar -xzf "$tgz" -C "$tmp"
license="$(node -p "require('$tmp/package/package.json').license")"
mkdir -p "$dest"
names=""
for f in $files; do cp "$tmp/package/$f" "$dest/$(basename "$f")"; names="$names $(basename "$f")"; done
[ -f "$dest/LICENSE.txt" ] && case " $names " in *" LICENSE.txt "*) ;; *) names="$names LICENSE.txt" ;; esac
{
  echo "# $pkg, vendored"
  echo
  echo "package: $pkg (npm), $license (LICENSE.txt)"
  echo "version: $version"
  echo "npm integrity: $integrity"
  echo "files: $files ($note)"
  echo "refresh: scripts/vendor.sh $pkg [VERSION]"
  echo
  echo "sha256:"
  ( cd "$dest" && sha256sum $names | sed 's/^/    /' )
} > "$dest/VERSION.md"
echo "vendored $pkg $version into $dest"

#!/usr/bin/env bash
# Vendor the board's front-end assets from npm into the package, so nothing loads from the
# internet at run time: the NHS.UK design system (CSS, JS, icons) and htmx.
#
# Usage: scripts/build-static.sh        (from anywhere; needs node + npm)
# Output: src/nearhome/web/static/nhsuk/  (git-ignored; rebuilt by the Makefile)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/src/nearhome/web/static/nhsuk"
cd "$root"

npm ci --no-audit --no-fund --loglevel=error

nhsuk="$root/node_modules/nhsuk-frontend/dist/nhsuk"
htmx="$root/node_modules/htmx.org/dist"
for needed in "$nhsuk/nhsuk-frontend.min.css" "$nhsuk/nhsuk-frontend.min.js" "$htmx/htmx.min.js"; do
  if [[ ! -f "$needed" ]]; then
    echo "build-static: $needed is missing after npm ci" >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out/assets"
cp -R "$nhsuk/assets/images" "$out/assets/images"
cp "$nhsuk/nhsuk-frontend.min.js" "$out/nhsuk-frontend.min.js"
cp "$htmx/htmx.min.js" "$out/htmx.min.js"

# The stylesheet asks for the Frutiger web font from the NHS CDN and for icons at /assets/.
# Drop the remote @font-face rules (the font stack falls back to Arial, as NHS.UK does
# offline) and point the icon URLs at the vendored copies.
sed -E \
  -e 's#@font-face\{[^}]*https?://[^}]*\}##g' \
  -e 's#url\(/assets/#url(/static/nhsuk/assets/#g' \
  "$nhsuk/nhsuk-frontend.min.css" > "$out/nhsuk-frontend.min.css"

if grep -Eq 'https?://' "$out/nhsuk-frontend.min.css"; then
  echo "build-static: the stylesheet still references the internet" >&2
  exit 1
fi

versions="nhsuk-frontend $(node -p "require('$root/node_modules/nhsuk-frontend/package.json').version")"
versions="$versions, htmx.org $(node -p "require('$root/node_modules/htmx.org/package.json').version")"
echo "$versions" > "$out/VERSION"
echo "build-static: $versions -> ${out#"$root"/}"

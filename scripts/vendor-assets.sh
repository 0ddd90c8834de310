#!/usr/bin/env bash
# Refresh static/vendor from the npm packages pinned in package.json / package-lock.json.
# The copies are committed so that `make run` needs no Node.js; this script is how they are updated.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
dest=static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/signature_pad/dist/signature_pad.umd.min.js "$dest/signature_pad.umd.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chart.umd.min.js"
# The source maps are not vendored, so their references go: a reference to a missing file makes the production
# collectstatic (hashed names, ManifestStaticFilesStorage) fail, and with no manifest every page answers 500.
sed -i -E 's~//# sourceMappingURL=[^[:space:]]*~~' "$dest"/*.js
if grep -l "sourceMappingURL" "$dest"/*.js; then echo "a vendored file still references a source map"; exit 1; fi
for pkg in htmx.org signature_pad chart.js; do
  node -e "const p=require('./node_modules/$pkg/package.json'); console.log(p.name+'@'+p.version+' '+p.license)"
done > "$dest/VERSIONS.txt"
cat "$dest/VERSIONS.txt"

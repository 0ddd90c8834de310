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
for pkg in htmx.org signature_pad chart.js; do
  node -e "const p=require('./node_modules/$pkg/package.json'); console.log(p.name+'@'+p.version+' '+p.license)"
done > "$dest/VERSIONS.txt"
cat "$dest/VERSIONS.txt"

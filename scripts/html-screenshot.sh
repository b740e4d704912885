#!/usr/bin/env bash
# Renders the HTML report of a tree in headless Chromium and saves a screenshot, to look at it.
#
#   scripts/html-screenshot.sh [PATH] [OUT.png]      (default: fixtures/demo, target/report.png)
#
# Needs Debian's chromium (apt-get install chromium). The page is self-contained: Chromium runs
# with networking features off, and the report has no scripts and no external resources.
set -euo pipefail
cd "$(dirname "$0")/.."
path="${1:-fixtures/demo}"
out="${2:-target/report.png}"
html="target/report.html"
cargo run --quiet -- scan "$path" --format html --output "$html" --quiet
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --window-size=1200,1800 --screenshot="$out" "file://$PWD/$html" 2>/dev/null
echo "wrote $out"

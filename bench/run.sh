#!/usr/bin/env bash
# Times `lockin scan` on the pinned benchmark corpus (real AI packages from PyPI and npm).
#
#   bench/run.sh [full|medium] [ROUNDS]
#
# Builds the corpus with the shared make-corpus.sh into .bench-cache/ (git-ignored), builds the
# release binary, and prints CPU seconds (user+sys), wall seconds, peak RSS and the finding count
# of each round. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-full}"
rounds="${2:-3}"
shared="${LOCKIN_SHARED:-../shared}"
cache=.bench-cache

bash "$shared/bench/make-corpus.sh" "$cache" "$size" >/dev/null
cargo build --release --quiet
corpus="$cache/$size"
echo "corpus: $corpus ($(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1))"
echo "round  cpu_s  wall_s  rss_mb  findings  files_scanned"
for i in $(seq 1 "$rounds"); do
  /usr/bin/time -f "%U %S %e %M" -o "$cache/time.txt" \
    ./target/release/lockin scan "$corpus" --format json --output "$cache/report.json" --quiet
  read -r user sys wall rss < "$cache/time.txt"
  counts=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['findings']), d['summary']['files_scanned'])" "$cache/report.json")
  awk -v i="$i" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" -v c="$counts" \
    'BEGIN { printf "%5d  %5.1f  %6.1f  %6.0f  %s\n", i, u + s, w, r / 1024, c }'
done

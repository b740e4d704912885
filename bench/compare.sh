#!/usr/bin/env bash
# Compares lockin with its peers on the pinned benchmark corpus, interleaved, on this machine.
#
#   bench/compare.sh [full|medium] [ROUNDS] [TOOL...]
#
# Tools: lockin (cold: --no-cache), lockin-cached (an unchanged re-scan with the result cache),
# lockin-noprefilter (every file parsed, every rule tried), rg-floor (ripgrep, one alternation of
# vendor words), rg-rules (ripgrep, the 17 regexes of the 12 concepts), ast-grep and semgrep
# (the same 12 concepts, rules in bench/peer-rules/). Default: all but semgrep on full (about
# 1,000 CPU seconds there), all on medium.
#
# Builds the corpus with ../shared/bench/make-corpus.sh into .bench-cache/ and installs the peers
# from the registries into .bench-cache/peers/ (ripgrep with cargo, ast-grep-cli and semgrep with
# pip in a venv), all git-ignored. Prints, per tool, the median CPU seconds (user+sys), wall
# seconds, peak RSS and findings, and checks that lockin's findings, blast radius and plan are
# identical with and without the prefilter and the cache. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
ext='py,pyi,js,jsx,mjs,cjs,ts,tsx,mts,cts'
floor_re='openai|anthropic|genai|generativeai|vertexai|bedrock|gpt-4|gpt-3\.5|claude-|gemini-|api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com|OPENAI_API_KEY|ANTHROPIC_API_KEY|chat\.completions\.create|messages\.create|generate_?[cC]ontent|input_schema'
rules=bench/peer-rules
peers=.bench-cache/peers
lockin=./target/release/lockin

run_tool() { # tool outfile (corpus and out from the environment)
  local rg=("$peers/cargo/bin/rg" --type-add "src:*.{$ext}" -t src --no-messages)
  case "$1" in
    lockin) "$lockin" scan "$corpus" --format json --output "$2" --quiet --no-cache ;;
    lockin-cached) "$lockin" scan "$corpus" --format json --output "$2" --quiet --cache-dir "$out/lockin-cache" ;;
    lockin-noprefilter) "$lockin" scan "$corpus" --format json --output "$2" --quiet --no-cache --no-prefilter ;;
    rg-floor) "${rg[@]}" -c -e "$floor_re" "$corpus" > "$2" || true ;;
    rg-rules) "${rg[@]}" -n --no-heading -f "$rules/rg-patterns.txt" "$corpus" > "$2" || true ;;
    ast-grep) "$peers/venv/bin/ast-grep" scan -c "$rules/ast-grep/sgconfig.yml" --json=stream "$corpus" > "$2" || true ;;
    # Without --x-ignore-semgrepignore-files semgrep skips tests/, dist/, build/ (~13% of the
    # corpus); its 1 MB file limit and 5 s rule timeout are kept (what a user gets).
    semgrep) "$peers/venv/bin/semgrep" scan --metrics=off --disable-version-check --quiet \
               --x-ignore-semgrepignore-files --no-git-ignore --config "$rules/semgrep.yml" --json -o "$2" "$corpus" || true ;;
    *) echo "unknown tool $1" >&2; exit 2 ;;
  esac
}

# One timed run: the script calls itself under /usr/bin/time.
if [ "${1:-}" = --run ]; then
  run_tool "$2" "$3"
  exit 0
fi

size="${1:-full}"
rounds="${2:-3}"
shift $(( $# < 2 ? $# : 2 ))
tools=("$@")
if [ ${#tools[@]} -eq 0 ]; then
  tools=(lockin lockin-cached lockin-noprefilter rg-floor rg-rules ast-grep)
  [ "$size" = medium ] && tools+=(semgrep)
fi
shared="${LOCKIN_SHARED:-../shared}"
cache=.bench-cache
out="$cache/compare-$size"
mkdir -p "$out" "$peers"

bash "$shared/bench/make-corpus.sh" "$cache" "$size" >/dev/null
corpus="$(cd "$cache/$size" && pwd)"
export corpus out
cargo build --release --quiet

need_tool() { # tool -> installs what it needs
  case "$1" in
    rg-*)
      [ -x "$peers/cargo/bin/rg" ] || (root="$(pwd)/$peers/cargo" && cd "${TMPDIR:-/tmp}" && cargo install --quiet ripgrep --root "$root") ;;
    ast-grep|semgrep)
      [ -x "$peers/venv/bin/pip" ] || python3 -m venv "$peers/venv"
      [ -x "$peers/venv/bin/ast-grep" ] || "$peers/venv/bin/pip" install --quiet ast-grep-cli
      if [ "$1" = semgrep ]; then
        [ -x "$peers/venv/bin/semgrep" ] || "$peers/venv/bin/pip" install --quiet semgrep
      fi ;;
  esac
}

findings() { # tool outfile
  case "$1" in
    lockin*) python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$2" ;;
    rg-floor) awk -F: '{s+=$NF} END {print s+0}' "$2" ;;
    rg-rules|ast-grep) wc -l < "$2" | tr -d ' ' ;;
    semgrep) python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$2" ;;
  esac
}

for t in "${tools[@]}"; do need_tool "$t"; done
# The cached runs measure an unchanged re-scan: fill the cache first.
if printf '%s\n' "${tools[@]}" | grep -qx lockin-cached; then
  rm -rf "$out/lockin-cache"
  run_tool lockin-cached "$out/warm.json"
fi

results="$out/results.tsv"
printf 'tool\tround\tcpu_s\twall_s\trss_kb\tfindings\n' > "$results"
for r in $(seq 1 "$rounds"); do
  for t in "${tools[@]}"; do
    /usr/bin/time -f "%U %S %e %M" -o "$out/time.txt" bash "$0" --run "$t" "$out/$t.json"
    read -r user sys wall rss < "$out/time.txt"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$wall" "$rss" \
      "$(findings "$t" "$out/$t.json")" >> "$results"
    echo "round $r: $t done" >&2
  done
done

echo "corpus: $size ($(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1)), $rounds rounds, medians"
awk -F'\t' 'NR > 1 { c[$1] = c[$1] " " $3; w[$1] = w[$1] " " $4; m[$1] = m[$1] " " $5; f[$1] = $6; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  function med(s,  a, k, i, j, t) { k = split(s, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
  END { printf "%-20s %8s %8s %9s %9s\n", "tool", "cpu_s", "wall_s", "rss_MB", "findings"
        for (i = 1; i <= n; i++) { k = order[i]; printf "%-20s %8.2f %8.2f %9.0f %9s\n", k, med(c[k]), med(w[k]), med(m[k]) / 1024, f[k] } }' "$results"

# lockin's own results must not depend on the prefilter or the cache.
lockin_outs=()
for t in lockin lockin-cached lockin-noprefilter; do
  [ -f "$out/$t.json" ] && printf '%s\n' "${tools[@]}" | grep -qx "$t" && lockin_outs+=("$out/$t.json")
done
if [ ${#lockin_outs[@]} -gt 1 ]; then
  python3 - "${lockin_outs[@]}" <<'EOF'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
for key in ("findings", "blast_radius", "plan", "score"):
    same = all(d[key] == docs[0][key] for d in docs[1:])
    print(f"lockin {key}: {'identical' if same else 'DIFFERENT'} across {len(docs)} modes")
    if not same:
        sys.exit(1)
EOF
fi

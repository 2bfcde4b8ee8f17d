#!/usr/bin/env bash
# template.sh -- renders per second of bundlegen's engine vs mustache.js, Handlebars and a memcpy floor,
# all measured in this run on bench/template/appendix-a.mustache, interleaved over 3 rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/bench_tmpl >/dev/null
B=build/bench_tmpl; D=bench/template
T=$D/appendix-a.mustache; TJ=$D/appendix-a.js.mustache; DATA=$D/data.json

# the engines must agree byte for byte before their speed means anything
ours=$($B text $T $DATA --print | sha256sum); floor=$($B floor $T $DATA --print | sha256sum)
mu=$(node $D/bench_js.js mustache $T $DATA --print | sha256sum); hb=$(node $D/bench_js.js handlebars $T $DATA --print | sha256sum)
if [ "$ours" != "$floor" ] || [ "$ours" != "$mu" ] || [ "$ours" != "$hb" ]; then
  echo "template bench: outputs differ between engines" >&2; exit 1
fi
tmp=$(mktemp --suffix=.js); trap 'rm -f "$tmp"' EXIT
$B js $TJ $DATA --print > "$tmp"
node --check "$tmp" || { echo "template bench: JS-escaped output does not parse" >&2; exit 1; }

declare -A best
for round in 1 2 3; do
  for c in "ours-text:$B text $T $DATA" "ours-js:$B js $TJ $DATA" "floor:$B floor $T $DATA" \
           "mustache.js:node $D/bench_js.js mustache $T $DATA" "handlebars:node $D/bench_js.js handlebars $T $DATA"; do
    name=${c%%:*}; r=$(${c#*:})
    if [ -z "${best[$name]:-}" ] || [ "$r" -gt "${best[$name]}" ]; then best[$name]=$r; fi
  done
done
echo "== template engine: appendix-a.mustache ($(wc -c <$T) bytes of JS, 34 interpolations, 8-item loop), renders/s, best of 3 rounds"
for n in floor ours-text ours-js handlebars mustache.js; do printf '  %-12s %12s\n' "$n" "${best[$n]}"; done
awk -v o="${best[ours-text]}" -v oj="${best[ours-js]}" -v f="${best[floor]}" -v m="${best[mustache.js]}" -v h="${best[handlebars]}" 'BEGIN {
  printf "  ours (text) / mustache.js : %6.1fx   (goal >= 10x)\n", o / m
  printf "  ours (text) / Handlebars  : %6.1fx\n", o / h
  printf "  ours (js escaping) / mustache.js : %6.1fx   (goal >= 5x)\n", oj / m
  printf "  floor / ours (text)       : %6.2fx   (goal <= 1.5x)\n", f / o
  printf "  floor / ours (js escaping): %6.2fx   (goal <= 2.5x)\n", f / oj
}'

# Instructions per render do not drift with the machine's load: callgrind counts N+1 renders and
# one render, and the difference over N is what one render costs (start-up cancels out).
if command -v valgrind >/dev/null && [ "${BENCH_CALLGRIND:-1}" != 0 ]; then
  per_render() {
    local mode=$1 t=$2 a b
    a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $B "$mode" "$t" $DATA --renders 1 2>&1 | sed -n 's/.*Collected : //p')
    b=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $B "$mode" "$t" $DATA --renders 201 2>&1 | sed -n 's/.*Collected : //p')
    echo $(( (b - a) / 200 ))
  }
  cf=$(per_render floor $T); ct=$(per_render text $T); cj=$(per_render js $TJ)
  echo "== template engine: instructions per render (callgrind)"
  printf '  %-12s %12s\n' floor "$cf" ours-text "$ct" ours-js "$cj"
  awk -v f="$cf" -v t="$ct" -v j="$cj" 'BEGIN {
    printf "  ours (text) / floor       : %6.2fx   (goal <= 1.5x)\n", t / f
    printf "  ours (js escaping) / floor: %6.2fx   (goal <= 2.5x)\n", j / f
  }'
fi

#!/usr/bin/env bash
# escape-roundtrip.sh -- renders the hostile corpus into every context of every language and parses each
# file with the real parser: node (sloppy and strict), lua5.1, luajit, python3, PyYAML, tomllib, xmllint, rustc.
set -u
cd "$(dirname "$0")/../.."
out=build/escape-roundtrip
rm -rf "$out"; mkdir -p "$out"
# The whole path through the engine (the Makefile builds it); ESCAPE_DIRECT=1 drives the lexer and
# escaper alone, as the engine does, compiled here from those five sources.
if [ -z "${ESCAPE_DIRECT:-}" ]; then
  if ! make -s --no-print-directory build/tests/render_corpus >"$out/build.err" 2>&1; then
    cat "$out/build.err"; echo "0 passed, 1 failed"; exit 1
  fi
  bin=build/tests/render_corpus
else
  bin=$out/render_corpus
  CC=${CC:-cc}
  flags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Icommon -Igenerator"
  srcs="generator/lexer.c generator/escape.c generator/buf.c generator/value.c generator/lang.c"
  pkgs="libcjson"
  objs=$(for f in $srcs; do echo "build/san/${f%.c}.o"; done)     # the sanitizer objects make test builds anyway
  # shellcheck disable=SC2086
  if ! make -s --no-print-directory $objs >"$out/build.err" 2>&1 ||
     ! $CC $flags $(pkg-config --cflags $pkgs) tests/escape/render_corpus.c $objs \
       -o "$bin" $(pkg-config --libs $pkgs) -lpthread -lm 2>>"$out/build.err"; then
    cat "$out/build.err"; echo "0 passed, 1 failed"; exit 1
  fi
fi
"$bin" tests/escape/cases.json tests/escape/corpus.json "$out" || { echo "0 passed, 1 failed"; exit 1; }

# run PARSER ID CMD...: one parser over one file, output in $out/ID.PARSER.{out,err,rc}
run() {
  local parser=$1 id=$2; shift 2
  timeout 120 "$@" >"$out/$id.$parser.out" 2>"$out/$id.$parser.err"; echo $? >"$out/$id.$parser.rc"
}
rust() {
  local id=$1
  if timeout 300 rustc --edition 2021 -o "$out/$id.bin" "$out/$id.rs" 2>"$out/$id.rustc.err"; then
    timeout 60 "$out/$id.bin" | sed 's/^/s/' >"$out/$id.rustc.out"; echo "${PIPESTATUS[0]}" >"$out/$id.rustc.rc"
  else
    : >"$out/$id.rustc.out"; echo 1 >"$out/$id.rustc.rc"
  fi
}
while IFS=$'\t' read -r id lang ext extract; do
  f="$out/$id.$ext"
  case $lang in
    js) run node "$id" node tests/escape/check.js "$f" & ;;
    lua) run lua5.1 "$id" lua5.1 tests/escape/check.lua "$f" & run luajit "$id" luajit tests/escape/check.lua "$f" & ;;
    rust) rust "$id" & ;;
    xml) run xmllint "$id" xmllint --noout "$f" & run etree "$id" python3 tests/escape/check.py "$id" xml "$f" & ;;
    *) run python3 "$id" python3 tests/escape/check.py "$id" "$lang" "$f" "$extract" & ;;
  esac
done < <(python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]: print("\t".join([c["id"], c["lang"], c["ext"], c.get("extract", "")]))' tests/escape/cases.json)
wait
python3 tests/escape/compare.py "$out" tests/escape/cases.json tests/escape/corpus.json

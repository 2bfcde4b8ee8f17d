#!/usr/bin/env bash
# render-cli.sh -- runs every case in tests/cli/render/: one directory per case, no code per case.
# A case holds template.EXT, optional data.json and args (extra arguments), and what to expect:
# expect.status (default 0), expect.out (exact stdout), expect.contains (a stdout line part),
# expect.err (a stderr part). The program runs under ASan + UBSan from the case's directory.
set -u
cd "$(dirname "$0")/../.."
bin=$PWD/build/san/bundlegen
[ -x "$bin" ] || make -s build/san/bundlegen >/dev/null
. tests/lib/suite.sh
for dir in tests/cli/render/*/; do
  name=$(basename "$dir")
  (
    cd "$dir" || exit 1
    tpl=$(ls template.* 2>/dev/null | head -1)
    args=(); [ -f args ] && read -r -a args < args
    set -- "${args[@]}"
    [ -n "$tpl" ] && [ "${1:-}" != "--help" ] && [ "${1:-}" != "does-not-exist.txt" ] && set -- "$tpl" "$@"
    [ -f data.json ] && set -- "$@" --data data.json
    "$bin" render "$@" >/tmp/render-cli.$$.out 2>/tmp/render-cli.$$.err
    rc=$?
    want=0; [ -f expect.status ] && want=$(cat expect.status)
    ok=1
    [ "$rc" = "$want" ] || { echo "  exit $rc, expected $want"; ok=0; }
    if [ -f expect.out ] && ! cmp -s expect.out /tmp/render-cli.$$.out; then
      echo "  stdout differs:"; diff expect.out /tmp/render-cli.$$.out | head -20; ok=0
    fi
    if [ -f expect.contains ] && ! grep -qF -- "$(cat expect.contains)" /tmp/render-cli.$$.out; then
      echo "  stdout lacks: $(cat expect.contains)"; ok=0
    fi
    if [ -f expect.err ] && ! grep -qF -- "$(cat expect.err)" /tmp/render-cli.$$.err; then
      echo "  stderr lacks: $(cat expect.err)"; echo "  stderr was: $(cat /tmp/render-cli.$$.err)"; ok=0
    fi
    if [ "$want" != 0 ] && [ -s /tmp/render-cli.$$.out ]; then echo "  a failing render printed output"; ok=0; fi
    if grep -q 'AddressSanitizer\|runtime error' /tmp/render-cli.$$.err; then echo "  sanitizer report"; ok=0; fi
    rm -f /tmp/render-cli.$$.out /tmp/render-cli.$$.err
    [ $ok = 1 ]
  ) >"$SUITE_LOG.case" 2>&1 && ok "$name" || bad "$name" "$SUITE_LOG.case"
done
rm -f "$SUITE_LOG.case"
suite_end

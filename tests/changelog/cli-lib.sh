# cli-lib.sh -- helpers sourced by tests/suites/changelog-cli.sh and release.sh: counted results,
# expect STATUS NAME CMD... (stdout in $out, stderr in $errf) and has NAME FILE TEXT.
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; [ -z "${2:-}" ] || sed 's/^/    /' "$2" | head -30; }
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }
expect() {
  local want=$1 name=$2; shift 2
  "$@" >"$out" 2>"$errf"; local rc=$?
  if [ $rc -eq "$want" ]; then ok "$name"; return 0; fi
  { echo "exit $rc, expected $want"; cat "$out" "$errf"; } >"$work/why"; bad "$name" "$work/why"; return 1
}
has() {
  if grep -qF -- "$3" "$2"; then ok "$1"; else { echo "missing: $3"; cat "$2"; } >"$work/why"; bad "$1" "$work/why"; fi
}

#!/usr/bin/env bash
# cloudformation.sh FILE -- release check "cloudformation": a CloudFormation / SAM template parses as
# YAML with a template version and typed resources, and cfn-lint (AWS's own linter, when installed:
# it is not in Debian or npm) reports nothing. Exit 0 when FILE passes; the output says why not.
set -euo pipefail
python3 - "$1" <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
if not isinstance(t, dict) or t.get("AWSTemplateFormatVersion") != "2010-09-09":
    sys.exit("no AWSTemplateFormatVersion 2010-09-09 at the top")
res = t.get("Resources")
if not isinstance(res, dict) or not res:
    sys.exit("no Resources")
for name, r in res.items():
    if not isinstance(r, dict) or not isinstance(r.get("Type"), str) or "::" not in r["Type"]:
        sys.exit(f"resource {name}: no Type")
PY
if command -v cfn-lint >/dev/null 2>&1; then
  cfn-lint -- "$1"
else
  echo "cfn-lint is not installed: structure checked only" >&2
fi

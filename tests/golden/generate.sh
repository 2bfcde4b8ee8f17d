#!/usr/bin/env bash
# generate.sh -- renders every connector with fixed parameters and unpacks each bundle into
# OUTDIR/<id>/, archives inside it too (the archive itself stays as OUTDIR/<id>.bundle only with --keep). `make golden` runs it
# on tests/golden; tests/suites/connectors-static.sh runs it on a temporary folder and compares.
# Usage: tests/golden/generate.sh OUTDIR [--keep] [PLATFORM...]
set -euo pipefail
out=$1; shift
keep=0; if [ "${1:-}" = --keep ]; then keep=1; shift; fi
bundlegen=${BUNDLEGEN:-build/bundlegen}
platforms=("$@"); [ ${#platforms[@]} -gt 0 ] || platforms=(akamai apigateway azion cloudflare cloudfront fastly apigee ibm-datapower kong)

common=(--endpoint https://node-a.example.com --endpoint https://node-b.example.com
        --set retries=1 --set skip_extensions=css,png,woff2
        --set token=golden-token-0123456789 --set real_ip_header=X-Client-IP)
page=(--set block_status=406 --set 'block_page=<html><body><h1>Blocked</h1><p>Ask "support" & quote it.</p></body></html>'
      --set fail_mode=closed --set fail_status=502 --set report_response=true)
fetch=(--set send_response_body=true --set response_body_limit=8k --set request_body_limit=32k)

mkdir -p "$out"
for id in "${platforms[@]}"; do
  case $id in
    cloudflare|azion|fastly) sets=("${page[@]}" "${fetch[@]}") ;;
    cloudfront) sets=("${page[@]}" --set connect_timeout=250ms --set request_body_limit=32k) ;;
    akamai) sets=("${page[@]}" --set request_body_limit=32k) ;;
    apigateway) sets=(--set connect_timeout=250ms --set fail_mode=closed --set mode=async) ;;
    apigee|ibm-datapower) sets=("${page[@]}" "${fetch[@]}") ;;
    kong) sets=("${page[@]}" "${fetch[@]}" --set connect_timeout=250ms) ;;
    *) echo "generate.sh: unknown platform $id" >&2; exit 2 ;;
  esac
  # Akamai awaits its response report within responseProvider's 8 s, which holds two exchanges of
  # 2 endpoints x 2 attempts only at a shorter timeout.
  if [ "$id" = akamai ]; then sets+=(--set request_timeout=400ms); else sets+=(--set request_timeout=750ms); fi
  # Apigee's JavaScript policy has no timer, so it has no retry_interval.
  [ "$id" = apigee ] || sets+=(--set retry_interval=50ms)
  bundle="$out/$id.bundle"
  "$bundlegen" generate "$id" "${common[@]}" "${sets[@]}" --out "$bundle" >/dev/null
  rm -rf "${out:?}/$id"
  tests/unpack.py "$bundle" "$out/$id"
  [ $keep = 1 ] || rm -f "$bundle"
done

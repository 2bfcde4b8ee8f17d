#!/usr/bin/env bash
# golden.sh -- renders the Mule, Flex and Azure API Management connectors with fixed parameters and
# unpacks each into OUTDIR/<id>/. `make golden` runs it on tests/golden; the connectors-mule-flex-azure
# suite runs it on a temporary folder and compares. Usage: golden.sh OUTDIR [PLATFORM...]
set -euo pipefail
out=$1; shift
bundlegen=${BUNDLEGEN:-build/bundlegen}
platforms=("$@"); [ ${#platforms[@]} -gt 0 ] || platforms=(azure-apim flex mule)

common=(--endpoint https://node-a.example.com --endpoint https://node-b.example.com:5050/edge
        --set request_timeout=750ms --set retries=1 --set skip_extensions=css,png,woff2
        --set token=golden-token-0123456789 --set real_ip_header=X-Client-IP --set block_status=406
        --set 'block_page=<html><body><h1>Blocked</h1><p>Ask "support" & quote it.</p></body></html>'
        --set fail_mode=closed --set fail_status=502 --set report_response=true --set send_response_body=true
        --set response_body_limit=8k --set request_body_limit=32k)

mkdir -p "$out"
for id in "${platforms[@]}"; do
  case $id in
    azure-apim) sets=() ;;
    flex) sets=(--set retry_interval=50ms --set business_group=0b1c2d3e-golden) ;;
    mule) sets=(--set connect_timeout=250ms --set retry_interval=50ms --set business_group=0b1c2d3e-golden
                --set anypoint_region=eu --set host_header=X-Original-Host) ;;
    *) echo "golden.sh: unknown platform $id" >&2; exit 2 ;;
  esac
  bundle=$(mktemp "${TMPDIR:-/tmp}/golden-$id.XXXXXX")
  "$bundlegen" generate "$id" "${common[@]}" "${sets[@]}" --out "$bundle" >/dev/null
  rm -rf "${out:?}/$id"; mkdir -p "$out/$id"
  python3 -m zipfile -e "$bundle" "$out/$id"
  rm -f "$bundle"
done

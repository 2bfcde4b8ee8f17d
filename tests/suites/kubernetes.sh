#!/usr/bin/env bash
# kubernetes.sh -- every kustomization under deploy/kubernetes/ renders with `kubectl kustomize`; each
# object validates against the Kubernetes schemas of the kubernetes-models npm packages, and the
# references between objects hold (tests/kubernetes/validate.mjs); the node's ConfigMaps pass
# `edgenode --check-config`; images carry VERSION; the validator refuses broken manifests.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
en=${EDGENODE:-build/san/edgenode}
# kustomize v4.1 or newer (labels:, inline patches). Debian 12 has none: its kubernetes-client is kubectl
# 1.20 with kustomize v2; this machine's kubectl comes from the Kubernetes project's own packages. Without
# one the rendering is a skip even under CI=true: no registry CI reaches has it (and Debian's
# kubernetes-client would clash with such a kubectl over /usr/bin/kubectl), so CI cannot be asked for it.
kv=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r kmaj kmin <<<"${kv:-0 0}"
if [ "$kmaj" -lt 4 ] || { [ "$kmaj" -eq 4 ] && [ "$kmin" -lt 1 ]; }; then
  skip "render deploy/kubernetes" "needs kubectl with kustomize v4.1 or newer (found: ${kv:-none}; Debian 12's kubernetes-client has v2)"
  suite_end
fi
[ -d node_modules/kubernetes-models ] || suite_abort "node_modules/kubernetes-models is missing (npm ci)"
[ -x "$en" ] || suite_abort "$en is missing (make test builds it)"
W=$(mktemp -d /tmp/kubernetes.XXXXXX); SUITE_CLEANUP+=("rm -rf '$W'")
v=$(cat VERSION)
to_json() { python3 -c 'import sys, yaml, json; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)'; }
# validate LABEL FILE.json: the validator's lines become this suite's checks.
validate() {
  local line
  while IFS= read -r line; do
    case $line in
      "ok - "*) ok "${line#ok - }" ;;
      "not ok - "*) bad "${line#not ok - }" ;;
      "exit "*) same "$1: the validator ends with exit 0" "exit 0" "$line" ;;
      *) echo "$line" ;;
    esac
  done < <(node tests/kubernetes/validate.mjs "$1" <"$2" 2>&1; echo "exit $?")
}

n=0
while read -r k; do
  d=$(dirname "$k"); name=${d#deploy/kubernetes}; name=${name#/}; name=${name:-all}; n=$((n + 1))
  exits "$name: kubectl kustomize renders" 0 kubectl kustomize "$d" || continue
  to_json <"$SUITE_OUT" >"$W/$n.json"
  validate "$name" "$W/$n.json"
  # The node's config as the pods read it.
  for i in $(jq -r 'to_entries[] | select(.value.kind == "ConfigMap" and .value.data["edgenode.yaml"] != null) | .key' "$W/$n.json"); do
    jq -r ".[$i].data[\"edgenode.yaml\"]" "$W/$n.json" >"$W/edgenode.yaml"
    exits "$name: $(jq -r ".[$i].metadata.name" "$W/$n.json")'s edgenode.yaml passes edgenode --check-config" 0 \
      "$en" --check-config "$W/edgenode.yaml"
  done
  same "$name: the project's images are at VERSION ($v)" "" \
    "$(jq -r '.[] | .spec.template.spec.containers[]?.image' "$W/$n.json" | grep -E '^(edgenode|bundlegen)(:|$)' | grep -vx "\(edgenode\|bundlegen\):$v" || true)"
done < <(find deploy/kubernetes -name kustomization.yaml | sort)
[ "$n" -ge 6 ] && ok "$n kustomizations rendered" || bad "only $n kustomizations under deploy/kubernetes"

# The validator fails where it should: a port given as text, a budget that selects nothing, a scale
# target that does not exist, a probe on a port the container does not have.
kubectl kustomize deploy/kubernetes | to_json >"$W/all.json"
mutate() { jq "$2" "$W/all.json" >"$W/m.json"; refuse "the validator refuses $1" node tests/kubernetes/validate.mjs mutated <"$W/m.json"; }
mutate "a port given as text" '(.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].ports[0].containerPort) |= tostring'
mutate "a disruption budget selecting no pods" '(.[] | select(.kind == "PodDisruptionBudget") | .spec.selector.matchLabels) |= {"app": "none"}'
mutate "an autoscaler on a missing Deployment" '(.[] | select(.kind == "HorizontalPodAutoscaler") | .spec.scaleTargetRef.name) |= "gone"'
mutate "a probe on an unknown port" '(.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].readinessProbe.httpGet.port) |= "nope"'
mutate "a container running as root" '(.[] | select(.kind == "Deployment") | .spec.template.spec.securityContext.runAsUser) |= 0'
suite_end

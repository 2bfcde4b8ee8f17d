// validate.mjs -- reads rendered Kubernetes objects (a JSON array on stdin) and checks each against the
// Kubernetes API schemas that the kubernetes-models packages carry (types, required fields, enums),
// then the references between them that no schema sees: selectors, port names, scale targets, config
// volumes, and the pod security the manifests promise. Prints "ok - ..." / "not ok - ..." lines.
import { readFileSync } from "node:fs";

const label = process.argv[2] || "manifests";
const docs = JSON.parse(readFileSync(0, "utf8")).filter(Boolean);
let failed = 0;
const ok = (cond, name, detail = "") => {
  console.log(`${cond ? "ok" : "not ok"} - ${label}: ${name}`);
  if (!cond) { failed++; if (detail) console.log(String(detail).split("\n").slice(0, 20).map(l => "    " + l).join("\n")); }
  return cond;
};

// apiVersion -> the module of kubernetes-models (or the operator's models) that holds its kinds.
const modules = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};
const id = d => `${d.kind}/${d.metadata?.name}`;
for (const d of docs) {
  const mod = modules[d.apiVersion];
  const cls = mod && (await import(mod))[d.kind];
  if (!ok(cls, `${id(d)}: ${d.apiVersion} ${d.kind} has a schema`)) continue;
  try { new cls(d).validate(); ok(true, `${id(d)} is valid against its schema`); }
  catch (e) { ok(false, `${id(d)} is valid against its schema`, e.message); }
}

const of = kind => docs.filter(d => d.kind === kind);
const subset = (sel, labels) => sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels?.[k] === v);
const deployments = of("Deployment");
const podLabels = dep => dep.spec?.template?.metadata?.labels || {};
const containers = dep => dep.spec?.template?.spec?.containers || [];
const portNames = dep => new Set(containers(dep).flatMap(c => (c.ports || []).map(p => p.name)));

for (const dep of deployments) {
  ok(subset(dep.spec?.selector?.matchLabels, podLabels(dep)), `${id(dep)}: its selector matches its pod labels`);
  const svcs = of("Service").filter(s => subset(s.spec?.selector, podLabels(dep)));
  ok(svcs.length > 0, `${id(dep)}: a Service selects its pods`);
  for (const s of svcs) for (const p of s.spec.ports || [])
    ok(typeof p.targetPort !== "string" || portNames(dep).has(p.targetPort),
       `${id(s)} port ${p.name}: target port ${p.targetPort} is a port of ${id(dep)}`);
  const pod = dep.spec.template.spec;
  for (const c of containers(dep)) {
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const pr = c[probe];
      if (!ok(pr, `${id(dep)} ${c.name}: has a ${probe}`)) continue;
      const port = pr.httpGet?.port ?? pr.tcpSocket?.port;
      if (port !== undefined) ok(typeof port === "number" || portNames(dep).has(port), `${id(dep)} ${c.name}: ${probe} port ${port} is a container port`);
    }
    const sc = c.securityContext || {};
    ok((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true && (sc.runAsUser ?? pod.securityContext?.runAsUser) > 0,
       `${id(dep)} ${c.name}: runs as a non-root user id`);
    ok(sc.readOnlyRootFilesystem === true && sc.allowPrivilegeEscalation === false && (sc.capabilities?.drop || []).includes("ALL"),
       `${id(dep)} ${c.name}: read-only root, no privilege escalation, no capabilities`);
  }
  for (const v of pod.volumes || []) {
    if (v.configMap) ok(of("ConfigMap").some(cm => cm.metadata.name === v.configMap.name), `${id(dep)}: ConfigMap ${v.configMap.name} is rendered with it`);
  }
}
for (const h of of("HorizontalPodAutoscaler")) {
  const t = deployments.find(d => d.metadata.name === h.spec.scaleTargetRef?.name && h.spec.scaleTargetRef.kind === "Deployment");
  if (ok(t, `${id(h)}: scales a rendered Deployment (${h.spec.scaleTargetRef?.name})`)) {
    ok(containers(t).every(c => c.resources?.requests?.cpu), `${id(h)}: its CPU target has requests to measure against`);
    ok(h.spec.minReplicas <= t.spec.replicas && t.spec.replicas <= h.spec.maxReplicas,
       `${id(h)}: the Deployment's replicas (${t.spec.replicas}) are within ${h.spec.minReplicas}..${h.spec.maxReplicas}`);
  }
}
for (const p of of("PodDisruptionBudget")) {
  const t = deployments.filter(d => subset(p.spec.selector?.matchLabels, podLabels(d)));
  ok(t.length === 1, `${id(p)}: selects the pods of exactly one Deployment`, JSON.stringify(p.spec.selector));
  if (t.length === 1) ok(t[0].spec.replicas > (p.spec.maxUnavailable ?? 0) || of("HorizontalPodAutoscaler").length,
                         `${id(p)}: leaves a replica serving`);
}
for (const m of of("ServiceMonitor")) {
  const svcs = of("Service").filter(s => subset(m.spec.selector?.matchLabels, s.metadata.labels));
  if (ok(svcs.length === 1, `${id(m)}: selects exactly one Service`))
    for (const e of m.spec.endpoints || []) ok((svcs[0].spec.ports || []).some(p => p.name === e.port), `${id(m)}: endpoint port ${e.port} is a port of ${id(svcs[0])}`);
}
for (const np of of("NetworkPolicy")) {
  ok(deployments.some(d => subset(np.spec.podSelector?.matchLabels, podLabels(d))), `${id(np)}: protects rendered pods`);
  for (const r of np.spec.ingress || []) for (const f of r.from || [])
    if (f.podSelector) ok(deployments.some(d => subset(f.podSelector.matchLabels, podLabels(d))), `${id(np)}: admits rendered pods`);
}
ok(docs.length > 0, `${docs.length} objects`);
process.exit(failed ? 1 : 0);

// Validates rendered Kubernetes manifests offline (no cluster): `kubectl kustomize overlays/prod | node validate.mjs`.
// 1. every object is an API the Kubernetes 1.32 API server serves, and valid against the Kubernetes OpenAPI schemas
//    of the npm package kubernetes-models (4.5.x carries Kubernetes 1.33.0's, the nearest to 1.32 it ships; no field the
//    generator writes is newer than 1.25);
// 2. IronAspire's rules: every container has readiness and liveness probes, CPU and memory requests and limits, runs as
//    non-root without privilege escalation; every Secret and ConfigMap a pod refers to (and the key) is in the render;
//    every Service, NetworkPolicy, PodDisruptionBudget and HorizontalPodAutoscaler finds what it targets.
// Prints one line per problem and a summary; exits 1 when there is any problem.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Group versions the 1.32 API server serves (GA and beta APIs that are on by default).
const served132 = new Set([
  "v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "scheduling.k8s.io/v1", "coordination.k8s.io/v1",
  "discovery.k8s.io/v1", "node.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
  "certificates.k8s.io/v1", "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
]);
const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

const text = process.argv[2] ? readFileSync(process.argv[2], "utf8") : readFileSync(0, "utf8");
const problems = [];
const objects = [];
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length > 0) {
    problems.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const object = doc.toJS();
  if (object) objects.push(object);
}

const id = (o) => `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`;

async function schemaValidate(object) {
  if (!served132.has(object.apiVersion)) {
    problems.push(`${id(object)}: apiVersion ${object.apiVersion} is not served by Kubernetes 1.32`);
    return;
  }
  const models = await import(`kubernetes-models/${object.apiVersion}`);
  const Model = models[object.kind];
  if (!Model) {
    problems.push(`${id(object)}: ${object.apiVersion} has no kind ${object.kind}`);
    return;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${id(object)}: ${error.message}`);
  }
}

const byKind = (kind) => objects.filter((o) => o.kind === kind);
const secrets = new Map(byKind("Secret").map((s) => [s.metadata.name, new Set(Object.keys({ ...s.data, ...s.stringData }))]));
const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, new Set(Object.keys({ ...c.data, ...c.binaryData }))]));

function resolves(kind, store, name, key, where) {
  if (!store.has(name)) {
    problems.push(`${where}: ${kind} ${name} is not in the rendered objects`);
  } else if (key !== undefined && !store.get(name).has(key)) {
    problems.push(`${where}: ${kind} ${name} has no key ${key}`);
  }
}

const podTemplates = objects.filter((o) => workloadKinds.has(o.kind)).map((o) => ({ owner: o, template: o.spec?.template }));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const { owner, template } of podTemplates) {
  const pod = template?.spec ?? {};
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `${id(owner)} container ${container.name}`;
    const init = (pod.initContainers ?? []).includes(container);
    if (!init && !container.readinessProbe) problems.push(`${where}: no readinessProbe`);
    if (!init && !container.livenessProbe) problems.push(`${where}: no livenessProbe`);
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (!container.resources?.[kind]?.[resource]) problems.push(`${where}: no ${resource} in resources.${kind}`);
      }
    }
    const runAsNonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
    const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
    if (runAsNonRoot !== true || user === 0) problems.push(`${where}: not a non-root security context`);
    if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    for (const env of container.env ?? []) {
      const secretRef = env.valueFrom?.secretKeyRef;
      if (secretRef && !secretRef.optional) resolves("Secret", secrets, secretRef.name, secretRef.key, `${where} env ${env.name}`);
      const configRef = env.valueFrom?.configMapKeyRef;
      if (configRef && !configRef.optional) resolves("ConfigMap", configMaps, configRef.name, configRef.key, `${where} env ${env.name}`);
      if (env.value !== undefined && env.valueFrom !== undefined) problems.push(`${where} env ${env.name}: both value and valueFrom`);
    }
    for (const source of container.envFrom ?? []) {
      if (source.secretRef && !source.secretRef.optional) resolves("Secret", secrets, source.secretRef.name, undefined, `${where} envFrom`);
      if (source.configMapRef && !source.configMapRef.optional) resolves("ConfigMap", configMaps, source.configMapRef.name, undefined, `${where} envFrom`);
    }
  }
  for (const volume of pod.volumes ?? []) {
    if (volume.secret) resolves("Secret", secrets, volume.secret.secretName, undefined, `${id(owner)} volume ${volume.name}`);
    if (volume.configMap) resolves("ConfigMap", configMaps, volume.configMap.name, undefined, `${id(owner)} volume ${volume.name}`);
    if (volume.persistentVolumeClaim && !byKind("PersistentVolumeClaim").some((c) => c.metadata.name === volume.persistentVolumeClaim.claimName)) {
      problems.push(`${id(owner)} volume ${volume.name}: PersistentVolumeClaim ${volume.persistentVolumeClaim.claimName} is not in the rendered objects`);
    }
  }
}

const selectsPods = (selector) => podTemplates.some(({ template }) => matches(selector, template?.metadata?.labels));
for (const service of byKind("Service")) {
  if (service.spec?.selector && !selectsPods(service.spec.selector)) problems.push(`${id(service)}: selects no pod`);
}
for (const policy of byKind("NetworkPolicy")) {
  if (!selectsPods(policy.spec?.podSelector?.matchLabels)) problems.push(`${id(policy)}: selects no pod`);
  for (const rule of policy.spec?.ingress ?? []) {
    for (const peer of rule.from ?? []) {
      if (peer.podSelector && !peer.namespaceSelector && !selectsPods(peer.podSelector.matchLabels)) {
        problems.push(`${id(policy)}: lets in pods that do not exist (${JSON.stringify(peer.podSelector.matchLabels)})`);
      }
    }
  }
}
for (const budget of byKind("PodDisruptionBudget")) {
  if (!selectsPods(budget.spec?.selector?.matchLabels)) problems.push(`${id(budget)}: selects no pod`);
}
for (const scaler of byKind("HorizontalPodAutoscaler")) {
  const target = scaler.spec?.scaleTargetRef;
  if (!objects.some((o) => o.kind === target?.kind && o.metadata?.name === target?.name)) problems.push(`${id(scaler)}: target ${target?.kind}/${target?.name} is not in the rendered objects`);
}

for (const object of objects) {
  await schemaValidate(object);
}

for (const problem of problems) console.log(`INVALID ${problem}`);
const containers = podTemplates.reduce((n, { template }) => n + (template?.spec?.containers?.length ?? 0), 0);
console.log(`${objects.length} objects, ${containers} containers checked, ${problems.length} problems`);
process.exit(problems.length === 0 && objects.length > 0 ? 0 : 1);

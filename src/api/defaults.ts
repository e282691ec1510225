/**
 * API defaulting, as the API server applies it on create and on spec changes
 * (pkg/apis/apps/v1/defaults.go, pkg/apis/core/v1/defaults.go; kubernetes-semantics.md §1.1, §4.1).
 * Defaulters mutate an immer draft (or a fresh, unfrozen object) in place.
 */

/** A decoded JSON object (a manifest or a part of one); values are narrowed where they are read. */
type Json = Record<string, unknown>;

function ensure(object: Json, key: string): Json {
  if (object[key] === undefined || object[key] === null) object[key] = {};
  return object[key] as Json;
}

/** Pod spec defaults: restartPolicy Always, terminationGracePeriodSeconds 30, probe defaults. */
export function defaultPodSpec(spec: Json): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  for (const container of (spec.containers ?? []) as Json[]) {
    container.imagePullPolicy ??= "IfNotPresent";
    for (const probeKey of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      const probe = container[probeKey] as Json | undefined;
      if (probe === undefined) continue;
      probe.initialDelaySeconds ??= 0;
      probe.periodSeconds ??= 10;
      probe.timeoutSeconds ??= 1;
      probe.successThreshold ??= 1;
      probe.failureThreshold ??= 3;
    }
  }
}

function defaultTemplate(spec: Json): void {
  const template = ensure(spec, "template");
  defaultPodSpec(ensure(template, "spec"));
}

export function defaultDeploymentSpec(spec: Json): void {
  spec.replicas ??= 1;
  const strategy = ensure(spec, "strategy");
  strategy.type ??= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = ensure(strategy, "rollingUpdate");
    rollingUpdate.maxUnavailable ??= "25%";
    rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.minReadySeconds ??= 0;
  defaultTemplate(spec);
}

export function defaultReplicaSetSpec(spec: Json): void {
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  defaultTemplate(spec);
}

export function defaultReplicationControllerSpec(spec: Json): void {
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  // An RC without a selector selects its template's labels (SetDefaults_ReplicationController).
  const template = spec.template as Json | undefined;
  const metadata = template?.metadata as Json | undefined;
  const labels = metadata?.labels as Json | undefined;
  if (spec.selector === undefined && labels !== undefined) spec.selector = { ...labels };
  defaultTemplate(spec);
}

export function defaultStatefulSetSpec(spec: Json): void {
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= "OrderedReady";
  const strategy = ensure(spec, "updateStrategy");
  strategy.type ??= "RollingUpdate";
  if (strategy.type === "RollingUpdate") ensure(strategy, "rollingUpdate").partition ??= 0;
  spec.revisionHistoryLimit ??= 10;
  spec.minReadySeconds ??= 0;
  defaultTemplate(spec);
}

export function defaultServiceSpec(spec: Json): void {
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  for (const port of (spec.ports ?? []) as Json[]) {
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
}

const SPEC_DEFAULTERS: Readonly<Record<string, (spec: Json) => void>> = {
  Pod: defaultPodSpec,
  Deployment: defaultDeploymentSpec,
  ReplicaSet: defaultReplicaSetSpec,
  ReplicationController: defaultReplicationControllerSpec,
  StatefulSet: defaultStatefulSetSpec,
  Service: defaultServiceSpec,
};

/** A new pod's status starts Pending (the pod registry's PrepareForCreate). */
export function defaultNewPodStatus(object: { kind: string; status?: unknown }): void {
  if (object.kind !== "Pod") return;
  const holder = object as Json;
  ensure(holder, "status").phase ??= "Pending";
}

/** Applies the kind's defaults to an object's spec in place (no-op for kinds without defaults). */
export function applyDefaults(object: { kind: string; spec?: unknown }): void {
  const defaulter = SPEC_DEFAULTERS[object.kind];
  if (defaulter === undefined) return;
  const holder = object as Json;
  defaulter(ensure(holder, "spec"));
}

export function hasDefaulter(kind: string): boolean {
  return SPEC_DEFAULTERS[kind] !== undefined;
}

/** Whether applyDefaults or defaultNewPodStatus can change a new object of this kind. */
export function hasCreateDefaults(kind: string): boolean {
  return kind === "Pod" || hasDefaulter(kind);
}

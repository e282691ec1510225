/**
 * Where requests come from. `from: external`: the 254 addresses of TEST-NET-3 (203.0.113.1 to
 * 203.0.113.254, RFC 5737), each request from one of them uniformly at random. `from: <workload>`:
 * the IPs of the workload's pods whose process is running now (a client that does not run sends
 * nothing), read from the store, in pod-name order, one picked uniformly per request.
 *
 * The workload's pods are the pods in its namespace its selector matches (spec.selector, a label
 * selector or, for a ReplicationController, a map); without a selector, its template's labels; a
 * Pod source is that pod.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import type { Pod } from "../api/kinds.ts";
import type { KObject } from "../api/object.ts";
import { matchesSelector, selectorFromMap } from "../api/selector.ts";
import type { PodRuntime } from "../cluster/runtime.ts";
import type { ObjectRef } from "../scenario/model.ts";
import type { World } from "../world/world.ts";

export const EXTERNAL_SOURCES: readonly string[] = Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`);

export interface SourcePool {
  /** The current source IPs; the same array until the pool changes. */
  ips(): readonly string[];
  /** Increases whenever ips() changes. */
  readonly version: number;
}

export function externalSources(): SourcePool {
  return { ips: () => EXTERNAL_SOURCES, version: 0 };
}

/** The selector of a workload object, as a label selector. */
export function workloadSelector(workload: KObject): LabelSelector | undefined {
  const spec = workload.spec as
    | { selector?: unknown; template?: { metadata?: { labels?: Record<string, string> } } }
    | undefined;
  const selector = spec?.selector;
  if (selector !== undefined && selector !== null && typeof selector === "object") {
    const record = selector as Record<string, unknown>;
    if ("matchLabels" in record || "matchExpressions" in record) return selector as LabelSelector;
    return selectorFromMap(selector as Record<string, string>);
  }
  return selectorFromMap(spec?.template?.metadata?.labels);
}

/** The running pods of a workload, recomputed only after a pod or process change. */
export class WorkloadSources implements SourcePool {
  private cached: readonly string[] = [];
  private dirty = true;
  private currentVersion = 0;

  constructor(
    private readonly world: World,
    private readonly ref: ObjectRef,
    private readonly runtime: PodRuntime,
  ) {}

  get version(): number {
    if (this.dirty) this.recompute();
    return this.currentVersion;
  }

  /** Marks the pool stale (a pod in its namespace changed, or a process changed state). */
  invalidate(): void {
    this.dirty = true;
  }

  ips(): readonly string[] {
    if (this.dirty) this.recompute();
    return this.cached;
  }

  private recompute(): void {
    this.dirty = false;
    const next = this.runningPodIps();
    if (next.length === this.cached.length && next.every((ip, i) => ip === this.cached[i])) return;
    this.cached = next;
    this.currentVersion++;
  }

  private runningPodIps(): string[] {
    const { kind, namespace, name } = this.ref;
    const pods: Pod[] = [];
    if (kind === "Pod") {
      const pod = this.world.store.get<Pod>("Pod", namespace, name);
      if (pod !== undefined) pods.push(pod);
    } else {
      const workload = this.world.store.get(kind, namespace, name);
      const selector = workload === undefined ? undefined : workloadSelector(workload);
      if (selector === undefined) return [];
      for (const pod of this.world.store.list<Pod>("Pod")) {
        if (pod.metadata.namespace === namespace && matchesSelector(selector, pod.metadata.labels)) pods.push(pod);
      }
    }
    pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    const ips: string[] = [];
    for (const pod of pods) {
      const ip = pod.status?.podIP;
      if (ip !== undefined && ip !== "" && this.runtime.processState(pod.metadata.uid) === "running") ips.push(ip);
    }
    return ips;
  }
}

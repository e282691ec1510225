/**
 * The NoExecute taint manager of the node lifecycle controller (v1.28:
 * pkg/controller/nodelifecycle/scheduler/taint_manager.go; kubernetes-semantics.md §6.2 step 6).
 *
 * For every pod on a node with NoExecute taints: if a taint is not tolerated, the pod is deleted at
 * once; otherwise its eviction is scheduled at (time the taints were seen) + the smallest
 * tolerationSeconds among the tolerations used (none: tolerated forever). An eviction already
 * scheduled is kept if it fires no later; removing the taints cancels it. Pods without their own
 * not-ready/unreachable tolerations are read with the DefaultTolerationSeconds admission defaults
 * (timing.defaultTolerationSeconds), since our API server has no admission chain.
 * An eviction marks the pod DisruptionTarget=True (DeletionByTaintManager, PodDisruptionConditions)
 * and deletes it with its normal grace period.
 */
import type { Taint } from "kubernetes-types/core/v1.js";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/kinds.ts";
import { objectKey, toTimestamp } from "../api/object.ts";
import type { WatchEventType } from "../api/store.ts";
import type { EventId } from "../sim/event-queue.ts";
import { INDEX_PODS_BY_NODE, type World } from "../world/world.ts";
import { matchingTolerations, minTolerationMs, sameTaints, withDefaultTolerations } from "./taints.ts";

interface ScheduledEviction {
  readonly createdAtMs: number;
  readonly fireAtMs: number;
  readonly timer: EventId;
}

export class TaintManager {
  /** NoExecute taints per node, for nodes that have any. */
  private readonly taintedNodes = new Map<string, readonly Taint[]>();
  private readonly evictions = new Map<string, ScheduledEviction>();
  /** Evictions that came due while the controller was suspended. */
  private readonly deferred = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly isSuspended: () => boolean,
  ) {}

  /** Pending evictions (for tests and reports). */
  get scheduledCount(): number {
    return this.evictions.size;
  }

  evictionTimeMs(namespace: string, name: string): number | undefined {
    return this.evictions.get(objectKey(namespace, name))?.fireAtMs;
  }

  /** handleNodeUpdate: when the NoExecute taints change, every pod on the node is looked at again. */
  nodeUpdated(node: Node): void {
    const name = node.metadata.name;
    const taints = (node.spec?.taints ?? []).filter((taint) => taint.effect === "NoExecute");
    const previous = this.taintedNodes.get(name) ?? [];
    if (sameTaints(previous, taints)) return;
    if (taints.length === 0) this.taintedNodes.delete(name);
    else this.taintedNodes.set(name, taints);
    const nowMs = this.world.nowMs;
    for (const pod of [...this.world.cache.byIndex<Pod>(INDEX_PODS_BY_NODE, name)]) this.processPod(pod, taints, nowMs);
  }

  nodeDeleted(name: string): void {
    this.taintedNodes.delete(name);
  }

  /** handlePodUpdate. */
  podUpdated(type: WatchEventType, pod: Pod): void {
    // Runs on every pod event: with no tainted node and no pending eviction there is nothing to
    // schedule or cancel (the usual case), so skip building the key.
    if (this.taintedNodes.size === 0 && this.evictions.size === 0) return;
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    if (type === "DELETED") {
      this.cancel(key);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined) return;
    const taints = this.taintedNodes.get(nodeName);
    if (taints === undefined) {
      this.cancel(key);
      return;
    }
    this.processPod(pod, taints, this.world.nowMs);
  }

  /** Runs the evictions that came due while suspended. */
  resume(): void {
    for (const key of [...this.deferred]) {
      this.deferred.delete(key);
      this.evict(key);
    }
  }

  private processPod(pod: Pod, taints: readonly Taint[], nowMs: number): void {
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    if (taints.length === 0 || pod.metadata.deletionTimestamp !== undefined) {
      this.cancel(key);
      return;
    }
    const tolerations = withDefaultTolerations(
      pod.spec?.tolerations,
      this.world.config.timing.defaultTolerationSeconds,
    );
    const { allTolerated, used } = matchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.cancel(key);
      this.schedule(key, nowMs, nowMs);
      return;
    }
    const tolerationMs = minTolerationMs(used);
    if (tolerationMs < 0) {
      this.cancel(key);
      return;
    }
    let createdAtMs = nowMs;
    const existing = this.evictions.get(key);
    if (existing !== undefined) {
      createdAtMs = existing.createdAtMs;
      if (createdAtMs + tolerationMs < nowMs + tolerationMs) return;
      this.cancel(key);
    }
    this.schedule(key, createdAtMs, nowMs + tolerationMs);
  }

  private schedule(key: string, createdAtMs: number, fireAtMs: number): void {
    const timer = this.world.kernel.scheduleAt(fireAtMs, this.evictionDue, key);
    this.evictions.set(key, { createdAtMs, fireAtMs, timer });
  }

  private cancel(key: string): void {
    const existing = this.evictions.get(key);
    if (existing === undefined) return;
    this.world.kernel.cancel(existing.timer);
    this.evictions.delete(key);
    this.deferred.delete(key);
  }

  private readonly evictionDue = (arg: unknown): void => {
    const key = arg as string;
    this.evictions.delete(key);
    if (this.isSuspended()) {
      this.deferred.add(key);
      return;
    }
    this.evict(key);
  };

  /** deletePodHandler with PodDisruptionConditions: DisruptionTarget first, then DELETE. */
  private evict(key: string): void {
    const pod = this.world.cache.getByKey<Pod>("Pod", key);
    if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) return;
    const { namespace, name, uid } = pod.metadata;
    const nowMs = this.world.nowMs;
    this.world.recordEvent(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    try {
      const current = this.world.store.get<Pod>("Pod", namespace, name);
      if (current === undefined || current.metadata.uid !== uid) return;
      this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
        draft.status ??= {};
        draft.status.conditions ??= [];
        const conditions = draft.status.conditions;
        const condition = {
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint",
          lastTransitionTime: toTimestamp(nowMs),
        };
        const index = conditions.findIndex((each) => each.type === "DisruptionTarget");
        if (index < 0) conditions.push(condition);
        else if (conditions[index]?.status !== "True") conditions[index] = condition;
      });
      this.world.store.delete("Pod", namespace, name, { uid });
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
  }
}

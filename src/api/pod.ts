/**
 * Pod predicates shared by controllers, endpoints and metrics (pkg/api/v1/pod/util.go,
 * pkg/controller/controller_utils.go).
 */
import type { PodCondition } from "kubernetes-types/core/v1.js";
import type { Pod } from "./kinds.ts";
import { fromTimestamp } from "./object.ts";

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  const conditions = pod.status?.conditions;
  if (conditions === undefined) return undefined;
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i] as PodCondition;
    if (condition.type === type) return condition;
  }
  return undefined;
}

/** Ready condition is True (IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, "Ready")?.status === "True";
}

/**
 * Ready, and (when minReadySeconds > 0) ready since strictly before now − minReadySeconds
 * (IsPodAvailable; the Ready condition's lastTransitionTime has whole seconds, §1.6).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, "Ready");
  if (ready?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  if (ready.lastTransitionTime === undefined) return false;
  return fromTimestamp(ready.lastTransitionTime) + minReadySeconds * 1000 < nowMs;
}

/** Not Succeeded/Failed and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && pod.metadata.deletionTimestamp === undefined;
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** When the pod became Ready (lastTransitionTime of Ready=True), in virtual ms; undefined if not ready. */
export function podReadySinceMs(pod: Pod): number | undefined {
  const ready = podCondition(pod, "Ready");
  if (ready?.status !== "True" || ready.lastTransitionTime === undefined) return undefined;
  return fromTimestamp(ready.lastTransitionTime);
}

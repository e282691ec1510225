/**
 * Pod condition and finalizer edits shared by the LoadBalancer controller and the graceful
 * removal helper. Each runs inside a store recipe (an immer draft of the latest pod).
 */

import type { Draft } from "immer";
import type { PodCondition } from "kubernetes-types/core/v1.js";
import type { Pod } from "../api/kinds.ts";
import { toTimestamp } from "../api/object.ts";

/**
 * Sets condition `type` on the draft; lastTransitionTime changes only when the status does
 * (as the kubelet and controllers do: pkg/api/v1/pod UpdatePodCondition).
 */
export function setPodCondition(
  draft: Draft<Pod>,
  type: string,
  status: "True" | "False",
  reason: string,
  nowMs: number,
): void {
  draft.status ??= {};
  draft.status.conditions ??= [];
  const conditions = draft.status.conditions as PodCondition[];
  const existing = conditions.find((condition) => condition.type === type);
  if (existing === undefined) {
    conditions.push({ type, status, reason, lastTransitionTime: toTimestamp(nowMs) });
    return;
  }
  if (existing.status !== status) existing.lastTransitionTime = toTimestamp(nowMs);
  existing.status = status;
  existing.reason = reason;
}

export function hasFinalizer(pod: Pod, finalizer: string): boolean {
  return pod.metadata.finalizers?.includes(finalizer) === true;
}

export function addFinalizer(draft: Draft<Pod>, finalizer: string): void {
  draft.metadata.finalizers ??= [];
  if (!draft.metadata.finalizers.includes(finalizer)) draft.metadata.finalizers.push(finalizer);
}

export function removeFinalizer(draft: Draft<Pod>, finalizer: string): void {
  const finalizers = draft.metadata.finalizers;
  if (finalizers === undefined) return;
  const index = finalizers.indexOf(finalizer);
  if (index >= 0) finalizers.splice(index, 1);
  if (finalizers.length === 0) delete draft.metadata.finalizers;
}

/** True if the pod's spec lists `conditionType` among its readiness gates. */
export function hasReadinessGate(pod: Pod, conditionType: string): boolean {
  return pod.spec?.readinessGates?.some((gate) => gate.conditionType === conditionType) === true;
}

/**
 * The RollingUpdate strategy (pkg/controller/deployment/rolling.go; kubernetes-semantics.md §1.5).
 *
 * Each reconcile takes at most one step: scale the new ReplicaSet up (or down to size), or else scale
 * old ReplicaSets down, then report status. Budgets mix spec and status on purpose: the surge counts
 * spec.replicas of every RS, availability counts status.availableReplicas. Pods are never looked at.
 */
import { isApiError } from "../../api/errors.ts";
import type { ReplicaSet } from "../../api/kinds.ts";
import type { SyncResult } from "../controller.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  cleanupDeployment,
  type DeploymentContext,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSetAndRecordEvent,
} from "./sync.ts";
import {
  deploymentComplete,
  deploymentReplicas,
  filterActiveReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  maxUnavailable,
  newRSNewReplicas,
  replicaSetReplicas,
  replicaSetsByCreationTimestamp,
  sortedByCreationTimestamp,
  sortInPlace,
} from "./util.ts";

/**
 * A scale-down that would grow an RS (its status reports more available replicas than its spec,
 * e.g. a lagging status). Kubernetes returns an error, which reconcileOldReplicaSets swallows.
 */
class InvalidScaleDownError extends Error {
  constructor(message: string) {
    // Expected control flow (caught by reconcileOldReplicaSets whenever a status lags): no stack.
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackLimit;
  }
}

/**
 * rolloutRolling: get (or create) the new RS; scale it up if possible and stop; else scale old RSs
 * down if possible and stop; else, if the rollout was complete before this reconcile, clean up old
 * RSs. The status is synced in every case.
 */
export function rolloutRolling(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): SyncResult {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, true);
  if (newRS === undefined) throw new Error(`deployment ${ctx.d.metadata.name}: no new ReplicaSet after creation`);
  const allRSs = [...oldRSs, newRS];

  if (reconcileNewReplicaSet(ctx, allRSs, newRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (reconcileOldReplicaSets(ctx, allRSs, filterActiveReplicaSets(oldRSs), newRS)) {
    return syncRolloutStatus(ctx, allRSs, newRS);
  }
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS);
}

/**
 * reconcileNewReplicaSet: the new RS goes to NewRSNewReplicas (bounded by replicas + maxSurge in
 * total), or down to d.spec.replicas if it is larger. True if it was scaled.
 */
export function reconcileNewReplicaSet(
  ctx: DeploymentContext,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): boolean {
  const replicas = deploymentReplicas(ctx.d);
  const current = replicaSetReplicas(newRS);
  if (current === replicas) return false;
  if (current > replicas) return scaleReplicaSetAndRecordEvent(ctx, newRS, replicas).scaled;
  return scaleReplicaSetAndRecordEvent(ctx, newRS, newRSNewReplicas(ctx.d, allRSs, newRS)).scaled;
}

/**
 * reconcileOldReplicaSets: how far old RSs may shrink without dropping below minAvailable, counting
 * the new RS's unavailable pods against the budget:
 *   maxScaledDown = Σ spec(all) − (replicas − maxUnavailable) − (new.spec − new.available).
 * Example (10 replicas, maxUnavailable 2, maxSurge 3): new RS at 5 crash-looping, old at 8 →
 * 13 − 8 − 5 = 0, so the old RS is not touched. Unhealthy old replicas go first
 * (cleanupUnhealthyReplicas), then available ones (scaleDownOldReplicaSetsForRollingUpdate).
 * A failed write is swallowed (false), as in Kubernetes. True if anything was scaled down.
 */
export function reconcileOldReplicaSets(
  ctx: DeploymentContext,
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): boolean {
  if (getReplicaCountForReplicaSets(oldRSs) === 0) return false;
  const allPodsCount = getReplicaCountForReplicaSets(allRSs);
  const minAvailable = deploymentReplicas(ctx.d) - maxUnavailable(ctx.d);
  const newRSUnavailablePodCount = replicaSetReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;
  try {
    const cleaned = cleanupUnhealthyReplicas(ctx, oldRSs, maxScaledDown);
    const scaledDownCount = scaleDownOldReplicaSetsForRollingUpdate(ctx, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
    return cleaned.cleanupCount + scaledDownCount > 0;
  } catch (error) {
    if (isApiError(error) || error instanceof InvalidScaleDownError) return false;
    throw error;
  }
}

/**
 * cleanupUnhealthyReplicas: oldest first, shrinks each old RS by its unavailable replicas
 * (spec − available), up to `maxCleanupCount` in total. Removing pods that are not available does
 * not reduce availability. Returns the old RSs as now stored and how many replicas were removed.
 */
export function cleanupUnhealthyReplicas(
  ctx: DeploymentContext,
  oldRSs: readonly ReplicaSet[],
  maxCleanupCount: number,
): { oldRSs: ReplicaSet[]; cleanupCount: number } {
  const sorted = sortInPlace([...oldRSs], replicaSetsByCreationTimestamp);
  let totalScaledDown = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (totalScaledDown >= maxCleanupCount) break;
    const targetRS = sorted[i] as ReplicaSet;
    const spec = replicaSetReplicas(targetRS);
    const available = targetRS.status?.availableReplicas ?? 0;
    if (spec === 0 || spec === available) continue;
    const scaledDownCount = Math.min(maxCleanupCount - totalScaledDown, spec - available);
    const newReplicasCount = spec - scaledDownCount;
    if (newReplicasCount > spec) {
      throw new InvalidScaleDownError(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${targetRS.metadata.name} ${spec} -> ${newReplicasCount}`,
      );
    }
    sorted[i] = scaleReplicaSetAndRecordEvent(ctx, targetRS, newReplicasCount).rs;
    totalScaledDown += scaledDownCount;
  }
  return { oldRSs: sorted, cleanupCount: totalScaledDown };
}

/**
 * scaleDownOldReplicaSetsForRollingUpdate: the available replicas above minAvailable may go; old RSs
 * are shrunk oldest first until that budget is spent. Returns how many replicas were removed.
 */
export function scaleDownOldReplicaSetsForRollingUpdate(
  ctx: DeploymentContext,
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
): number {
  const minAvailable = deploymentReplicas(ctx.d) - maxUnavailable(ctx.d);
  const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  let totalScaledDown = 0;
  const sorted = sortedByCreationTimestamp(oldRSs);
  for (let i = 0; i < sorted.length; i++) {
    if (totalScaledDown >= totalScaleDownCount) break;
    const targetRS = sorted[i] as ReplicaSet;
    const spec = replicaSetReplicas(targetRS);
    if (spec === 0) continue;
    const scaleDownCount = Math.min(spec, totalScaleDownCount - totalScaledDown);
    const newReplicasCount = spec - scaleDownCount;
    if (newReplicasCount > spec) {
      throw new InvalidScaleDownError(
        `when scaling down old RS, got invalid request to scale down ${targetRS.metadata.name} ${spec} -> ${newReplicasCount}`,
      );
    }
    scaleReplicaSetAndRecordEvent(ctx, targetRS, newReplicasCount);
    totalScaledDown += scaleDownCount;
  }
  return totalScaledDown;
}

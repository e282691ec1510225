/**
 * The Recreate strategy (pkg/controller/deployment/recreate.go; kubernetes-semantics.md §1.9): scale
 * every old ReplicaSet to 0, wait until no old pod runs (terminating pods included), and only then
 * create the new ReplicaSet at full size. The controller re-queues a Recreate Deployment when its
 * last pod is deleted (controller.ts), which is what moves it past the wait.
 */

import type { InformerCache } from "../../api/informer.ts";
import type { Deployment, Pod, ReplicaSet } from "../../api/kinds.ts";
import { controllerOf } from "../../api/object.ts";
import { matchesSelector } from "../../api/selector.ts";
import { INDEX_PODS_BY_CONTROLLER } from "../../world/world.ts";
import type { SyncResult } from "../controller.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  cleanupDeployment,
  type DeploymentContext,
  getAllReplicaSetsAndSyncRevision,
  type ScaleResult,
  scaleReplicaSetAndRecordEvent,
} from "./sync.ts";
import {
  deploymentComplete,
  deploymentReplicas,
  filterActiveReplicaSets,
  getActualReplicaCountForReplicaSets,
  replicaSetReplicas,
} from "./util.ts";

/**
 * rolloutRecreate: old RSs down first (and stop if any was scaled); wait while old pods run; then
 * create the new RS if missing, scale it to d.spec.replicas, and clean up once complete.
 */
export function rolloutRecreate(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): SyncResult {
  // The new RS is not created yet, so nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];

  if (scaleDownOldReplicaSetsForRecreate(ctx, filterActiveReplicaSets(oldRSs))) {
    return syncRolloutStatus(ctx, allRSs, newRS);
  }
  if (oldPodsRunning(newRS, oldRSs, getPodMapForDeployment(ctx.world.cache, ctx.d, rsList))) {
    return syncRolloutStatus(ctx, allRSs, newRS);
  }
  if (newRS === undefined) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS !== undefined) scaleUpNewReplicaSetForRecreate(ctx, newRS);
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, allRSs, newRS);
}

/** scaleDownOldReplicaSetsForRecreate: every given old RS to 0; true if any was scaled. */
export function scaleDownOldReplicaSetsForRecreate(ctx: DeploymentContext, oldRSs: readonly ReplicaSet[]): boolean {
  let scaled = false;
  for (const rs of oldRSs) {
    if (replicaSetReplicas(rs) === 0) continue;
    if (scaleReplicaSetAndRecordEvent(ctx, rs, 0).scaled) scaled = true;
  }
  return scaled;
}

/**
 * oldPodsRunning: an old RS still reports pods, or a pod not owned by the new RS is in any phase but
 * Failed/Succeeded (Pending, Running, Unknown and no phase count, terminating pods included).
 */
export function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
  podMap: ReadonlyMap<string, readonly Pod[]>,
): boolean {
  if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS !== undefined && newRS.metadata.uid === rsUid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== "Failed" && phase !== "Succeeded") return true;
    }
  }
  return false;
}

/** scaleUpNewReplicaSetForRecreate: the new RS straight to d.spec.replicas. */
export function scaleUpNewReplicaSetForRecreate(ctx: DeploymentContext, newRS: ReplicaSet): ScaleResult {
  return scaleReplicaSetAndRecordEvent(ctx, newRS, deploymentReplicas(ctx.d));
}

/**
 * getPodMapForDeployment: the cached pods that match the Deployment's selector, grouped by the uid of
 * the RS in `rsList` that controls them (inactive pods included). Uses the pods-by-controller index.
 */
export function getPodMapForDeployment(
  cache: InformerCache,
  deployment: Deployment,
  rsList: readonly ReplicaSet[],
): Map<string, Pod[]> {
  const podMap = new Map<string, Pod[]>();
  const selector = deployment.spec?.selector;
  for (const rs of rsList) {
    const pods: Pod[] = [];
    for (const pod of cache.byIndex<Pod>(INDEX_PODS_BY_CONTROLLER, rs.metadata.uid)) {
      if (pod.metadata.namespace !== deployment.metadata.namespace) continue;
      if (controllerOf(pod)?.uid !== rs.metadata.uid || !matchesSelector(selector, pod.metadata.labels)) continue;
      pods.push(pod);
    }
    podMap.set(rs.metadata.uid, pods);
  }
  return podMap;
}

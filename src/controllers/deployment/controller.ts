/**
 * The Deployment controller (pkg/controller/deployment/deployment_controller.go;
 * kubernetes-semantics.md §1.2): informer handlers that queue Deployments, ReplicaSet ownership
 * (adopting orphans that match the selector, releasing owned ones that no longer do), and
 * syncDeployment, the ladder of early returns that picks what one reconcile does. The strategies
 * live in rolling.ts and recreate.ts, the shared steps in sync.ts.
 *
 * Reads come from the informer cache; the one uncached read is Kubernetes' own, the recheck of the
 * Deployment before adopting an orphan (RecheckDeletionTimestamp). Writes go to the store; a
 * stale object makes them throw a Conflict, and the base class retries with rate limiting.
 */
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import { ApiError, conflict, isApiError } from "../../api/errors.ts";
import type { InformerCache, InformerHandler } from "../../api/informer.ts";
import type { Deployment, Pod, ReplicaSet } from "../../api/kinds.ts";
import { controllerOf, controllerRef, type KObject, objectKey } from "../../api/object.ts";
import { isEmptySelector, matchesSelector } from "../../api/selector.ts";
import type { WorkQueue } from "../../api/workqueue.ts";
import { INDEX_REPLICASETS_BY_CONTROLLER, type World } from "../../world/world.ts";
import { Controller, type SyncResult } from "../controller.ts";
import { checkPausedConditions } from "./progress.ts";
import { getPodMapForDeployment, rolloutRecreate } from "./recreate.ts";
import { rollback } from "./rollback.ts";
import { rolloutRolling } from "./rolling.ts";
import { type DeploymentContext, isScalingEvent, sync, syncStatusOnly, unexpectedStrategy } from "./sync.ts";
import { getDeploymentsForReplicaSet, getRollbackTo, replicaSetsByCreationTimestamp, sortInPlace } from "./util.ts";

/** Cache index: ReplicaSets without a controller, by namespace (the adoption candidates). */
export const INDEX_ORPHAN_REPLICASETS_BY_NAMESPACE = "deployment/orphan-replicasets-by-namespace";

const cachesWithOrphanIndex = new WeakSet<InformerCache>();

/** Adds the orphan index to a cache once, however many Deployment controllers share it. */
function ensureOrphanReplicaSetIndex(cache: InformerCache): void {
  if (cachesWithOrphanIndex.has(cache)) return;
  cachesWithOrphanIndex.add(cache);
  cache.addIndex(INDEX_ORPHAN_REPLICASETS_BY_NAMESPACE, "ReplicaSet", (rs) =>
    controllerOf(rs) === undefined ? rs.metadata.namespace : undefined,
  );
}

export class DeploymentController extends Controller {
  constructor(world: World) {
    super(world, "deployment");
    ensureOrphanReplicaSetIndex(world.cache);
  }

  start(): void {
    this.world.cache.on("Deployment", this.onDeployment);
    this.world.cache.on("ReplicaSet", this.onReplicaSet);
    this.world.cache.on("Pod", this.onPod);
  }

  protected sync(key: string): SyncResult {
    return this.syncDeployment(key);
  }

  // -------------------------------------------------------------------------------------------
  // Informer handlers (addDeployment ... deletePod)
  // -------------------------------------------------------------------------------------------

  /** addDeployment, updateDeployment, deleteDeployment: every change queues the Deployment. */
  private readonly onDeployment: InformerHandler = (_type, deployment) => {
    this.enqueue(deployment);
  };

  private readonly onReplicaSet: InformerHandler = (type, object, previous) => {
    const rs = object as ReplicaSet;
    if (type === "DELETED") this.deleteReplicaSet(rs);
    else if (type === "MODIFIED" && previous !== undefined) this.updateReplicaSet(previous as ReplicaSet, rs);
    else this.addReplicaSet(rs);
  };

  /** deletePod: only the final deletion of a pod is of interest (Recreate's wait for old pods). */
  private readonly onPod: InformerHandler = (type, pod) => {
    if (type === "DELETED") this.deletePod(pod as Pod);
  };

  /** addReplicaSet: queue the owner, or, for an orphan, every Deployment that could adopt it. */
  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp !== undefined) {
      this.deleteReplicaSet(rs);
      return;
    }
    const ref = controllerOf(rs);
    if (ref !== undefined) {
      const deployment = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (deployment !== undefined) this.enqueue(deployment);
      return;
    }
    for (const deployment of this.getDeploymentsForReplicaSet(rs)) this.enqueue(deployment);
  }

  /**
   * updateReplicaSet: a changed controller ref wakes the old owner too; an owned RS wakes its owner;
   * an orphan whose labels or ref changed wakes the Deployments that could adopt it.
   */
  private updateReplicaSet(oldRS: ReplicaSet, curRS: ReplicaSet): void {
    if (curRS.metadata.resourceVersion === oldRS.metadata.resourceVersion) return;
    const curRef = controllerOf(curRS);
    const oldRef = controllerOf(oldRS);
    const controllerRefChanged = !sameOwnerReference(curRef, oldRef);
    if (controllerRefChanged && oldRef !== undefined) {
      const oldOwner = this.resolveControllerRef(oldRS.metadata.namespace, oldRef);
      if (oldOwner !== undefined) this.enqueue(oldOwner);
    }
    if (curRef !== undefined) {
      const owner = this.resolveControllerRef(curRS.metadata.namespace, curRef);
      if (owner !== undefined) this.enqueue(owner);
      return;
    }
    const labelsChanged = !sameLabels(curRS.metadata.labels, oldRS.metadata.labels);
    if (labelsChanged || controllerRefChanged) {
      for (const deployment of this.getDeploymentsForReplicaSet(curRS)) this.enqueue(deployment);
    }
  }

  /** deleteReplicaSet: wakes the owner; nobody cares about orphans going away. */
  private deleteReplicaSet(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    if (ref === undefined) return;
    const deployment = this.resolveControllerRef(rs.metadata.namespace, ref);
    if (deployment !== undefined) this.enqueue(deployment);
  }

  /** deletePod: a Recreate Deployment is queued once it has no pods left (§1.2). */
  private deletePod(pod: Pod): void {
    const deployment = this.getDeploymentForPod(pod);
    if (deployment === undefined || deployment.spec?.strategy?.type !== "Recreate") return;
    const podMap = getPodMapForDeployment(this.world.cache, deployment, this.listReplicaSets(deployment));
    for (const pods of podMap.values()) if (pods.length > 0) return;
    this.enqueue(deployment);
  }

  /** getDeploymentForPod: pod → controlling RS (uid checked) → its controlling Deployment. */
  private getDeploymentForPod(pod: Pod): Deployment | undefined {
    const ref = controllerOf(pod);
    if (ref === undefined || ref.kind !== "ReplicaSet") return undefined;
    const rs = this.world.cache.get<ReplicaSet>("ReplicaSet", pod.metadata.namespace, ref.name);
    if (rs === undefined || rs.metadata.uid !== ref.uid) return undefined;
    const rsRef = controllerOf(rs);
    return rsRef === undefined ? undefined : this.resolveControllerRef(rs.metadata.namespace, rsRef);
  }

  /** resolveControllerRef: the cached Deployment a controller ref names, if kind, name and uid match. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== "Deployment") return undefined;
    const deployment = this.world.cache.get<Deployment>("Deployment", namespace, ref.name);
    return deployment !== undefined && deployment.metadata.uid === ref.uid ? deployment : undefined;
  }

  private getDeploymentsForReplicaSet(rs: ReplicaSet): Deployment[] {
    return getDeploymentsForReplicaSet(this.world.cache.list<Deployment>("Deployment"), rs);
  }

  /** util.ListReplicaSets: the cached RSs the Deployment controls and selects. */
  private listReplicaSets(deployment: Deployment): ReplicaSet[] {
    const owned: ReplicaSet[] = [];
    for (const rs of this.world.cache.byIndex<ReplicaSet>(INDEX_REPLICASETS_BY_CONTROLLER, deployment.metadata.uid)) {
      if (rs.metadata.namespace !== deployment.metadata.namespace) continue;
      if (matchesSelector(deployment.spec?.selector, rs.metadata.labels)) owned.push(rs);
    }
    return owned;
  }

  // -------------------------------------------------------------------------------------------
  // syncDeployment
  // -------------------------------------------------------------------------------------------

  /**
   * syncDeployment: one reconcile of the Deployment with this key, as a ladder of early returns:
   * gone → nothing; empty selector → warn and observe the generation; claim the RSs; being deleted →
   * status only; pause conditions; paused → sync (scaling and cleanup); rollback annotation →
   * rollback; scaling event → sync; otherwise the strategy's rollout. Throws an ApiError to retry.
   */
  syncDeployment(key: string): SyncResult {
    const deployment = this.world.cache.getByKey<Deployment>("Deployment", key);
    if (deployment === undefined) return undefined;
    const ctx: DeploymentContext = {
      world: this.world,
      d: deployment,
      enqueueRateLimited: rateLimitedEnqueue(this.queue, key),
      syncedReplicaSets: undefined,
    };

    if (isEmptySelector(deployment.spec?.selector)) {
      this.refuseSelectingAll(ctx);
      return undefined;
    }
    const rsList = this.getReplicaSetsForDeployment(deployment);
    if (deployment.metadata.deletionTimestamp !== undefined) {
      syncStatusOnly(ctx, rsList);
      return undefined;
    }
    checkPausedConditions(ctx);
    if (ctx.d.spec?.paused === true) {
      sync(ctx, rsList);
      return undefined;
    }
    // Rollback is not re-entrant: nothing else runs until the annotation is cleared.
    if (getRollbackTo(ctx.d) !== undefined) return rollback(ctx, rsList);
    if (isScalingEvent(ctx, rsList)) {
      sync(ctx, rsList);
      return undefined;
    }
    switch (ctx.d.spec?.strategy?.type) {
      case "Recreate":
        return rolloutRecreate(ctx, rsList);
      case "RollingUpdate":
        return rolloutRolling(ctx, rsList);
      default:
        throw unexpectedStrategy(ctx.d);
    }
  }

  /** A Deployment that selects everything: a Warning, and observedGeneration brought up to date (errors ignored). */
  private refuseSelectingAll(ctx: DeploymentContext): void {
    const d = ctx.d;
    this.world.recordEvent(
      d,
      "Warning",
      "SelectingAll",
      "This deployment is selecting all pods. A non-empty selector is required.",
    );
    if ((d.status?.observedGeneration ?? 0) >= d.metadata.generation) return;
    try {
      this.world.store.update(d, (draft) => {
        draft.status ??= {};
        draft.status.observedGeneration = d.metadata.generation;
      });
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
  }

  // -------------------------------------------------------------------------------------------
  // ReplicaSet ownership (getReplicaSetsForDeployment, ClaimReplicaSets)
  // -------------------------------------------------------------------------------------------

  /**
   * getReplicaSetsForDeployment: the RSs this Deployment manages, oldest first. Owned RSs that still
   * match stay; owned ones that no longer match are released; orphans that match are adopted (unless
   * the Deployment or the RS is being deleted). Every RS is tried; the first error is then thrown.
   */
  getReplicaSetsForDeployment(deployment: Deployment): ReplicaSet[] {
    const cache = this.world.cache;
    const namespace = deployment.metadata.namespace;
    // The candidates: the RSs this Deployment controls (of its namespace), then the namespace's orphans.
    const owned = cache.byIndex<ReplicaSet>(INDEX_REPLICASETS_BY_CONTROLLER, deployment.metadata.uid);
    const orphans =
      cache.countByIndex(INDEX_ORPHAN_REPLICASETS_BY_NAMESPACE, namespace) === 0
        ? NO_REPLICASETS
        : cache.byIndex<ReplicaSet>(INDEX_ORPHAN_REPLICASETS_BY_NAMESPACE, namespace);
    const claim: ClaimState = { claimed: [], firstError: undefined, rechecked: false };
    for (let i = 0; i < owned.length; i++) {
      const rs = owned[i] as ReplicaSet;
      if (rs.metadata.namespace === namespace) this.claimCandidate(deployment, rs, claim);
    }
    for (let i = 0; i < orphans.length; i++) this.claimCandidate(deployment, orphans[i] as ReplicaSet, claim);
    if (claim.firstError !== undefined) throw claim.firstError;
    return sortInPlace(claim.claimed, replicaSetsByCreationTimestamp);
  }

  /** Claims one candidate into `claim`; an API error is kept (the first one) and the next RS tried. */
  private claimCandidate(deployment: Deployment, rs: ReplicaSet, claim: ClaimState): void {
    try {
      if (this.claimReplicaSet(deployment, rs, claim)) claim.claimed.push(rs);
    } catch (error) {
      if (!isApiError(error)) throw error;
      claim.firstError ??= error;
    }
  }

  /** The canAdopt of ClaimObject: RecheckDeletionTimestamp once per claim, throwing its Conflict. */
  private canAdopt(deployment: Deployment, claim: ClaimState): void {
    if (claim.rechecked) return;
    this.recheckDeletionTimestamp(deployment);
    claim.rechecked = true;
  }

  /** ClaimObject for one RS: true if the Deployment manages it after this call. */
  private claimReplicaSet(deployment: Deployment, rs: ReplicaSet, claim: ClaimState): boolean {
    const matches = matchesSelector(deployment.spec?.selector, rs.metadata.labels);
    const ref = controllerOf(rs);
    const deploymentDeleted = deployment.metadata.deletionTimestamp !== undefined;
    if (ref !== undefined) {
      if (ref.uid !== deployment.metadata.uid) return false;
      if (matches) return true;
      if (!deploymentDeleted) this.ignoreNotFound(() => this.releaseReplicaSet(deployment, rs));
      return false;
    }
    if (deploymentDeleted || !matches || rs.metadata.deletionTimestamp !== undefined) return false;
    this.canAdopt(deployment, claim);
    return this.ignoreNotFound(() => this.adoptReplicaSet(deployment, rs));
  }

  /** Runs a claim write; a NotFound (the RS is gone) counts as "not claimed". */
  private ignoreNotFound(write: () => void): boolean {
    try {
      write();
      return true;
    } catch (error) {
      if (isApiError(error, "NotFound")) return false;
      throw error;
    }
  }

  /**
   * RecheckDeletionTimestamp: before adopting, an uncached read makes sure the Deployment is still
   * the same object and not being deleted.
   */
  private recheckDeletionTimestamp(deployment: Deployment): void {
    const { namespace, name, uid } = deployment.metadata;
    const fresh = this.world.store.get<Deployment>("Deployment", namespace, name);
    const key = objectKey(namespace, name);
    if (fresh === undefined || fresh.metadata.uid !== uid) {
      throw new ApiError("Conflict", `original Deployment ${key} is gone: wanted uid ${uid}`);
    }
    if (fresh.metadata.deletionTimestamp !== undefined) {
      throw new ApiError("Conflict", `${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  }

  /**
   * AdoptReplicaSet: patches our controller ref into the RS's ownerReferences (merged by uid), with
   * the RS's uid as precondition; refused if another controller ref appeared meanwhile.
   */
  private adoptReplicaSet(deployment: Deployment, rs: ReplicaSet): void {
    const ref = controllerRef(deployment as KObject);
    this.world.store.patch<ReplicaSet>("ReplicaSet", rs.metadata.namespace, rs.metadata.name, (draft) => {
      requireUid(draft.metadata, rs);
      draft.metadata.ownerReferences ??= [];
      const refs = draft.metadata.ownerReferences;
      const index = refs.findIndex((existing) => existing.uid === ref.uid);
      if (index >= 0) refs[index] = ref;
      else refs.push(ref);
      if (refs.filter((existing) => existing.controller === true).length > 1) {
        throw new ApiError(
          "Invalid",
          `ReplicaSet ${rs.metadata.name}: only one reference can have Controller set to true`,
        );
      }
    });
  }

  /** ReleaseReplicaSet: removes our owner reference from the RS (uid precondition). */
  private releaseReplicaSet(deployment: Deployment, rs: ReplicaSet): void {
    this.world.store.patch<ReplicaSet>("ReplicaSet", rs.metadata.namespace, rs.metadata.name, (draft) => {
      requireUid(draft.metadata, rs);
      const refs = draft.metadata.ownerReferences;
      if (refs === undefined) return;
      const kept = refs.filter((existing) => existing.uid !== deployment.metadata.uid);
      if (kept.length === refs.length) return;
      if (kept.length === 0) delete draft.metadata.ownerReferences;
      else draft.metadata.ownerReferences = kept;
    });
  }
}

/** One getReplicaSetsForDeployment claim under way. */
interface ClaimState {
  /** The RSs the Deployment manages, in candidate order. */
  readonly claimed: ReplicaSet[];
  /** The first API error; the claim goes on with the other RSs and throws it at the end. */
  firstError: ApiError | undefined;
  /** Whether the Deployment was rechecked before adopting (RecheckDeletionTimestamp, sync.Once). */
  rechecked: boolean;
}

const NO_REPLICASETS: readonly ReplicaSet[] = [];

/** dc.enqueueRateLimited(d) for the key of this sync (made here: no named closure per sync). */
function rateLimitedEnqueue(queue: WorkQueue, key: string): () => void {
  return () => queue.addRateLimited(key);
}

function requireUid(metadata: { uid: string }, rs: ReplicaSet): void {
  if (metadata.uid !== rs.metadata.uid)
    throw conflict("ReplicaSet", objectKey(rs.metadata.namespace, rs.metadata.name));
}

function sameOwnerReference(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}

function sameLabels(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === b) return true;
  const keysA = Object.keys(a ?? {});
  if (keysA.length !== Object.keys(b ?? {}).length) return false;
  for (const key of keysA) if (a?.[key] !== b?.[key]) return false;
  return true;
}

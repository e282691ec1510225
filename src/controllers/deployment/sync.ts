/**
 * What every strategy shares (pkg/controller/deployment/sync.go; kubernetes-semantics.md §1.4, §1.7,
 * §1.8, §1.11): the per-sync context and the Deployment writes, finding or creating the new
 * ReplicaSet and syncing revisions, proportional scaling, scaling one ReplicaSet, cleanup of old
 * ReplicaSets, the status, and the `sync` path taken for paused Deployments and scaling events.
 *
 * Like Kubernetes, a sync works on a copy `d` of the cached Deployment that it changes in memory
 * (conditions, revision, collisionCount) and writes with the cached resourceVersion. A second
 * Deployment write in the same sync therefore fails with a Conflict and the sync is retried with
 * rate limiting, exactly as against a real API server.
 */
import { castDraft, type Draft, original, produce } from "immer";
import type { DeploymentCondition, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import { ApiError, isApiError, notFound } from "../../api/errors.ts";
import type { Deployment, ReplicaSet } from "../../api/kinds.ts";
import { controllerOf, controllerRef, copyWith, deepFreeze, type NewObject, shallowCopy } from "../../api/object.ts";
import type { World } from "../../world/world.ts";
import {
  computeHash,
  DefaultDeploymentUniqueLabelKey,
  DeploymentAvailable,
  DeploymentProgressing,
  deploymentReplicas,
  equalIgnoreHash,
  FailedRSCreateReason,
  FoundNewRSReason,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewAndOldReplicaSets,
  findNewReplicaSet,
  getActualReplicaCountForReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getDeploymentCondition,
  getDesiredReplicasAnnotation,
  getProportion,
  getReadyReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  getRollbackTo,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  MinimumReplicasAvailable,
  MinimumReplicasUnavailable,
  maxRevision,
  maxSurge,
  maxUnavailable,
  NewReplicaSetReason,
  newDeploymentCondition,
  newRSNewReplicas,
  RevisionAnnotation,
  replicaSetReplicas,
  replicaSetsByRevision,
  replicaSetsBySizeNewer,
  replicaSetsBySizeOlder,
  replicasAnnotationsNeedUpdate,
  revision,
  setDeploymentCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  skipCopyAnnotation,
  sortInPlace,
} from "./util.ts";

/** The revision history annotation is capped at 2000 characters (about 100 entries). */
export const maxRevHistoryLengthInChars = 2000;

/** One reconcile of one Deployment. */
export interface DeploymentContext {
  readonly world: World;
  /**
   * Go's `d := deployment.DeepCopy()`: the cached Deployment plus what this sync changed in memory.
   * Replaced (never mutated) through `changeDeployment`; its resourceVersion stays the cached one.
   */
  d: Deployment;
  /** dc.enqueueRateLimited(d). */
  readonly enqueueRateLimited: () => void;
  /** The last getAllReplicaSetsAndSyncRevision result that wrote nothing, with its inputs. */
  syncedReplicaSets?: SyncedReplicaSets;
}

/** A getAllReplicaSetsAndSyncRevision result, valid for exactly this working copy and list. */
export interface SyncedReplicaSets {
  readonly d: Deployment;
  readonly rsList: readonly ReplicaSet[];
  readonly replicaSets: ReplicaSetsOfDeployment;
}

/** Both halves of a ReplicaSet list: the new RS (if any) and every old RS. */
export interface ReplicaSetsOfDeployment {
  readonly newRS: ReplicaSet | undefined;
  readonly oldRSs: ReplicaSet[];
}

// ---------------------------------------------------------------------------------------------
// The working copy and the Deployment writes
// ---------------------------------------------------------------------------------------------

/** Changes the working copy in memory (Go mutating `d`). */
export function changeDeployment(ctx: DeploymentContext, recipe: (draft: Draft<Deployment>) => void): void {
  ctx.d = produce(ctx.d, recipe);
}

/**
 * Sets the working copy's status to `status` (a fresh object, which this freezes): what
 * changeDeployment(ctx, (draft) => { draft.status = status }) gives, without an immer pass.
 */
export function setWorkingStatus(ctx: DeploymentContext, status: DeploymentStatus): void {
  const d = ctx.d;
  if (!Object.isFrozen(d) || Object.getPrototypeOf(d) !== Object.prototype) {
    changeDeployment(ctx, (draft) => {
      draft.status = castDraft(status);
    });
    return;
  }
  ctx.d = Object.freeze(copyWith(d, { status: deepFreeze(status) }));
}

/** The draft's status, created empty if absent (Go's Status is a value, never nil). */
export function statusOf(draft: Draft<Deployment>): Draft<DeploymentStatus> {
  draft.status ??= {};
  return draft.status;
}

function replaceField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) {
    if (key in target) delete target[key];
    return;
  }
  target[key] = value;
}

/** UpdateStatus(d): writes the working copy's status and annotations, based on its resourceVersion. */
export function updateDeploymentStatus(ctx: DeploymentContext): void {
  const d = ctx.d;
  const stored = ctx.world.store.get(d.kind, d.metadata.namespace, d.metadata.name);
  if (d.status !== undefined && stored?.metadata.annotations === d.metadata.annotations) {
    // Annotations untouched (the common case): the status subresource write, without immer.
    ctx.world.store.updateStatus(d, d.status);
    return;
  }
  ctx.world.store.update(d, (draft) => {
    replaceField(draft as unknown as Record<string, unknown>, "status", castDraft(d.status));
    replaceField(draft.metadata as Record<string, unknown>, "annotations", castDraft(d.metadata.annotations));
  });
}

/** Update(d): writes the working copy's spec and annotations (the status is not written this way). */
export function updateDeployment(ctx: DeploymentContext): void {
  const d = ctx.d;
  ctx.world.store.update(d, (draft) => {
    replaceField(draft as unknown as Record<string, unknown>, "spec", castDraft(d.spec));
    replaceField(draft.metadata as Record<string, unknown>, "annotations", castDraft(d.metadata.annotations));
  });
}

function recordDeploymentEvent(
  ctx: DeploymentContext,
  severity: "Normal" | "Warning",
  reason: string,
  message: string,
): void {
  ctx.world.recordEvent(ctx.d, severity, reason, message);
}

// ---------------------------------------------------------------------------------------------
// New and old ReplicaSets, revisions (getAllReplicaSetsAndSyncRevision, getNewReplicaSet)
// ---------------------------------------------------------------------------------------------

/**
 * getAllReplicaSetsAndSyncRevision: the new RS (created when `createIfNotExisted`) with its revision
 * raised above every old one, and all old RSs (oldest first). Callers must not mutate the result.
 *
 * A sync often calls this twice with the same working copy and list (isScalingEvent, then the
 * strategy). When the first call found the new RS already in sync (no write, working copy
 * unchanged), the second would compute the same from the same inputs and write nothing either, so
 * its result is handed back again.
 */
export function getAllReplicaSetsAndSyncRevision(
  ctx: DeploymentContext,
  rsList: readonly ReplicaSet[],
  createIfNotExisted: boolean,
): ReplicaSetsOfDeployment {
  const d = ctx.d;
  const known = ctx.syncedReplicaSets;
  if (known !== undefined && known.d === d && known.rsList === rsList) return known.replicaSets;
  const found = findNewAndOldReplicaSets(d, rsList);
  const newRS = syncOrCreateNewReplicaSet(ctx, found.newRS, found.oldRSs, createIfNotExisted);
  if (newRS !== found.newRS) return { newRS, oldRSs: found.oldRSs };
  // Nothing was written (a write returns a new RS or changes the working copy): remember it.
  if (newRS !== undefined && ctx.d === d) ctx.syncedReplicaSets = { d, rsList, replicaSets: found };
  return found;
}

/**
 * getNewReplicaSet: the RS whose template is the Deployment's. An existing one gets its annotations
 * (revision max(old)+1 if lower, copied Deployment annotations) and minReadySeconds synced; the
 * Deployment then takes its revision. A missing one is created when asked, named
 * `<deployment>-<hash>` and already sized by NewRSNewReplicas.
 */
export function getNewReplicaSet(
  ctx: DeploymentContext,
  rsList: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  createIfNotExisted: boolean,
): ReplicaSet | undefined {
  return syncOrCreateNewReplicaSet(ctx, findNewReplicaSet(ctx.d, rsList), oldRSs, createIfNotExisted);
}

/** getNewReplicaSet after FindNewReplicaSet found `existingNewRS` (or nothing). */
function syncOrCreateNewReplicaSet(
  ctx: DeploymentContext,
  existingNewRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
  createIfNotExisted: boolean,
): ReplicaSet | undefined {
  // The new revision is kept a number until a string is needed (no String() per sync).
  const newRevisionNumber = maxRevision(oldRSs) + 1;
  if (existingNewRS !== undefined) return syncExistingNewReplicaSet(ctx, existingNewRS, newRevisionNumber);
  if (!createIfNotExisted) return undefined;
  return createNewReplicaSet(ctx, oldRSs, String(newRevisionNumber));
}

/**
 * The existing-new-RS half of getNewReplicaSet. The steady state (annotations and minReadySeconds in
 * sync, the Deployment already at the RS's revision, no Progressing condition to add) returns the RS
 * without an immer pass or a write.
 */
function syncExistingNewReplicaSet(
  ctx: DeploymentContext,
  existingNewRS: ReplicaSet,
  newRevisionNumber: number,
): ReplicaSet {
  const d = ctx.d;
  if (!newReplicaSetAnnotationsInSync(d, existingNewRS, newRevisionNumber)) {
    return syncNewReplicaSetAnnotations(ctx, existingNewRS, String(newRevisionNumber));
  }
  if ((existingNewRS.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
    return writeNewReplicaSetSync(ctx, existingNewRS, existingNewRS);
  }
  return syncDeploymentRevision(ctx, existingNewRS, existingNewRS);
}

/** syncExistingNewReplicaSet when setNewReplicaSetAnnotations may change the RS's annotations. */
function syncNewReplicaSetAnnotations(
  ctx: DeploymentContext,
  existingNewRS: ReplicaSet,
  newRevision: string,
): ReplicaSet {
  const d = ctx.d;
  let annotationsUpdated = false;
  const synced = produce(existingNewRS, (draft) => {
    annotationsUpdated = setNewReplicaSetAnnotations(d, draft, newRevision, true, maxRevHistoryLengthInChars);
  });
  const minReadySecondsNeedsUpdate = (existingNewRS.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
  if (annotationsUpdated || minReadySecondsNeedsUpdate) return writeNewReplicaSetSync(ctx, existingNewRS, synced);
  return syncDeploymentRevision(ctx, existingNewRS, synced);
}

/** Writes the synced annotations and the Deployment's minReadySeconds to the new RS. */
function writeNewReplicaSetSync(ctx: DeploymentContext, existingNewRS: ReplicaSet, synced: ReplicaSet): ReplicaSet {
  const minReadySeconds = ctx.d.spec?.minReadySeconds ?? 0;
  return ctx.world.store.update(existingNewRS, (draft) => {
    draft.metadata.annotations = castDraft(synced.metadata.annotations);
    replicaSetSpecOf(draft).minReadySeconds = minReadySeconds;
  });
}

/**
 * The Deployment takes the revision of the (unwritten) new RS, `synced` being its annotations after
 * setNewReplicaSetAnnotations, and gets Progressing=True FoundNewReplicaSet if it has a deadline and
 * no Progressing condition yet; the status is written if either changed. Returns `existingNewRS`.
 */
function syncDeploymentRevision(ctx: DeploymentContext, existingNewRS: ReplicaSet, synced: ReplicaSet): ReplicaSet {
  const d = ctx.d;
  const revisionText = synced.metadata.annotations?.[RevisionAnnotation] ?? "";
  const needsProgressing =
    hasProgressDeadline(d) && getDeploymentCondition(d.status, DeploymentProgressing) === undefined;
  // Revision already set and no condition to add: the recipe below would change nothing.
  if (!needsProgressing && d.metadata.annotations?.[RevisionAnnotation] === revisionText) return existingNewRS;
  let needsUpdate = false;
  changeDeployment(ctx, (draft) => {
    needsUpdate = setDeploymentRevision(draft, revisionText);
    // A Deployment that starts caring about progress counts from the first time we saw its new RS.
    if (needsProgressing) {
      const message = `Found new replica set ${JSON.stringify(existingNewRS.metadata.name)}`;
      const condition = newDeploymentCondition(
        DeploymentProgressing,
        "True",
        FoundNewRSReason,
        message,
        ctx.world.nowMs,
      );
      setDeploymentCondition(statusOf(draft), condition);
      needsUpdate = true;
    }
  });
  if (needsUpdate) updateDeploymentStatus(ctx);
  return existingNewRS;
}

/**
 * True when setNewReplicaSetAnnotations(d, rs, String(newRevisionNumber), exists = true) would leave
 * `rs` as it is: it has annotations, every Deployment annotation to copy is there with its value, and
 * its revision is not below the new one (or does not parse, which stops the function before any
 * change). False whenever in doubt.
 */
function newReplicaSetAnnotationsInSync(d: Deployment, rs: ReplicaSet, newRevisionNumber: number): boolean {
  const annotations = rs.metadata.annotations;
  if (annotations === undefined) return false;
  const source = d.metadata.annotations;
  if (source !== undefined) {
    // for...in, not Object.keys: no key array per sync (annotations are plain objects).
    for (const key in source) {
      if (skipCopyAnnotation(key)) continue;
      if (!(key in annotations) || annotations[key] !== source[key]) return false;
    }
  }
  const oldRevision = annotations[RevisionAnnotation];
  if (oldRevision === undefined) return false;
  const oldRevisionNumber = revision(rs);
  // String(n) of the integer n ≥ 1 is all digits (parses) exactly when n < 1e21 (no exponent).
  if (!(newRevisionNumber < 1e21)) return false;
  if (oldRevisionNumber === undefined) return oldRevision !== "";
  return oldRevisionNumber >= newRevisionNumber;
}

/** The spec with replicas = `replicas` (the spec itself if it has that already; `{ selector: {} }` if absent). */
function scaledSpec(spec: ReplicaSet["spec"], replicas: number): NonNullable<ReplicaSet["spec"]> {
  if (spec === undefined) return { selector: {}, replicas };
  return spec.replicas === replicas ? spec : copyWith(spec, { replicas });
}

/**
 * The RS's annotations after setReplicasAnnotations(desired, max): its own object when that changes
 * nothing, else a changed copy (of an empty one when it has none).
 */
function scaledAnnotations(
  rs: ReplicaSet,
  desiredReplicas: number,
  maxReplicas: number,
): Readonly<Record<string, string>> | undefined {
  const annotations = rs.metadata.annotations;
  if (!replicasAnnotationsNeedUpdate(rs, desiredReplicas, maxReplicas)) return annotations;
  const copy = { metadata: { annotations: annotations === undefined ? {} : shallowCopy(annotations) } };
  setReplicasAnnotations(copy as ReplicaSet, desiredReplicas, maxReplicas);
  return copy.metadata.annotations;
}

function replicaSetSpecOf(draft: Draft<ReplicaSet>): NonNullable<Draft<ReplicaSet>["spec"]> {
  draft.spec ??= { selector: {} };
  return draft.spec;
}

/** The ReplicaSet object getNewReplicaSet creates (before its size and annotations are set). */
function newReplicaSetObject(d: Deployment, hash: string): ReplicaSet {
  const template = d.spec?.template ?? {};
  const labels = { ...(template.metadata?.labels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
  const selector = d.spec?.selector ?? {};
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [controllerRef(d)],
      labels,
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec?.minReadySeconds ?? 0,
      selector: {
        ...selector,
        matchLabels: { ...(selector.matchLabels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash },
      },
      template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
    },
  } as unknown as ReplicaSet;
}

/** The create half of getNewReplicaSet, with hash-collision handling and the creation conditions. */
function createNewReplicaSet(ctx: DeploymentContext, oldRSs: readonly ReplicaSet[], newRevision: string): ReplicaSet {
  const d = ctx.d;
  const hash = computeHash(d.spec?.template ?? {}, d.status?.collisionCount);
  const newRS = newReplicaSetObject(d, hash);
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  (newRS.spec as { replicas: number }).replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxRevHistoryLengthInChars);

  let createdRS: ReplicaSet;
  let alreadyExists = false;
  try {
    createdRS = ctx.world.store.create<ReplicaSet>(newRS as unknown as NewObject);
  } catch (error) {
    if (!isApiError(error)) throw error;
    if (error.reason !== "AlreadyExists") throw failedToCreate(ctx, newRS.metadata.name, error);
    createdRS = adoptExistingOrCountCollision(ctx, newRS.metadata.name, error);
    alreadyExists = true;
  }
  if (!alreadyExists && newReplicasCount > 0) {
    recordDeploymentEvent(
      ctx,
      "Normal",
      "ScalingReplicaSet",
      `Scaled up replica set ${createdRS.metadata.name} to ${newReplicasCount}`,
    );
  }
  let needsUpdate = false;
  changeDeployment(ctx, (draft) => {
    needsUpdate = setDeploymentRevision(draft, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const message = `Created new replica set ${JSON.stringify(createdRS.metadata.name)}`;
      const condition = newDeploymentCondition(
        DeploymentProgressing,
        "True",
        NewReplicaSetReason,
        message,
        ctx.world.nowMs,
      );
      setDeploymentCondition(statusOf(draft), condition);
      needsUpdate = true;
    }
  });
  if (needsUpdate) updateDeploymentStatus(ctx);
  return createdRS;
}

/**
 * The name is taken: if the RS there is ours with an equal template (a slow cache), it is the new
 * RS; otherwise it is a hash collision: bump status.collisionCount (so the next sync hashes to a new
 * name) and fail the sync with the original error.
 */
function adoptExistingOrCountCollision(ctx: DeploymentContext, name: string, error: ApiError): ReplicaSet {
  const d = ctx.d;
  const rs = ctx.world.cache.get<ReplicaSet>("ReplicaSet", d.metadata.namespace, name);
  if (rs === undefined) throw notFound("ReplicaSet", `${d.metadata.namespace}/${name}`);
  const ref = controllerOf(rs);
  if (ref !== undefined && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template))
    return rs;
  changeDeployment(ctx, (draft) => {
    const status = statusOf(draft);
    status.collisionCount = (status.collisionCount ?? 0) + 1;
  });
  try {
    updateDeploymentStatus(ctx);
  } catch (updateError) {
    if (!isApiError(updateError)) throw updateError;
  }
  throw error;
}

/** Creation failed for another reason: Progressing=False ReplicaSetCreateError, a Warning event, and the error. */
function failedToCreate(ctx: DeploymentContext, name: string, error: ApiError): ApiError {
  const message = `Failed to create new replica set ${JSON.stringify(name)}: ${error.message}`;
  if (hasProgressDeadline(ctx.d)) {
    changeDeployment(ctx, (draft) => {
      const condition = newDeploymentCondition(
        DeploymentProgressing,
        "False",
        FailedRSCreateReason,
        message,
        ctx.world.nowMs,
      );
      setDeploymentCondition(statusOf(draft), condition);
    });
    try {
      updateDeploymentStatus(ctx);
    } catch (updateError) {
      if (!isApiError(updateError)) throw updateError;
    }
  }
  recordDeploymentEvent(ctx, "Warning", FailedRSCreateReason, message);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Scaling (scale, scaleReplicaSetAndRecordEvent, scaleReplicaSet)
// ---------------------------------------------------------------------------------------------

/** The result of scaling one RS: whether its size changed, and the RS as now stored (or unchanged). */
export interface ScaleResult {
  readonly scaled: boolean;
  readonly rs: ReplicaSet;
}

/**
 * scale: on a scaling event or while paused. One active RS (or none: the newest) is set straight to
 * d.spec.replicas; a saturated new RS lets every old one go to 0; otherwise, for RollingUpdate, the
 * change in replicas + maxSurge is spread over the active RSs in proportion to their sizes
 * (scaleProportionally). Recreate with several active RSs is left alone.
 */
export function scale(ctx: DeploymentContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
  const d = ctx.d;
  const replicas = deploymentReplicas(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest !== undefined) {
    if (replicaSetReplicas(activeOrLatest) !== replicas) scaleReplicaSetAndRecordEvent(ctx, activeOrLatest, replicas);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) scaleReplicaSetAndRecordEvent(ctx, old, 0);
    return;
  }
  if (isRollingUpdate(d)) scaleProportionally(ctx, newRS, oldRSs);
}

/**
 * The proportional half of scale. toAdd = (replicas + maxSurge, or 0 when scaling to 0) − Σ active
 * spec.replicas. RSs are visited largest first, ties newest first when adding and oldest first when
 * removing; each gets GetProportion; the first (largest) also takes the leftover, never going below
 * 0. Every active RS is then written if its size or replica annotations differ, in that order; the
 * first failure aborts. Example: 10 → 15 replicas (maxSurge 0) with RSs 6 and 4 (max-replicas 10):
 * the 6 gets round(6·15/10) − 6 = +3, the 4 gets +2.
 */
function scaleProportionally(
  ctx: DeploymentContext,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): void {
  const d = ctx.d;
  const replicas = deploymentReplicas(d);
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
  const deploymentReplicasToAdd = allowedSize - getReplicaCountForReplicaSets(allRSs);
  let scalingOperation = "";
  if (deploymentReplicasToAdd > 0) {
    sortInPlace(allRSs, replicaSetsBySizeNewer);
    scalingOperation = "up";
  } else if (deploymentReplicasToAdd < 0) {
    sortInPlace(allRSs, replicaSetsBySizeOlder);
    scalingOperation = "down";
  }
  const newSizes: number[] = [];
  let deploymentReplicasAdded = 0;
  for (const rs of allRSs) {
    const proportion =
      deploymentReplicasToAdd === 0 ? 0 : getProportion(rs, d, deploymentReplicasToAdd, deploymentReplicasAdded);
    newSizes.push(replicaSetReplicas(rs) + proportion);
    deploymentReplicasAdded += proportion;
  }
  for (let i = 0; i < allRSs.length; i++) {
    if (i === 0 && deploymentReplicasToAdd !== 0) {
      const leftover = deploymentReplicasToAdd - deploymentReplicasAdded;
      newSizes[0] = Math.max(0, (newSizes[0] as number) + leftover);
    }
    scaleReplicaSet(ctx, allRSs[i] as ReplicaSet, newSizes[i] as number, scalingOperation);
  }
}

/** scaleReplicaSetAndRecordEvent: scales `rs` to `newScale` unless it already has that size. */
export function scaleReplicaSetAndRecordEvent(ctx: DeploymentContext, rs: ReplicaSet, newScale: number): ScaleResult {
  const current = replicaSetReplicas(rs);
  if (current === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, current < newScale ? "up" : "down");
}

/**
 * scaleReplicaSet: writes the RS when its size or its desired-replicas / max-replicas annotations
 * differ from (newScale, replicas, replicas + maxSurge); records "Scaled up|down replica set X from A
 * to B" when the size changed. Throws the API error (Conflict on a stale RS) to requeue.
 */
export function scaleReplicaSet(
  ctx: DeploymentContext,
  rs: ReplicaSet,
  newScale: number,
  scalingOperation: string,
): ScaleResult {
  const d = ctx.d;
  const replicas = deploymentReplicas(d);
  const maxReplicas = replicas + maxSurge(d);
  const oldScale = replicaSetReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicas, maxReplicas)) return { scaled: false, rs };
  const updated = ctx.world.store.update(rs, (draft) => {
    // Whole new spec and metadata, built from the stored version: what setting spec.replicas and the
    // annotations through the draft gives, without immer drafting spec, metadata and annotations.
    const stored = original(draft) as ReplicaSet;
    const spec = scaledSpec(stored.spec, newScale);
    if (spec !== stored.spec) draft.spec = castDraft(spec);
    const annotations = scaledAnnotations(stored, replicas, maxReplicas);
    if (annotations !== stored.metadata.annotations) {
      draft.metadata = castDraft(copyWith(stored.metadata, { annotations }));
    }
  });
  if (sizeNeedsUpdate) {
    const message = `Scaled ${scalingOperation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`;
    recordDeploymentEvent(ctx, "Normal", "ScalingReplicaSet", message);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

// ---------------------------------------------------------------------------------------------
// Cleanup (cleanupDeployment)
// ---------------------------------------------------------------------------------------------

/**
 * cleanupDeployment: keeps at most revisionHistoryLimit old RSs. The candidates (old RSs not being
 * deleted) are sorted by revision; only the first `count − limit` are looked at, and each is deleted
 * only if it has no pods (spec and status 0) and its status has observed its generation. Skipped ones
 * are not replaced by later ones.
 */
export function cleanupDeployment(ctx: DeploymentContext, oldRSs: readonly ReplicaSet[]): void {
  const d = ctx.d;
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs.metadata.deletionTimestamp === undefined);
  const diff = cleanable.length - (d.spec?.revisionHistoryLimit as number);
  if (diff <= 0) return;
  sortInPlace(cleanable, replicaSetsByRevision);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i] as ReplicaSet;
    if (!isDeletableOldReplicaSet(rs)) continue;
    try {
      ctx.world.store.delete("ReplicaSet", rs.metadata.namespace, rs.metadata.name);
    } catch (error) {
      if (!isApiError(error, "NotFound")) throw error;
    }
  }
}

function isDeletableOldReplicaSet(rs: ReplicaSet): boolean {
  return (
    (rs.status?.replicas ?? 0) === 0 &&
    replicaSetReplicas(rs) === 0 &&
    rs.metadata.generation <= (rs.status?.observedGeneration ?? 0) &&
    rs.metadata.deletionTimestamp === undefined
  );
}

// ---------------------------------------------------------------------------------------------
// Status (calculateStatus, syncDeploymentStatus)
// ---------------------------------------------------------------------------------------------

/**
 * calculateStatus: the Deployment status the RSs imply. replicas, ready and available count the RSs'
 * status; updatedReplicas is the new RS's status.replicas; unavailable is Σ spec − available (≥ 0).
 * Conditions are carried over, with Available set from availableReplicas ≥ replicas − maxUnavailable.
 */
export function calculateStatus(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  deployment: Deployment,
  nowMs: number,
): DeploymentStatus {
  const availableReplicas = getAvailableReplicaCountForReplicaSets(allRSs);
  const totalReplicas = getReplicaCountForReplicaSets(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: deployment.metadata.generation,
    replicas: getActualReplicaCountForReplicaSets(allRSs),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
    availableReplicas,
    unavailableReplicas: Math.max(0, totalReplicas - availableReplicas),
  };
  const collisionCount = deployment.status?.collisionCount;
  if (collisionCount !== undefined && collisionCount !== null) status.collisionCount = collisionCount;
  const conditions = deployment.status?.conditions;
  if (conditions !== undefined && conditions.length > 0) status.conditions = [...conditions];
  const minimumAvailable = deploymentReplicas(deployment) - maxUnavailable(deployment);
  const hasMinimum = availableReplicas >= minimumAvailable;
  // setDeploymentCondition keeps a condition of the same status and reason as it is: then the
  // new one need not be built at all (the usual case: availability rarely flips).
  const current = getDeploymentCondition(status, DeploymentAvailable);
  if (current !== undefined && current.status === (hasMinimum ? "True" : "False")) {
    if (current.reason === (hasMinimum ? MinimumReplicasAvailable : MinimumReplicasUnavailable)) return status;
  }
  setDeploymentCondition(status, availableCondition(hasMinimum, nowMs));
  return status;
}

/**
 * The Available condition of calculateStatus: True MinimumReplicasAvailable with minimum
 * availability, else False MinimumReplicasUnavailable. One call for both, so optimized code that
 * has only seen one of them has no call left without feedback (which would deoptimize it).
 */
function availableCondition(hasMinimum: boolean, nowMs: number): DeploymentCondition {
  return newDeploymentCondition(
    DeploymentAvailable,
    hasMinimum ? "True" : "False",
    hasMinimum ? MinimumReplicasAvailable : MinimumReplicasUnavailable,
    hasMinimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
    nowMs,
  );
}

const STATUS_COUNTERS = [
  "observedGeneration",
  "replicas",
  "updatedReplicas",
  "readyReplicas",
  "availableReplicas",
  "unavailableReplicas",
] as const;

const CONDITION_FIELDS = ["type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime"] as const;

/**
 * reflect.DeepEqual of two Deployment statuses, reading a missing counter as 0 and a missing string
 * as "" (what Go's zero values and omitempty make of them); collisionCount is a pointer in Go, so
 * absent and 0 differ.
 */
export function deploymentStatusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  for (const field of STATUS_COUNTERS) if ((a?.[field] ?? 0) !== (b?.[field] ?? 0)) return false;
  if ((a?.collisionCount ?? undefined) !== (b?.collisionCount ?? undefined)) return false;
  const conditionsA = a?.conditions ?? [];
  const conditionsB = b?.conditions ?? [];
  if (conditionsA.length !== conditionsB.length) return false;
  for (let i = 0; i < conditionsA.length; i++) {
    const conditionA = conditionsA[i] as unknown as Record<string, string | undefined>;
    const conditionB = conditionsB[i] as unknown as Record<string, string | undefined>;
    if (conditionA === conditionB) continue;
    for (const field of CONDITION_FIELDS) if ((conditionA[field] ?? "") !== (conditionB[field] ?? "")) return false;
  }
  return true;
}

/** syncDeploymentStatus: writes the calculated status if it differs (no progress estimation). */
export function syncDeploymentStatus(
  ctx: DeploymentContext,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): void {
  const newStatus = calculateStatus(allRSs, newRS, ctx.d, ctx.world.nowMs);
  if (deploymentStatusEqual(ctx.d.status, newStatus)) return;
  setWorkingStatus(ctx, newStatus);
  updateDeploymentStatus(ctx);
}

// ---------------------------------------------------------------------------------------------
// The scaling path (sync, syncStatusOnly, isScalingEvent)
// ---------------------------------------------------------------------------------------------

/**
 * isScalingEvent: some active RS's desired-replicas annotation differs from d.spec.replicas (an RS
 * without the annotation is skipped). Syncs revisions as a side effect, as in Kubernetes.
 */
export function isScalingEvent(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  const replicas = deploymentReplicas(ctx.d);
  for (let i = 0; i < oldRSs.length; i++) {
    if (desiredReplicasDiffer(oldRSs[i] as ReplicaSet, replicas)) return true;
  }
  return newRS !== undefined && desiredReplicasDiffer(newRS, replicas);
}

/** For isScalingEvent: the RS is active and its desired-replicas annotation is set and not `replicas`. */
function desiredReplicasDiffer(rs: ReplicaSet, replicas: number): boolean {
  if (replicaSetReplicas(rs) <= 0) return false;
  const desired = getDesiredReplicasAnnotation(rs);
  return desired !== undefined && desired !== replicas;
}

/**
 * sync: the paused and scaling-event path. Never creates the new RS; scales proportionally; cleans
 * up only when paused with no rollback pending; then the status (without progress estimation).
 */
export function sync(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  scale(ctx, newRS, oldRSs);
  if (ctx.d.spec?.paused === true && getRollbackTo(ctx.d) === undefined) cleanupDeployment(ctx, oldRSs);
  syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
}

/** syncStatusOnly: a Deployment being deleted only gets its status updated. */
export function syncStatusOnly(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
}

/** Thrown for a strategy this controller does not know (Go returns an error, so it is retried). */
export function unexpectedStrategy(d: Deployment): ApiError {
  return new ApiError("Invalid", `unexpected deployment strategy type: ${String(d.spec?.strategy?.type)}`);
}

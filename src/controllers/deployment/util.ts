/**
 * Pure helpers of the Deployment controller (kubernetes-semantics.md §1), after Kubernetes'
 * pkg/controller/deployment/util/deployment_util.go, the IntOrString helpers of apimachinery
 * (util/intstr/intstr.go) and the ReplicaSet orderings and hash of pkg/controller/controller_utils.go.
 *
 * Names and argument order are Kubernetes' (in lowerCamelCase), so Kubernetes' own unit-test tables
 * port one to one. Go's `(value, error)` becomes a value or a thrown Error; Go's nil is `undefined`
 * (null is accepted too). Helpers that mutate in Go (setDeploymentCondition, setReplicasAnnotations,
 * setNewReplicaSetAnnotations, ...) mutate their argument, which must be an immer draft or a plain
 * object, never a frozen store value. Where Go dereferences a nil `*int32` replicas, this uses the
 * API default (1); status counters missing from an object count as 0, as Go's zero values.
 *
 * Follows the newer upstream (2025) where it only adds robustness: annotation counts must be
 * non-negative int32 values, and a max-replicas annotation of 0 falls back to status.replicas
 * (getReplicaSetFraction).
 */
import type { DeploymentCondition, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import type { Deployment, ReplicaSet } from "../../api/kinds.ts";
import { LABEL_POD_TEMPLATE_HASH } from "../../api/kinds.ts";
import { fromTimestamp, shallowCopy, toTimestamp, VIRTUAL_EPOCH_MS } from "../../api/object.ts";
import { isEmptySelector, matchesSelector } from "../../api/selector.ts";
import { timestampMs } from "../controller-utils.ts";

// ---------------------------------------------------------------------------------------------
// Vocabulary (deployment_util.go constants)
// ---------------------------------------------------------------------------------------------

/** The revision of a Deployment's ReplicaSet, its place in the rollout sequence. */
export const RevisionAnnotation = "deployment.kubernetes.io/revision";
/** Earlier revisions a ReplicaSet served (it became the new RS again after a rollback). */
export const RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
/** d.spec.replicas when the RS was last scaled by the Deployment: tells scaling events from rollouts. */
export const DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
/** d.spec.replicas + maxSurge when the RS was last scaled: the base of proportional scaling. */
export const MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
/** The extensions/v1beta1 `spec.rollbackTo` field, round-tripped as an annotation (apps.DeprecatedRollbackTo). */
export const DeprecatedRollbackTo = "deprecated.deployment.rollback.to";
/** kubectl apply's annotation (v1.LastAppliedConfigAnnotation); never copied between Deployment and RS. */
export const LastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
/** The label and selector key that keeps the ReplicaSets of one Deployment apart. */
export const DefaultDeploymentUniqueLabelKey = LABEL_POD_TEMPLATE_HASH;

/** Rollback event reasons. */
export const RollbackRevisionNotFound = "DeploymentRollbackRevisionNotFound";
export const RollbackTemplateUnchanged = "DeploymentRollbackTemplateUnchanged";
export const RollbackDone = "DeploymentRollback";

/** Condition types of a Deployment. */
export const DeploymentAvailable = "Available";
export const DeploymentProgressing = "Progressing";
export const DeploymentReplicaFailure = "ReplicaFailure";

/** Progressing=True: a ReplicaSet was scaled as part of the rollout (progress observed). */
export const ReplicaSetUpdatedReason = "ReplicaSetUpdated";
/** Progressing=False: the new ReplicaSet could not be created. */
export const FailedRSCreateReason = "ReplicaSetCreateError";
/** Progressing=True: the controller created the new ReplicaSet. */
export const NewReplicaSetReason = "NewReplicaSetCreated";
/** Progressing=True: an existing new ReplicaSet was found and no Progressing condition existed. */
export const FoundNewRSReason = "FoundNewReplicaSet";
/** Progressing=True: the rollout is complete (all replicas updated and available). */
export const NewRSAvailableReason = "NewReplicaSetAvailable";
/** Progressing=False: no progress within progressDeadlineSeconds. */
export const TimedOutReason = "ProgressDeadlineExceeded";
/** Progressing=Unknown: paused, so progress is not estimated. */
export const PausedDeployReason = "DeploymentPaused";
/** Progressing=Unknown: resumed; the deadline counts from here. */
export const ResumedDeployReason = "DeploymentResumed";
/** Available=True: at least spec.replicas − maxUnavailable replicas are available. */
export const MinimumReplicasAvailable = "MinimumReplicasAvailable";
/** Available=False. */
export const MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

/** math.MaxInt32: progressDeadlineSeconds or revisionHistoryLimit meaning "none". */
export const MaxInt32 = 2_147_483_647;

export type IntOrString = number | string;
type MaybeReplicaSet = ReplicaSet | null | undefined;
type Annotated = { metadata?: ObjectMeta };

// ---------------------------------------------------------------------------------------------
// Small readers (Go field access with zero values)
// ---------------------------------------------------------------------------------------------

/** *(d.spec.replicas); the API default 1 when a hand-built object leaves it out. */
export function deploymentReplicas(deployment: Deployment): number {
  return deployment.spec?.replicas ?? 1;
}

/** *(rs.spec.replicas); the API default 1 when a hand-built object leaves it out. */
export function replicaSetReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

function negativeZeroToZero(value: number): number {
  return value === 0 ? 0 : value;
}

/** strconv.Atoi: optional sign, decimal digits, nothing else. */
function parseGoInt(text: string): number | undefined {
  const first = text.charCodeAt(0);
  const start = first === CHAR_PLUS || first === CHAR_MINUS ? 1 : 0;
  return isDigitsFrom(text, start) ? negativeZeroToZero(Number.parseInt(text, 10)) : undefined;
}

const CHAR_PLUS = 43;
const CHAR_MINUS = 45;
const CHAR_0 = 48;
const CHAR_9 = 57;

/**
 * True when `text` has at least one character from `start` on and all of them are ASCII digits
 * (the regular expression /^[0-9]+$/ on that part, without a RegExp call per annotation read).
 */
function isDigitsFrom(text: string, start: number): boolean {
  if (text.length <= start) return false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < CHAR_0 || code > CHAR_9) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// IntOrString and fenceposts (intstr.go, ResolveFenceposts, MaxUnavailable, MinAvailable, MaxSurge)
// ---------------------------------------------------------------------------------------------

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is; "N%" as N·total/100 (float64, multiply first),
 * rounded up or down. Throws for nil, a string without "%" ("90"), or a non-integer percent ("%", "#%").
 */
export function getScaledValueFromIntOrPercent(
  intOrPercent: IntOrString | null | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (intOrPercent === undefined || intOrPercent === null) throw new Error("nil value for IntOrString");
  if (typeof intOrPercent === "number") return intOrPercent;
  if (!intOrPercent.endsWith("%")) {
    throw new Error(
      `invalid value for IntOrString: invalid type: string is not a percentage (${JSON.stringify(intOrPercent)})`,
    );
  }
  const percent = parseGoInt(intOrPercent.slice(0, -1));
  if (percent === undefined) {
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(intOrPercent)}`);
  }
  const scaled = (percent * total) / 100;
  return negativeZeroToZero(roundUp ? Math.ceil(scaled) : Math.floor(scaled));
}

/**
 * ResolveFenceposts: maxSurge rounded up and maxUnavailable rounded down against `desired`; nil counts
 * as 0; if both resolve to 0, unavailable becomes 1 (so 1% of 2 still lets a rollout move). Throws on
 * a malformed value. Worked orders (from the Kubernetes comment): 2 desired, unavailable 1%, surge 0%
 * → old −1, new +1, old −1, new +1; 2 desired, unavailable 0%, surge 1% → new +1, old −1, new +1, old −1.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | null | undefined,
  maxUnavailable: IntOrString | null | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** IsRollingUpdate. */
export function isRollingUpdate(deployment: Deployment): boolean {
  return deployment.spec?.strategy?.type === "RollingUpdate";
}

/** Resolved fenceposts per frozen Deployment spec (a spec that does not change keeps its object). */
const fencepostsBySpec = new WeakMap<object, { readonly surge: number; readonly unavailable: number }>();

/** ResolveFenceposts over the Deployment's own fields; Go ignores the error (validation catches it): 0, 0. */
function resolveDeploymentFenceposts(deployment: Deployment): { readonly surge: number; readonly unavailable: number } {
  const spec = deployment.spec;
  if (spec === undefined || spec === null) return computeDeploymentFenceposts(deployment);
  // Looked up before the frozen check: only frozen specs are ever filed, and they stay frozen.
  const known = fencepostsBySpec.get(spec);
  if (known !== undefined) return known;
  const resolved = computeDeploymentFenceposts(deployment);
  if (Object.isFrozen(spec)) fencepostsBySpec.set(spec, resolved);
  return resolved;
}

function computeDeploymentFenceposts(deployment: Deployment): { surge: number; unavailable: number } {
  const rollingUpdate = deployment.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(rollingUpdate?.maxSurge, rollingUpdate?.maxUnavailable, deploymentReplicas(deployment));
  } catch {
    return { surge: 0, unavailable: 0 };
  }
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas > 0; else the resolved value, at most replicas. */
export function maxUnavailable(deployment: Deployment): number {
  const replicas = deploymentReplicas(deployment);
  if (!isRollingUpdate(deployment) || replicas === 0) return 0;
  return Math.min(resolveDeploymentFenceposts(deployment).unavailable, replicas);
}

/** MinAvailable: replicas − MaxUnavailable for RollingUpdate, else 0. */
export function minAvailable(deployment: Deployment): number {
  if (!isRollingUpdate(deployment)) return 0;
  return deploymentReplicas(deployment) - maxUnavailable(deployment);
}

/** MaxSurge: the resolved surge for RollingUpdate (not clamped), else 0. */
export function maxSurge(deployment: Deployment): number {
  if (!isRollingUpdate(deployment)) return 0;
  return resolveDeploymentFenceposts(deployment).surge;
}

/**
 * NewRSNewReplicas: the size the new RS may grow to now. RollingUpdate: up to replicas + surge pods
 * in total (counting spec.replicas of every RS) and never beyond replicas; Recreate: replicas. The
 * surge comes straight from the percent (rounded up), so the both-zero rule plays no part. Throws
 * on a nil or malformed maxSurge or an unknown strategy, as Go returns an error.
 */
export function newRSNewReplicas(
  deployment: Deployment,
  allRSs: readonly MaybeReplicaSet[],
  newRS: ReplicaSet,
): number {
  const replicas = deploymentReplicas(deployment);
  switch (deployment.spec?.strategy?.type) {
    case "RollingUpdate": {
      const surge = getScaledValueFromIntOrPercent(deployment.spec?.strategy?.rollingUpdate?.maxSurge, replicas, true);
      const currentPodCount = getReplicaCountForReplicaSets(allRSs);
      const maxTotalPods = replicas + surge;
      const newRSReplicas = replicaSetReplicas(newRS);
      if (currentPodCount >= maxTotalPods) return newRSReplicas;
      const scaleUpCount = Math.min(maxTotalPods - currentPodCount, replicas - newRSReplicas);
      return newRSReplicas + scaleUpCount;
    }
    case "Recreate":
      return replicas;
    default:
      throw new Error(`deployment type ${String(deployment.spec?.strategy?.type)} isn't supported`);
  }
}

// ---------------------------------------------------------------------------------------------
// Revisions (MaxRevision, LastRevision, Revision, SetNewReplicaSetAnnotations, ...)
// ---------------------------------------------------------------------------------------------

/**
 * Revision: the revision annotation as a number; 0 when absent; undefined when it does not parse
 * (Go's error: callers skip such objects).
 */
export function revision(object: Annotated): number | undefined {
  const value = object.metadata?.annotations?.[RevisionAnnotation];
  if (value === undefined) return 0;
  return parseGoInt(value);
}

/** MaxRevision: the highest parseable revision, 0 if none. */
export function maxRevision(allRSs: readonly MaybeReplicaSet[]): number {
  let max = 0;
  for (const rs of allRSs) {
    if (rs === undefined || rs === null) continue;
    const value = revision(rs);
    if (value !== undefined && value > max) max = value;
  }
  return max;
}

/** LastRevision: the second-highest revision (the one `rollout undo` goes back to), 0 if none. */
export function lastRevision(allRSs: readonly MaybeReplicaSet[]): number {
  let max = 0;
  let secondMax = 0;
  for (const rs of allRSs) {
    if (rs === undefined || rs === null) continue;
    const value = revision(rs);
    if (value === undefined) continue;
    if (value >= max) {
      secondMax = max;
      max = value;
    } else if (value > secondMax) {
      secondMax = value;
    }
  }
  return secondMax;
}

/** Annotations never copied from a Deployment to its RS or back (annotationsToSkip). */
export const annotationsToSkip: ReadonlySet<string> = new Set([
  LastAppliedConfigAnnotation,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  DeprecatedRollbackTo,
]);

/** skipCopyAnnotation. */
export function skipCopyAnnotation(key: string): boolean {
  return annotationsToSkip.has(key);
}

function ensureAnnotations(object: { metadata?: ObjectMeta }): Record<string, string> {
  object.metadata ??= {};
  const metadata = object.metadata;
  metadata.annotations ??= {};
  return metadata.annotations;
}

/** copyDeploymentAnnotationsToReplicaSet: copies the Deployment's annotations except the skipped ones. */
export function copyDeploymentAnnotationsToReplicaSet(deployment: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = ensureAnnotations(rs);
  const source = deployment.metadata.annotations ?? {};
  for (const key of Object.keys(source)) {
    const value = source[key] as string;
    if (skipCopyAnnotation(key) || (key in target && target[key] === value)) continue;
    target[key] = value;
    changed = true;
  }
  return changed;
}

/** SetDeploymentAnnotationsTo (rollback): keep the Deployment's skipped annotations, take the rest from the RS. */
export function setDeploymentAnnotationsTo(deployment: Deployment, rollbackToRS: ReplicaSet): void {
  const kept: Record<string, string> = {};
  const current = deployment.metadata.annotations ?? {};
  for (const key of Object.keys(current)) if (skipCopyAnnotation(key)) kept[key] = current[key] as string;
  const source = rollbackToRS.metadata.annotations ?? {};
  for (const key of Object.keys(source)) if (!skipCopyAnnotation(key)) kept[key] = source[key] as string;
  deployment.metadata.annotations = kept;
}

/**
 * Appends `oldRevision` to a comma-separated revision history, dropping the oldest entries until it
 * fits in `limitInChars`; returns undefined when even the new entry alone does not fit.
 */
function appendRevisionHistory(history: string, oldRevision: string, limitInChars: number): string | undefined {
  const entries = history.split(",");
  if (entries[0] === "") return oldRevision;
  let totalLength = history.length + oldRevision.length + 1;
  let start = 0;
  while (totalLength > limitInChars && start < entries.length) {
    totalLength -= (entries[start] as string).length + 1;
    start++;
  }
  if (totalLength > limitInChars) return undefined;
  return [...entries.slice(start), oldRevision].join(",");
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations onto the new RS, raises its revision
 * to `newRevision` only if lower (recording the old one in revision-history, capped at
 * `revHistoryLimitInChars`), and, for an RS about to be created, sets desired/max replicas. Returns
 * whether the annotations changed (false, as in Go, when a revision does not parse).
 */
export function setNewReplicaSetAnnotations(
  deployment: Deployment,
  newRS: ReplicaSet,
  newRevision: string,
  exists: boolean,
  revHistoryLimitInChars: number,
): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(deployment, newRS);
  const annotations = ensureAnnotations(newRS);
  const hadRevision = RevisionAnnotation in annotations;
  const oldRevision = annotations[RevisionAnnotation] ?? "";
  let oldRevisionNumber = parseGoInt(oldRevision);
  if (oldRevisionNumber === undefined) {
    if (oldRevision !== "") return false;
    oldRevisionNumber = 0;
  }
  const newRevisionNumber = parseGoInt(newRevision);
  if (newRevisionNumber === undefined) return false;
  if (oldRevisionNumber < newRevisionNumber) {
    annotations[RevisionAnnotation] = newRevision;
    changed = true;
    if (hadRevision) {
      const history = appendRevisionHistory(
        annotations[RevisionHistoryAnnotation] ?? "",
        oldRevision,
        revHistoryLimitInChars,
      );
      if (history !== undefined) annotations[RevisionHistoryAnnotation] = history;
    }
  }
  if (!exists) {
    const replicas = deploymentReplicas(deployment);
    if (setReplicasAnnotations(newRS, replicas, replicas + maxSurge(deployment))) changed = true;
  }
  return changed;
}

/** SetDeploymentRevision: sets the Deployment's revision annotation; true if it changed. */
export function setDeploymentRevision(deployment: Deployment, revisionText: string): boolean {
  const annotations = ensureAnnotations(deployment);
  if (annotations[RevisionAnnotation] === revisionText) return false;
  annotations[RevisionAnnotation] = revisionText;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Replica annotations and proportional scaling (GetProportion, getReplicaSetFraction, IsSaturated)
// ---------------------------------------------------------------------------------------------

/** getNonNegativeInt32FromAnnotation: a base-10 int in [0, MaxInt32], else undefined. */
export function getNonNegativeInt32FromAnnotation(rs: Annotated, key: string): number | undefined {
  const value = rs.metadata?.annotations?.[key];
  if (value === undefined || !isDigitsFrom(value, 0)) return undefined;
  const parsed = Number.parseInt(value, 10);
  return parsed > MaxInt32 ? undefined : parsed;
}

/** GetDesiredReplicasAnnotation. */
export function getDesiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return getNonNegativeInt32FromAnnotation(rs, DesiredReplicasAnnotation);
}

/** getMaxReplicasAnnotation. */
export function getMaxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return getNonNegativeInt32FromAnnotation(rs, MaxReplicasAnnotation);
}

/** SetReplicasAnnotations: writes desired-replicas and max-replicas; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  const annotations = ensureAnnotations(rs);
  let updated = false;
  if (annotations[DesiredReplicasAnnotation] !== String(desiredReplicas)) {
    annotations[DesiredReplicasAnnotation] = String(desiredReplicas);
    updated = true;
  }
  if (annotations[MaxReplicasAnnotation] !== String(maxReplicas)) {
    annotations[MaxReplicasAnnotation] = String(maxReplicas);
    updated = true;
  }
  return updated;
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desiredReplicas: number, maxReplicas: number): boolean {
  const annotations = rs.metadata?.annotations;
  if (annotations === undefined) return true;
  return (
    annotations[DesiredReplicasAnnotation] !== String(desiredReplicas) ||
    annotations[MaxReplicasAnnotation] !== String(maxReplicas)
  );
}

/** integer.RoundToInt32: round half away from zero, then truncate to int32. */
export function roundToInt32(value: number): number {
  return negativeZeroToZero(value < 0 ? Math.trunc(value - 0.5) : Math.trunc(value + 0.5));
}

/**
 * getReplicaSetFraction: how many replicas this RS gains (or loses, negative) when the Deployment's
 * allowed size changes from the RS's max-replicas annotation to replicas + maxSurge:
 * round(rs.spec × newMax / oldMax) − rs.spec. Scaling to 0 removes the whole RS. A missing, invalid
 * or 0 annotation falls back to d.status.replicas; if that is 0 too, nothing changes.
 * Example: 50 of 100 scaled to 120 → round(50·120/100) − 50 = +10.
 */
export function getReplicaSetFraction(rs: ReplicaSet, deployment: Deployment): number {
  const rsReplicas = replicaSetReplicas(rs);
  const replicas = deploymentReplicas(deployment);
  if (replicas === 0) return negativeZeroToZero(-rsReplicas);
  const deploymentMaxReplicas = replicas + maxSurge(deployment);
  let annotatedReplicas = getMaxReplicasAnnotation(rs) ?? 0;
  if (annotatedReplicas === 0) annotatedReplicas = deployment.status?.replicas ?? 0;
  if (annotatedReplicas === 0) return 0;
  // Go multiplies two int32 values (wrapping) before the float division.
  const newRSSize = Math.imul(rsReplicas, deploymentMaxReplicas) / annotatedReplicas;
  return roundToInt32(newRSSize) - rsReplicas;
}

/**
 * GetProportion: the replicas this RS gets out of `deploymentReplicasToAdd`, given that
 * `deploymentReplicasAdded` were already handed out: its fraction, never past what is left.
 */
export function getProportion(
  rs: MaybeReplicaSet,
  deployment: Deployment,
  deploymentReplicasToAdd: number,
  deploymentReplicasAdded: number,
): number {
  if (rs === undefined || rs === null) return 0;
  if (
    replicaSetReplicas(rs) === 0 ||
    deploymentReplicasToAdd === 0 ||
    deploymentReplicasToAdd === deploymentReplicasAdded
  ) {
    return 0;
  }
  const fraction = getReplicaSetFraction(rs, deployment);
  const allowed = deploymentReplicasToAdd - deploymentReplicasAdded;
  return deploymentReplicasToAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** GetReplicaSetProportion: the older Kubernetes name of GetProportion. */
export const getReplicaSetProportion = getProportion;

/**
 * IsSaturated: the new RS owns all desired replicas: its spec and its desired-replicas annotation
 * both equal d.spec.replicas, and all of them are available.
 */
export function isSaturated(deployment: Deployment, rs: MaybeReplicaSet): boolean {
  if (rs === undefined || rs === null) return false;
  const desired = parseGoInt(rs.metadata?.annotations?.[DesiredReplicasAnnotation] ?? "");
  if (desired === undefined) return false;
  const replicas = deploymentReplicas(deployment);
  return (
    replicaSetReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** FindActiveOrLatest: the only active RS, or the newest one when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: MaybeReplicaSet, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if ((newRS === undefined || newRS === null) && oldRSs.length === 0) return undefined;
  const newestFirst = sortInPlace([...oldRSs], (a, b) => replicaSetsByCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Counting (GetReplicaCountForReplicaSets, ...), filters and orderings (controller_utils.go)
// ---------------------------------------------------------------------------------------------

/** GetReplicaCountForReplicaSets: Σ spec.replicas. */
export function getReplicaCountForReplicaSets(replicaSets: readonly MaybeReplicaSet[]): number {
  let total = 0;
  for (let i = 0; i < replicaSets.length; i++) {
    const rs = replicaSets[i];
    if (rs !== undefined && rs !== null) total += replicaSetReplicas(rs);
  }
  return total;
}

/** GetActualReplicaCountForReplicaSets: Σ status.replicas. */
export function getActualReplicaCountForReplicaSets(replicaSets: readonly MaybeReplicaSet[]): number {
  let total = 0;
  for (let i = 0; i < replicaSets.length; i++) {
    const rs = replicaSets[i];
    if (rs !== undefined && rs !== null) total += rs.status?.replicas ?? 0;
  }
  return total;
}

/** GetReadyReplicaCountForReplicaSets: Σ status.readyReplicas. */
export function getReadyReplicaCountForReplicaSets(replicaSets: readonly MaybeReplicaSet[]): number {
  let total = 0;
  for (let i = 0; i < replicaSets.length; i++) {
    const rs = replicaSets[i];
    if (rs !== undefined && rs !== null) total += rs.status?.readyReplicas ?? 0;
  }
  return total;
}

/** GetAvailableReplicaCountForReplicaSets: Σ status.availableReplicas. */
export function getAvailableReplicaCountForReplicaSets(replicaSets: readonly MaybeReplicaSet[]): number {
  let total = 0;
  for (let i = 0; i < replicaSets.length; i++) {
    const rs = replicaSets[i];
    if (rs !== undefined && rs !== null) total += rs.status?.availableReplicas ?? 0;
  }
  return total;
}

/** controller.FilterActiveReplicaSets: the RSs with spec.replicas > 0 (nil entries dropped). */
export function filterActiveReplicaSets(replicaSets: readonly MaybeReplicaSet[]): ReplicaSet[] {
  const active: ReplicaSet[] = [];
  for (let i = 0; i < replicaSets.length; i++) {
    const rs = replicaSets[i];
    if (rs !== undefined && rs !== null && replicaSetReplicas(rs) > 0) active.push(rs);
  }
  return active;
}

/** fromTimestamp, memoized (timestampMs reads "" as the zero time, so that one is parsed as before). */
export function stampMs(stamp: string): number {
  return stamp === "" ? fromTimestamp(stamp) : timestampMs(stamp);
}

function creationMs(object: Annotated): number {
  const stamp = object.metadata?.creationTimestamp;
  if (stamp === undefined) return Number.NEGATIVE_INFINITY;
  return stampMs(stamp);
}

function compareNames(a: Annotated, b: Annotated): number {
  const nameA = a.metadata?.name ?? "";
  const nameB = b.metadata?.name ?? "";
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** ReplicaSetsByCreationTimestamp as a sort comparator: oldest first, then by name. */
/**
 * Sorts `items` in place and returns it, exactly as a stable Array.prototype.sort would. A
 * Deployment has a handful of ReplicaSets, sorted on every sync; an insertion sort of a few entries
 * allocates nothing, where the built-in sort sets up its merge state each time.
 */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    while (j >= 0 && compare(items[j] as T, item) > 0) {
      items[j + 1] = items[j] as T;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

export function replicaSetsByCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const timeA = creationMs(a);
  const timeB = creationMs(b);
  if (timeA !== timeB) return timeA < timeB ? -1 : 1;
  return compareNames(a, b);
}

/** ReplicaSetsBySizeOlder: largest first; on equal size the oldest first (scaling down). */
export function replicaSetsBySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const sizeA = replicaSetReplicas(a);
  const sizeB = replicaSetReplicas(b);
  if (sizeA !== sizeB) return sizeA > sizeB ? -1 : 1;
  return replicaSetsByCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: largest first; on equal size the newest first, then reverse name (scaling up). */
export function replicaSetsBySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const sizeA = replicaSetReplicas(a);
  const sizeB = replicaSetReplicas(b);
  if (sizeA !== sizeB) return sizeA > sizeB ? -1 : 1;
  return replicaSetsByCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: by revision; equal or unparsable revisions by creation time, then name. */
export function replicaSetsByRevision(a: ReplicaSet, b: ReplicaSet): number {
  const revisionA = revision(a);
  const revisionB = revision(b);
  if (revisionA === undefined || revisionB === undefined || revisionA === revisionB) {
    return replicaSetsByCreationTimestamp(a, b);
  }
  return revisionA < revisionB ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Templates: EqualIgnoreHash, FindNewReplicaSet, FindOldReplicaSets, SetFromReplicaSetTemplate
// ---------------------------------------------------------------------------------------------

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * apiequality.Semantic.DeepEqual for JSON values: like a deep equality, but a missing field, null,
 * an empty list and an empty map are all equal (Go does not tell nil from empty slices and maps).
 */
export function semanticDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyValue(a) && isEmptyValue(b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticDeepEqual(a[i], other[i])) return false;
    return true;
  }
  return recordsEqualExcept(a as Record<string, unknown>, b as Record<string, unknown>, undefined);
}

function recordsEqualExcept(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  ignoredKey: string | undefined,
): boolean {
  for (const key of Object.keys(a)) {
    if (key !== ignoredKey && !semanticDeepEqual(a[key], b[key])) return false;
  }
  for (const key of Object.keys(b)) {
    if (key !== ignoredKey && !(key in a) && !semanticDeepEqual(undefined, b[key])) return false;
  }
  return true;
}

/**
 * EqualIgnoreHash: two pod templates are equal apart from the pod-template-hash label (the
 * Deployment's template has none; its RSs' templates carry one each).
 */
export function equalIgnoreHash(
  template1: PodTemplateSpec | undefined,
  template2: PodTemplateSpec | undefined,
): boolean {
  if (template1 === template2) return true;
  if (template1 === undefined || template2 === undefined) return computeEqualIgnoreHash(template1, template2);
  // Frozen templates (store values) never change: remember the last answer per template pair.
  // Looked up before the frozen checks: only pairs of frozen templates are ever filed.
  const known = lastEqualIgnoreHash.get(template1);
  if (known !== undefined && known.other === template2) return known.equal;
  const equal = computeEqualIgnoreHash(template1, template2);
  if (Object.isFrozen(template1) && Object.isFrozen(template2))
    lastEqualIgnoreHash.set(template1, { other: template2, equal });
  return equal;
}

/** The last equalIgnoreHash answer for a frozen template, with the frozen template it was compared to. */
const lastEqualIgnoreHash = new WeakMap<
  PodTemplateSpec,
  { readonly other: PodTemplateSpec; readonly equal: boolean }
>();

function computeEqualIgnoreHash(
  template1: PodTemplateSpec | undefined,
  template2: PodTemplateSpec | undefined,
): boolean {
  const meta1 = (template1?.metadata ?? {}) as Record<string, unknown>;
  const meta2 = (template2?.metadata ?? {}) as Record<string, unknown>;
  const labels1 = (meta1.labels ?? {}) as Record<string, unknown>;
  const labels2 = (meta2.labels ?? {}) as Record<string, unknown>;
  return (
    recordsEqualExcept(labels1, labels2, DefaultDeploymentUniqueLabelKey) &&
    recordsEqualExcept(meta1, meta2, "labels") &&
    recordsEqualExcept(
      (template1 ?? {}) as Record<string, unknown>,
      (template2 ?? {}) as Record<string, unknown>,
      "metadata",
    )
  );
}

/**
 * The RSs oldest first: the list itself when it is already in that order (the controller passes
 * sorted lists; a stable sort would leave them as they are), else a sorted copy. Never mutates.
 */
export function sortedByCreationTimestamp(rsList: readonly ReplicaSet[]): readonly ReplicaSet[] {
  for (let i = 1; i < rsList.length; i++) {
    if (replicaSetsByCreationTimestamp(rsList[i - 1] as ReplicaSet, rsList[i] as ReplicaSet) > 0) {
      return sortInPlace([...rsList], replicaSetsByCreationTimestamp);
    }
  }
  return rsList;
}

/** FindNewReplicaSet: the oldest RS (creation time, then name) whose template equals the Deployment's. */
export function findNewReplicaSet(deployment: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  const sorted = sortedByCreationTimestamp(rsList);
  const template = deployment.spec?.template;
  for (const rs of sorted) if (equalIgnoreHash(rs.spec?.template, template)) return rs;
  return undefined;
}

/**
 * FindOldReplicaSets: every RS but the new one, oldest first, as [old RSs with spec.replicas ≠ 0,
 * all old RSs] (Go returns the two lists).
 */
export function findOldReplicaSets(
  deployment: Deployment,
  rsList: readonly ReplicaSet[],
): [ReplicaSet[], ReplicaSet[]] {
  const sorted = sortedByCreationTimestamp(rsList);
  const newRS = findNewReplicaSet(deployment, sorted);
  const requiredRSs: ReplicaSet[] = [];
  const allRSs: ReplicaSet[] = [];
  for (const rs of sorted) {
    if (newRS !== undefined && rs.metadata.uid === newRS.metadata.uid) continue;
    allRSs.push(rs);
    if (replicaSetReplicas(rs) !== 0) requiredRSs.push(rs);
  }
  return [requiredRSs, allRSs];
}

/**
 * FindNewReplicaSet and the second list of FindOldReplicaSets (every RS but the new one, oldest
 * first) from one pass over the RSs sorted oldest first, as getAllReplicaSetsAndSyncRevision needs
 * them. Same results as calling the two.
 */
export function findNewAndOldReplicaSets(
  deployment: Deployment,
  rsList: readonly ReplicaSet[],
): { readonly newRS: ReplicaSet | undefined; readonly oldRSs: ReplicaSet[] } {
  const sorted = sortedByCreationTimestamp(rsList);
  const template = deployment.spec?.template;
  let newRS: ReplicaSet | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i] as ReplicaSet;
    if (equalIgnoreHash(rs.spec?.template, template)) {
      newRS = rs;
      break;
    }
  }
  return { newRS, oldRSs: replicaSetsExcept(sorted, newRS) };
}

/** The RSs (in order) whose uid is not `excluded`'s (all of them without one). */
function replicaSetsExcept(rsList: readonly ReplicaSet[], excluded: ReplicaSet | undefined): ReplicaSet[] {
  const uid = excluded?.metadata.uid;
  const result = emptyObjectList<ReplicaSet>();
  for (let i = 0; i < rsList.length; i++) {
    const rs = rsList[i] as ReplicaSet;
    if (rs.metadata.uid !== uid) result.push(rs);
  }
  return result;
}

/**
 * An empty array that V8 already keeps as a list of objects. `[]` starts as a list of small
 * integers and changes representation with its first object, so code optimized while every list
 * it saw was empty (no old ReplicaSets before the first rollout) would be deoptimized by the first
 * non-empty one; lists that all start here look alike to it whether empty or not.
 */
export function emptyObjectList<T extends object>(): T[] {
  const list: (T | null)[] = [null];
  list.pop();
  return list as T[];
}

/** The labels without pod-template-hash (labelsutil.CloneAndRemoveLabel). */
export function labelsWithoutHash(
  labels: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  const { [DefaultDeploymentUniqueLabelKey]: _hash, ...rest } = labels;
  return rest;
}

/** A copy of the template whose labels lack pod-template-hash (what a rollback puts back in a Deployment). */
export function templateWithoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const metadata = { ...(template.metadata ?? {}) };
  const labels = labelsWithoutHash(template.metadata?.labels);
  if (labels === undefined) delete metadata.labels;
  else metadata.labels = labels;
  return { ...template, metadata };
}

/** SetFromReplicaSetTemplate: puts an RS's template (without its hash label) into the Deployment. */
export function setFromReplicaSetTemplate(deployment: Deployment, template: PodTemplateSpec): Deployment {
  deployment.spec ??= { selector: {}, template: {} };
  deployment.spec.template = templateWithoutHash(template);
  return deployment;
}

// ---------------------------------------------------------------------------------------------
// Progress and conditions (DeploymentComplete, DeploymentProgressing, DeploymentTimedOut, ...)
// ---------------------------------------------------------------------------------------------

/** HasProgressDeadline: progressDeadlineSeconds set and not MaxInt32. */
export function hasProgressDeadline(deployment: Deployment): boolean {
  const deadline = deployment.spec?.progressDeadlineSeconds;
  return deadline !== undefined && deadline !== null && deadline !== MaxInt32;
}

/** HasRevisionHistoryLimit: revisionHistoryLimit set and not MaxInt32. */
export function hasRevisionHistoryLimit(deployment: Deployment): boolean {
  const limit = deployment.spec?.revisionHistoryLimit;
  return limit !== undefined && limit !== null && limit !== MaxInt32;
}

/** DeploymentComplete: all desired replicas updated, present and available, and the generation observed. */
export function deploymentComplete(deployment: Deployment, newStatus: DeploymentStatus): boolean {
  const replicas = deploymentReplicas(deployment);
  return (
    (newStatus.updatedReplicas ?? 0) === replicas &&
    (newStatus.replicas ?? 0) === replicas &&
    (newStatus.availableReplicas ?? 0) === replicas &&
    (newStatus.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0)
  );
}

/**
 * DeploymentProgressing: compared with the Deployment's current status, more updated replicas, fewer
 * old replicas (replicas − updated), more ready or more available replicas.
 */
export function deploymentProgressing(deployment: Deployment, newStatus: DeploymentStatus): boolean {
  const oldStatus = deployment.status ?? {};
  const oldStatusOldReplicas = (oldStatus.replicas ?? 0) - (oldStatus.updatedReplicas ?? 0);
  const newStatusOldReplicas = (newStatus.replicas ?? 0) - (newStatus.updatedReplicas ?? 0);
  return (
    (newStatus.updatedReplicas ?? 0) > (oldStatus.updatedReplicas ?? 0) ||
    newStatusOldReplicas < oldStatusOldReplicas ||
    (newStatus.readyReplicas ?? 0) > (oldStatus.readyReplicas ?? 0) ||
    (newStatus.availableReplicas ?? 0) > (oldStatus.availableReplicas ?? 0)
  );
}

/** Virtual milliseconds of `now`: a number is virtual ms (world.nowMs); a Date is wall-clock time. */
function virtualMs(now: number | Date): number {
  return typeof now === "number" ? now : now.getTime() - VIRTUAL_EPOCH_MS;
}

/**
 * DeploymentTimedOut: a Progressing condition exists, is not NewReplicaSetAvailable, and either
 * already says ProgressDeadlineExceeded or its lastUpdateTime + progressDeadlineSeconds is strictly
 * before `now` (virtual ms, or a Date).
 */
export function deploymentTimedOut(deployment: Deployment, newStatus: DeploymentStatus, now: number | Date): boolean {
  if (!hasProgressDeadline(deployment)) return false;
  const condition = getDeploymentCondition(newStatus, DeploymentProgressing);
  if (condition === undefined) return false;
  if (condition.reason === NewRSAvailableReason) return false;
  if (condition.reason === TimedOutReason) return true;
  const fromMs = condition.lastUpdateTime === undefined ? Number.NEGATIVE_INFINITY : stampMs(condition.lastUpdateTime);
  return fromMs + (deployment.spec?.progressDeadlineSeconds as number) * 1000 < virtualMs(now);
}

/** NewDeploymentCondition, stamped at `nowMs` (virtual ms, whole seconds as the API stores them). */
export function newDeploymentCondition(
  conditionType: string,
  status: string,
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const stamp = toTimestamp(nowMs);
  return { type: conditionType, status, lastUpdateTime: stamp, lastTransitionTime: stamp, reason, message };
}

/** GetDeploymentCondition. */
export function getDeploymentCondition(
  status: DeploymentStatus | undefined,
  conditionType: string,
): DeploymentCondition | undefined {
  const conditions = status?.conditions;
  if (conditions === undefined) return undefined;
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i] as DeploymentCondition;
    if (condition.type === conditionType) return condition;
  }
  return undefined;
}

/**
 * SetDeploymentCondition: a condition of the same type with the same status and reason is left as it
 * is (lastUpdateTime not refreshed); with the same status only, lastTransitionTime is kept. The new
 * condition goes last. Mutates `status`.
 */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) return;
  const next = shallowCopy(condition);
  if (current !== undefined && current.status === condition.status)
    next.lastTransitionTime = current.lastTransitionTime;
  const conditions = filterOutCondition(status.conditions, condition.type);
  conditions.push(next);
  status.conditions = conditions;
}

/** RemoveDeploymentCondition. Mutates `status`; an empty list is removed, as Go leaves it nil. */
export function removeDeploymentCondition(status: DeploymentStatus, conditionType: string): void {
  // Nothing of that type: only an empty list has to go (no filtered copy needed).
  if (getDeploymentCondition(status, conditionType) === undefined) {
    if ((status.conditions?.length ?? 0) === 0) delete status.conditions;
    return;
  }
  const remaining = filterOutCondition(status.conditions, conditionType);
  if (remaining.length === 0) delete status.conditions;
  else if (remaining.length !== (status.conditions?.length ?? 0)) status.conditions = remaining;
}

function filterOutCondition(
  conditions: readonly DeploymentCondition[] | undefined,
  conditionType: string,
): DeploymentCondition[] {
  if (conditions === undefined) return [];
  // A loop, not filter: status lists are frozen, and Array builtins are several times slower on
  // frozen arrays (V8 leaves their fast path).
  const kept: DeploymentCondition[] = [];
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i] as DeploymentCondition;
    if (condition.type !== conditionType) kept.push(condition);
  }
  return kept;
}

/** ReplicaSetToDeploymentCondition: an RS's ReplicaFailure condition, promoted to the Deployment. */
export function replicaSetToDeploymentCondition(condition: {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}): DeploymentCondition {
  return {
    type: condition.type,
    status: condition.status,
    lastTransitionTime: condition.lastTransitionTime,
    lastUpdateTime: condition.lastTransitionTime,
    reason: condition.reason,
    message: condition.message,
  };
}

// ---------------------------------------------------------------------------------------------
// Ownership (GetDeploymentsForReplicaSet) and the pod-template hash (controller.ComputeHash)
// ---------------------------------------------------------------------------------------------

/**
 * GetDeploymentsForReplicaSet: the Deployments of the RS's namespace whose (non-empty) selector
 * matches its labels; empty when the RS has no labels. Takes the Deployments to search, where Go
 * takes a lister.
 */
export function getDeploymentsForReplicaSet(deployments: Iterable<Deployment>, rs: ReplicaSet): Deployment[] {
  const labels = rs.metadata.labels;
  if (labels === undefined || Object.keys(labels).length === 0) return [];
  const matching: Deployment[] = [];
  for (const deployment of deployments) {
    if (deployment.metadata.namespace !== rs.metadata.namespace) continue;
    const selector = deployment.spec?.selector;
    if (isEmptySelector(selector) || !matchesSelector(selector, labels)) continue;
    matching.push(deployment);
  }
  return matching;
}

/** JSON with object keys sorted, so equal templates always hash alike. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  }
  return `{${parts.join(",")}}`;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

function fnv32a(bytes: Uint8Array, start = FNV32_OFFSET): number {
  let hash = start;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV32_PRIME) >>> 0;
  return hash;
}

/** rand.SafeEncodeString: maps each character onto an alphabet without vowels (no accidental words). */
export function safeEncodeString(text: string): string {
  const alphanums = "bcdfghjklmnpqrstvwxz2456789";
  let encoded = "";
  for (const char of text) encoded += alphanums[(char.codePointAt(0) as number) % alphanums.length];
  return encoded;
}

/**
 * controller.ComputeHash: FNV-32a over the template (canonical JSON here, where Go hashes its
 * spew dump), then the collisionCount as 8 little-endian bytes if set, safe-encoded. Deterministic,
 * and a different collisionCount gives a different name.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number | null): string {
  let hash = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}

// ---------------------------------------------------------------------------------------------
// The deprecated rollback annotation (rollback.go getRollbackTo / setRollbackTo)
// ---------------------------------------------------------------------------------------------

/** getRollbackTo: the revision requested by the rollback annotation; undefined if absent, empty or not a number. */
export function getRollbackTo(deployment: Deployment): { revision: number } | undefined {
  const value = deployment.metadata?.annotations?.[DeprecatedRollbackTo];
  if (value === undefined || value === "") return undefined;
  const parsed = parseGoInt(value);
  return parsed === undefined ? undefined : { revision: parsed };
}

/** setRollbackTo: sets the rollback annotation, or removes it for undefined. Mutates `deployment`. */
export function setRollbackTo(deployment: Deployment, rollbackTo: { revision: number } | undefined): void {
  if (rollbackTo === undefined) {
    const annotations = deployment.metadata?.annotations;
    if (annotations !== undefined && DeprecatedRollbackTo in annotations) delete annotations[DeprecatedRollbackTo];
    return;
  }
  ensureAnnotations(deployment)[DeprecatedRollbackTo] = String(rollbackTo.revision);
}

/**
 * Rollout progress (pkg/controller/deployment/progress.go and checkPausedConditions of sync.go;
 * kubernetes-semantics.md §1.12, §1.13): the Progressing condition, the progress deadline and the
 * re-check timer, and the Unknown condition that pausing and resuming leave.
 *
 * A deadline that passes does not stop the rollout; it only sets Progressing=False
 * ProgressDeadlineExceeded. Time comparisons use whole-second condition timestamps against the
 * virtual clock, with Kubernetes' strict "before".
 */
import type { DeploymentCondition, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import type { Deployment, ReplicaSet } from "../../api/kinds.ts";
import type { SyncResult } from "../controller.ts";
import {
  calculateStatus,
  changeDeployment,
  type DeploymentContext,
  deploymentStatusEqual,
  setWorkingStatus,
  statusOf,
  updateDeploymentStatus,
} from "./sync.ts";
import {
  DeploymentProgressing,
  DeploymentReplicaFailure,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getDeploymentCondition,
  hasProgressDeadline,
  NewRSAvailableReason,
  newDeploymentCondition,
  PausedDeployReason,
  ReplicaSetUpdatedReason,
  ResumedDeployReason,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  setDeploymentCondition,
  stampMs,
  TimedOutReason,
} from "./util.ts";

/** The extra second Kubernetes adds to a progress re-check, against clock skew in AddAfter. */
const PROGRESS_RECHECK_SLACK_MS = 1000;

/**
 * syncRolloutStatus: the status during a rollout. Calculates it (as syncDeploymentStatus), then, when
 * a deadline is set and the rollout is not already known complete, sets Progressing: True
 * NewReplicaSetAvailable when complete; True ReplicaSetUpdated (lastUpdateTime refreshed, which
 * restarts the deadline) on any progress; False ProgressDeadlineExceeded once timed out. Copies an
 * RS's ReplicaFailure. Writes if anything changed, else arranges the next progress check.
 */
export function syncRolloutStatus(
  ctx: DeploymentContext,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): SyncResult {
  const d = ctx.d;
  const newStatus = calculateStatus(allRSs, newRS, d, ctx.world.nowMs);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, DeploymentProgressing);
  const currentCondition = getDeploymentCondition(d.status, DeploymentProgressing);
  const isCompleteDeployment =
    newStatus.replicas === newStatus.updatedReplicas && currentCondition?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    estimateProgress(ctx, newStatus, newRS, currentCondition);
  }
  const replicaFailure = getReplicaFailures(allRSs, newRS);
  if (replicaFailure !== undefined) setDeploymentCondition(newStatus, replicaFailure);
  else removeDeploymentCondition(newStatus, DeploymentReplicaFailure);

  if (deploymentStatusEqual(d.status, newStatus)) return requeueStuckDeployment(ctx, newStatus);
  setWorkingStatus(ctx, newStatus);
  updateDeploymentStatus(ctx);
  return undefined;
}

/** The Progressing part of syncRolloutStatus: complete, else progressing, else timed out. Mutates `newStatus`. */
function estimateProgress(
  ctx: DeploymentContext,
  newStatus: DeploymentStatus,
  newRS: ReplicaSet | undefined,
  currentCondition: DeploymentCondition | undefined,
): void {
  const d = ctx.d;
  const nowMs = ctx.world.nowMs;
  if (deploymentComplete(d, newStatus)) {
    const message = `${progressSubject(d, newRS)} has successfully progressed.`;
    setDeploymentCondition(
      newStatus,
      newDeploymentCondition(DeploymentProgressing, "True", NewRSAvailableReason, message, nowMs),
    );
  } else if (deploymentProgressing(d, newStatus)) {
    // Written even when the reason is unchanged: the fresh lastUpdateTime restarts the deadline.
    const condition = newDeploymentCondition(
      DeploymentProgressing,
      "True",
      ReplicaSetUpdatedReason,
      `${progressSubject(d, newRS)} is progressing.`,
      nowMs,
    );
    if (currentCondition !== undefined) {
      if (currentCondition.status === "True") condition.lastTransitionTime = currentCondition.lastTransitionTime;
      removeDeploymentCondition(newStatus, DeploymentProgressing);
    }
    setDeploymentCondition(newStatus, condition);
  } else if (deploymentTimedOut(d, newStatus, nowMs)) {
    const message = `${progressSubject(d, newRS)} has timed out progressing.`;
    setDeploymentCondition(
      newStatus,
      newDeploymentCondition(DeploymentProgressing, "False", TimedOutReason, message, nowMs),
    );
  }
}

/** What the Progressing messages name: the new RS, or the Deployment when there is none. */
function progressSubject(d: Deployment, newRS: ReplicaSet | undefined): string {
  return newRS === undefined
    ? `Deployment ${JSON.stringify(d.metadata.name)}`
    : `ReplicaSet ${JSON.stringify(newRS.metadata.name)}`;
}

/** getReplicaFailures: the new RS's ReplicaFailure condition, else the first one of any RS. */
export function getReplicaFailures(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): DeploymentCondition | undefined {
  const fromNew = replicaFailureOf(newRS);
  if (fromNew !== undefined) return fromNew;
  for (let i = 0; i < allRSs.length; i++) {
    const failure = replicaFailureOf(allRSs[i]);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

function replicaFailureOf(rs: ReplicaSet | undefined): DeploymentCondition | undefined {
  const conditions = rs?.status?.conditions;
  if (conditions === undefined || conditions === null) return undefined;
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i] as NonNullable<typeof conditions>[number];
    if (condition.type === DeploymentReplicaFailure) return replicaSetToDeploymentCondition(condition);
  }
  return undefined;
}

/**
 * requeueStuckDeployment's arithmetic: −1 when no progress check is needed (no deadline, no
 * Progressing condition, complete, or already timed out); 0 when the deadline is less than a second
 * away (check now, rate limited); otherwise the milliseconds until lastUpdateTime + deadline.
 * Example: updated 3 min ago with a 10 min deadline → 7 min.
 */
export function stuckDeploymentRecheckMs(deployment: Deployment, newStatus: DeploymentStatus, nowMs: number): number {
  const currentCondition = getDeploymentCondition(deployment.status, DeploymentProgressing);
  if (!hasProgressDeadline(deployment) || currentCondition === undefined) return -1;
  if (deploymentComplete(deployment, newStatus) || currentCondition.reason === TimedOutReason) return -1;
  const lastUpdateMs =
    currentCondition.lastUpdateTime === undefined ? Number.NEGATIVE_INFINITY : stampMs(currentCondition.lastUpdateTime);
  const afterMs = lastUpdateMs + (deployment.spec?.progressDeadlineSeconds as number) * 1000 - nowMs;
  return afterMs < 1000 ? 0 : afterMs;
}

/**
 * requeueStuckDeployment: a Deployment that shows no progress is looked at again when its deadline
 * passes (plus a second), or at once with rate limiting when that is under a second away, so the
 * timeout is noticed without any other event.
 */
export function requeueStuckDeployment(ctx: DeploymentContext, newStatus: DeploymentStatus): SyncResult {
  const afterMs = stuckDeploymentRecheckMs(ctx.d, newStatus, ctx.world.nowMs);
  if (afterMs < 0) return undefined;
  if (afterMs === 0) {
    ctx.enqueueRateLimited();
    return undefined;
  }
  return { requeueAfterMs: afterMs + PROGRESS_RECHECK_SLACK_MS };
}

/**
 * checkPausedConditions: with a progress deadline, pausing sets Progressing=Unknown DeploymentPaused
 * and resuming Progressing=Unknown DeploymentResumed (its fresh lastUpdateTime makes the deadline
 * count from the resume). A ProgressDeadlineExceeded condition is never overwritten.
 */
export function checkPausedConditions(ctx: DeploymentContext): void {
  const condition = pauseTransitionCondition(ctx.d, ctx.world.nowMs);
  if (condition === undefined) return;
  changeDeployment(ctx, (draft) => setDeploymentCondition(statusOf(draft), condition));
  updateDeploymentStatus(ctx);
}

/** The Unknown condition a pause or resume calls for, if any (the decision half of checkPausedConditions). */
function pauseTransitionCondition(d: Deployment, nowMs: number): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const current = getDeploymentCondition(d.status, DeploymentProgressing);
  if (current?.reason === TimedOutReason) return undefined;
  const pausedConditionExists = current?.reason === PausedDeployReason;
  const paused = d.spec?.paused === true;
  if (paused && !pausedConditionExists) {
    return newDeploymentCondition(DeploymentProgressing, "Unknown", PausedDeployReason, "Deployment is paused", nowMs);
  }
  if (!paused && pausedConditionExists) {
    return newDeploymentCondition(
      DeploymentProgressing,
      "Unknown",
      ResumedDeployReason,
      "Deployment is resumed",
      nowMs,
    );
  }
  return undefined;
}

/**
 * Rolling back to an earlier revision (kubernetes-semantics.md §1.10), both ways Kubernetes has:
 *
 * - the controller path (pkg/controller/deployment/rollback.go), triggered by the deprecated
 *   `deprecated.deployment.rollback.to` annotation: the controller copies the old ReplicaSet's
 *   template and annotations into the Deployment and clears the annotation;
 * - `kubectl rollout undo` (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go), a client
 *   that patches the template and annotations itself; the scenario runner's `rollback` action.
 *
 * Either way the rollout then proceeds normally: the old ReplicaSet matches the template again,
 * becomes the new one and gets revision max+1 (its old number goes to revision-history).
 */
import { castDraft } from "immer";
import type { Deployment, ReplicaSet } from "../../api/kinds.ts";
import { controllerOf } from "../../api/object.ts";
import { matchesSelector } from "../../api/selector.ts";
import type { Store } from "../../api/store.ts";
import type { SyncResult } from "../controller.ts";
import {
  changeDeployment,
  type DeploymentContext,
  getAllReplicaSetsAndSyncRevision,
  updateDeployment,
} from "./sync.ts";
import {
  annotationsToSkip,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  getRollbackTo,
  lastRevision,
  RollbackDone,
  RollbackRevisionNotFound,
  RollbackTemplateUnchanged,
  revision,
  setDeploymentAnnotationsTo,
  setFromReplicaSetTemplate,
  setRollbackTo,
  templateWithoutHash,
} from "./util.ts";

// ---------------------------------------------------------------------------------------------
// Controller path
// ---------------------------------------------------------------------------------------------

/**
 * rollback: goes to the revision the annotation names (0: the previous one, LastRevision). Found
 * with a different template: template and annotations copied, event DeploymentRollback. Same
 * template: Warning DeploymentRollbackTemplateUnchanged. Not found: Warning
 * DeploymentRollbackRevisionNotFound. The annotation is removed in every case (one Update).
 */
export function rollback(ctx: DeploymentContext, rsList: readonly ReplicaSet[]): SyncResult {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, true);
  const allRSs = newRS === undefined ? oldRSs : [...oldRSs, newRS];
  let toRevision = getRollbackTo(ctx.d)?.revision ?? 0;
  if (toRevision === 0) {
    toRevision = lastRevision(allRSs);
    if (toRevision === 0) {
      emitRollbackWarningEvent(ctx, RollbackRevisionNotFound, "Unable to find last revision.");
      updateDeploymentAndClearRollbackTo(ctx);
      return undefined;
    }
  }
  for (const rs of allRSs) {
    if (revision(rs) !== toRevision) continue;
    if (rollbackToTemplate(ctx, rs)) {
      const message = `Rolled back deployment ${JSON.stringify(ctx.d.metadata.name)} to revision ${toRevision}`;
      ctx.world.recordEvent(ctx.d, "Normal", RollbackDone, message);
    }
    return undefined;
  }
  emitRollbackWarningEvent(ctx, RollbackRevisionNotFound, "Unable to find the revision to rollback to.");
  updateDeploymentAndClearRollbackTo(ctx);
  return undefined;
}

/**
 * rollbackToTemplate: copies the RS's template (without its hash label) and annotations into the
 * Deployment when they differ from its template, then clears the annotation. True if it rolled back.
 */
export function rollbackToTemplate(ctx: DeploymentContext, rs: ReplicaSet): boolean {
  let performedRollback = false;
  if (!equalIgnoreHash(ctx.d.spec?.template, rs.spec?.template)) {
    changeDeployment(ctx, (draft) => {
      setFromReplicaSetTemplate(draft, castDraft(rs.spec?.template ?? {}));
      setDeploymentAnnotationsTo(draft, rs);
    });
    performedRollback = true;
  } else {
    const message = `The rollback revision contains the same template as current deployment ${JSON.stringify(ctx.d.metadata.name)}`;
    emitRollbackWarningEvent(ctx, RollbackTemplateUnchanged, message);
  }
  updateDeploymentAndClearRollbackTo(ctx);
  return performedRollback;
}

function emitRollbackWarningEvent(ctx: DeploymentContext, reason: string, message: string): void {
  ctx.world.recordEvent(ctx.d, "Warning", reason, message);
}

/** updateDeploymentAndClearRollbackTo: removes the annotation and writes the Deployment (spec and metadata). */
export function updateDeploymentAndClearRollbackTo(ctx: DeploymentContext): void {
  changeDeployment(ctx, (draft) => setRollbackTo(draft, undefined));
  updateDeployment(ctx);
}

// ---------------------------------------------------------------------------------------------
// kubectl rollout undo
// ---------------------------------------------------------------------------------------------

export type RollbackResult = { ok: true; message: string } | { ok: false; message: string };

/** The ReplicaSets kubectl considers the Deployment's: selected by its selector and controlled by it. */
function replicaSetsOfDeployment(store: Store, deployment: Deployment): ReplicaSet[] {
  const owned: ReplicaSet[] = [];
  for (const rs of store.list<ReplicaSet>("ReplicaSet")) {
    if (rs.metadata.namespace !== deployment.metadata.namespace) continue;
    if (!matchesSelector(deployment.spec?.selector, rs.metadata.labels)) continue;
    if (controllerOf(rs)?.uid === deployment.metadata.uid) owned.push(rs);
  }
  return owned;
}

/**
 * kubectl's deploymentRevision: the RS with revision `toRevision`, or for 0 the second-newest
 * revision; an error message when there is none.
 */
function deploymentRevision(
  deployment: Deployment,
  rsList: readonly ReplicaSet[],
  toRevision: number,
): { rs: ReplicaSet } | { error: string } {
  const [, allOldRSs] = findOldReplicaSets(deployment, rsList);
  const newRS = findNewReplicaSet(deployment, rsList);
  const allRSs = newRS === undefined ? allOldRSs : [...allOldRSs, newRS];
  let latestRevision = -1;
  let latestRS: ReplicaSet | undefined;
  let previousRevision = -1;
  let previousRS: ReplicaSet | undefined;
  for (const rs of allRSs) {
    const value = revision(rs);
    if (value === undefined) continue;
    if (toRevision > 0) {
      if (value === toRevision) return { rs };
    } else if (latestRevision < value) {
      previousRevision = latestRevision;
      previousRS = latestRS;
      latestRevision = value;
      latestRS = rs;
    } else if (previousRevision < value) {
      previousRevision = value;
      previousRS = rs;
    }
  }
  if (toRevision > 0) return { error: `unable to find specified revision ${toRevision} in history` };
  if (previousRS === undefined)
    return { error: `no rollout history found for deployment ${JSON.stringify(deployment.metadata.name)}` };
  return { rs: previousRS };
}

/** The annotations kubectl writes back: the Deployment's skipped ones, the rest from the RS. */
function rollbackAnnotations(deployment: Deployment, rs: ReplicaSet): Record<string, string> {
  const annotations: Record<string, string> = {};
  const current = deployment.metadata.annotations ?? {};
  for (const key of annotationsToSkip) if (key in current) annotations[key] = current[key] as string;
  const source = rs.metadata.annotations ?? {};
  for (const key of Object.keys(source)) if (!annotationsToSkip.has(key)) annotations[key] = source[key] as string;
  return annotations;
}

/**
 * `kubectl rollout undo [--to-revision=N]` against the API store. Refuses a negative or unknown
 * revision and a paused Deployment; 0 or undefined means the previous revision. If the template
 * already matches, it skips; otherwise it patches the template (without the pod-template-hash label)
 * and the annotations, and the Deployment controller takes it from there.
 */
export function rollbackDeployment(store: Store, deployment: Deployment, toRevision?: number): RollbackResult {
  const target = toRevision ?? 0;
  if (target < 0) return { ok: false, message: `unable to find specified revision ${target} in history` };
  const { namespace, name } = deployment.metadata;
  const current = store.get<Deployment>("Deployment", namespace, name);
  if (current === undefined) return { ok: false, message: `failed to retrieve Deployment ${name}: not found` };
  const found = deploymentRevision(current, replicaSetsOfDeployment(store, current), target);
  if ("error" in found) return { ok: false, message: found.error };
  if (current.spec?.paused === true) {
    return {
      ok: false,
      message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    };
  }
  const rsTemplate = found.rs.spec?.template ?? {};
  if (equalIgnoreHash(rsTemplate, current.spec?.template)) {
    return {
      ok: true,
      message: `deployment.apps/${name} skipped rollback (current template already matches revision ${target})`,
    };
  }
  const template = templateWithoutHash(rsTemplate);
  const annotations = rollbackAnnotations(current, found.rs);
  store.patch<Deployment>("Deployment", namespace, name, (draft) => {
    if (draft.spec !== undefined) draft.spec.template = castDraft(template);
    draft.metadata.annotations = annotations;
  });
  return { ok: true, message: `deployment.apps/${name} rolled back` };
}

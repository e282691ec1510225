/**
 * Rollback (kubernetes-semantics.md §1.10): the controller path driven by the deprecated
 * `deprecated.deployment.rollback.to` annotation, and `kubectl rollout undo` (rollbackDeployment).
 */
import { describe, expect, it } from "vitest";
import { rollbackDeployment } from "../../../src/controllers/deployment/rollback.ts";
import {
  DeprecatedRollbackTo,
  DesiredReplicasAnnotation,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
} from "../../../src/controllers/deployment/util.ts";
import { DeploymentFixture, rolloutInProgress } from "./fixture.ts";

/** A Deployment at revision 2 (app:v2) with revision 1 (app:v1) kept, both RSs annotated with a change cause. */
function twoRevisions(annotations: Record<string, string> = {}, paused = false) {
  const f = new DeploymentFixture();
  f.createDeployment({
    replicas: 2,
    paused,
    annotations: { [RevisionAnnotation]: "2", "kubernetes.io/change-cause": "edit", ...annotations },
    status: rolloutInProgress(0, paused ? "DeploymentPaused" : "NewReplicaSetAvailable"),
  });
  f.createReplicaSet({
    name: "web-v1",
    image: "app:v1",
    replicas: 0,
    revision: 1,
    annotations: { "kubernetes.io/change-cause": "create" },
    status: { replicas: 0 },
  });
  f.advance(1000);
  f.createReplicaSet({
    name: "web-v2",
    image: "app:v2",
    replicas: 2,
    revision: 2,
    annotations: { "kubernetes.io/change-cause": "edit" },
    status: { replicas: 2, availableReplicas: 2 },
  });
  f.settle();
  return f;
}

function image(f: DeploymentFixture): string | undefined {
  return f.deployment().spec?.template?.spec?.containers[0]?.image;
}

describe("rollback (controller path)", () => {
  it("rolls back to the previous revision for 0: template without hash label, the RS's annotations, event, annotation cleared", () => {
    const f = twoRevisions({ [DeprecatedRollbackTo]: "0" });
    const generation = f.deployment().metadata.generation;
    f.sync();
    const d = f.deployment();
    expect(image(f)).toBe("app:v1");
    expect(d.spec?.template?.metadata?.labels).toEqual({ app: "web" });
    expect(d.metadata.annotations).toEqual({ [RevisionAnnotation]: "2", "kubernetes.io/change-cause": "create" });
    expect(d.metadata.generation).toBe(generation + 1);
    expect(f.events()).toEqual([
      { reason: "DeploymentRollback", message: 'Rolled back deployment "web" to revision 1', severity: "Normal" },
    ]);
  });

  it("then makes the old RS the new one with revision 3 and records 1 in its history", () => {
    const f = twoRevisions({ [DeprecatedRollbackTo]: "1" });
    f.sync();
    f.settle();
    // isScalingEvent syncs the revision; the rollout then works on the stale cached RS and conflicts.
    f.syncExpectingError("Conflict");
    expect(f.rs("web-v1").metadata.annotations).toMatchObject({
      [RevisionAnnotation]: "3",
      [RevisionHistoryAnnotation]: "1",
    });
    f.settle();
    f.syncUntilQuiet();
    expect(f.rs("web-v1").spec?.replicas).toBe(1);
    expect(f.deployment().metadata.annotations?.[RevisionAnnotation]).toBe("3");
  });

  it.each([
    ["an unknown revision", "7", "DeploymentRollbackRevisionNotFound", "Unable to find the revision to rollback to."],
    [
      "the current revision",
      "2",
      "DeploymentRollbackTemplateUnchanged",
      'The rollback revision contains the same template as current deployment "web"',
    ],
  ])("refuses %s with a Warning and clears the annotation", (_name, revision, reason, message) => {
    const f = twoRevisions({ [DeprecatedRollbackTo]: revision });
    f.sync();
    expect(image(f)).toBe("app:v2");
    expect(f.deployment().metadata.annotations?.[DeprecatedRollbackTo]).toBeUndefined();
    expect(f.events()).toEqual([{ reason, message, severity: "Warning" }]);
  });

  it("gives up when there is no previous revision", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 1,
      annotations: { [RevisionAnnotation]: "1", [DeprecatedRollbackTo]: "0" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-v2",
      image: "app:v2",
      replicas: 1,
      revision: 1,
      status: { replicas: 1, availableReplicas: 1 },
    });
    f.settle();
    f.sync();
    expect(f.deployment().metadata.annotations?.[DeprecatedRollbackTo]).toBeUndefined();
    expect(f.events()).toEqual([
      { reason: "DeploymentRollbackRevisionNotFound", message: "Unable to find last revision.", severity: "Warning" },
    ]);
  });

  it("ignores an annotation that is not a number (the rollout proceeds, the annotation stays)", () => {
    const f = twoRevisions({ [DeprecatedRollbackTo]: "previous" });
    f.sync();
    expect(image(f)).toBe("app:v2");
    expect(f.deployment().metadata.annotations?.[DeprecatedRollbackTo]).toBe("previous");
    expect(f.events("DeploymentRollback")).toEqual([]);
  });
});

describe("rollbackDeployment (kubectl rollout undo)", () => {
  it("patches the previous revision's template (no hash label) and annotations", () => {
    const f = twoRevisions({ "kubectl.kubernetes.io/last-applied-configuration": "{}" });
    const result = rollbackDeployment(f.world.store, f.deployment());
    expect(result).toEqual({ ok: true, message: "deployment.apps/web rolled back" });
    expect(image(f)).toBe("app:v1");
    expect(f.deployment().spec?.template?.metadata?.labels).toEqual({ app: "web" });
    expect(f.deployment().metadata.annotations).toEqual({
      [RevisionAnnotation]: "2",
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
      "kubernetes.io/change-cause": "create",
    });
  });

  it.each([
    ["undefined: the previous revision", undefined, true, "app:v1"],
    ["0: the previous revision", 0, true, "app:v1"],
    ["an explicit revision", 1, true, "app:v1"],
    ["the current revision: skipped", 2, true, "app:v2"],
    ["a negative revision", -1, false, "app:v2"],
    ["an unknown revision", 9, false, "app:v2"],
  ] as const)("--to-revision %s", (_name, toRevision, ok, expectedImage) => {
    const f = twoRevisions();
    const result = rollbackDeployment(f.world.store, f.deployment(), toRevision);
    expect(result.ok).toBe(ok);
    expect(image(f)).toBe(expectedImage);
  });

  it("gives the reason when it refuses or skips", () => {
    const f = twoRevisions();
    expect(rollbackDeployment(f.world.store, f.deployment(), 9).message).toBe(
      "unable to find specified revision 9 in history",
    );
    expect(rollbackDeployment(f.world.store, f.deployment(), 2).message).toBe(
      "deployment.apps/web skipped rollback (current template already matches revision 2)",
    );
  });

  it("refuses a paused Deployment", () => {
    const f = twoRevisions({}, true);
    const result = rollbackDeployment(f.world.store, f.deployment());
    expect(result).toEqual({
      ok: false,
      message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    });
    expect(image(f)).toBe("app:v2");
  });

  it("refuses when there is no history", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 1 });
    f.createReplicaSet({ name: "web-v2", image: "app:v2", replicas: 1, revision: 1 });
    const result = rollbackDeployment(f.world.store, f.deployment());
    expect(result).toEqual({ ok: false, message: 'no rollout history found for deployment "web"' });
  });

  it("only considers ReplicaSets the Deployment controls", () => {
    const f = twoRevisions();
    f.createReplicaSet({ name: "stray", image: "app:v0", replicas: 0, revision: 1, owner: null });
    f.world.store.delete("ReplicaSet", "default", "web-v1");
    expect(rollbackDeployment(f.world.store, f.deployment()).ok).toBe(false);
    expect(f.deployment().metadata.annotations?.[DesiredReplicasAnnotation]).toBeUndefined();
  });
});

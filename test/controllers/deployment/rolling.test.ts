/**
 * RollingUpdate, one reconcile at a time (kubernetes-semantics.md §1.4, §1.5): the new RS is created
 * already sized, each reconcile scales one direction only, unhealthy old replicas go first, and the
 * budgets follow maxSurge (spec counts) and maxUnavailable (available counts).
 */
import { describe, expect, it } from "vitest";
import {
  computeHash,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  RevisionAnnotation,
} from "../../../src/controllers/deployment/util.ts";
import { DeploymentFixture, rolloutInProgress } from "./fixture.ts";

/** Deployment 10 replicas (maxSurge 3, maxUnavailable 2) moving from app:v1 to app:v2. */
function midRollout(newRS?: { replicas: number; available: number }, old = { replicas: 10, available: 10 }) {
  const f = new DeploymentFixture();
  f.createDeployment({
    replicas: 10,
    maxSurge: 3,
    maxUnavailable: 2,
    annotations: { [RevisionAnnotation]: newRS === undefined ? "1" : "2" },
    status: rolloutInProgress(),
  });
  f.createReplicaSet({
    name: "web-old",
    image: "app:v1",
    replicas: old.replicas,
    revision: 1,
    max: 13,
    status: { replicas: old.replicas, availableReplicas: old.available },
  });
  if (newRS !== undefined) {
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: newRS.replicas,
      revision: 2,
      max: 13,
      status: { replicas: newRS.replicas, availableReplicas: newRS.available },
    });
  }
  f.settle();
  return f;
}

describe("rolloutRolling: creating the new ReplicaSet", () => {
  it("creates <name>-<hash> already scaled up to the surge, and scales the old RS down in the same reconcile", () => {
    const f = midRollout();
    const template = f.deployment().spec?.template;
    const hash = computeHash(template ?? {});

    // Creating the RS writes the Deployment's status (revision, NewReplicaSetCreated); the final
    // status write is based on the same resourceVersion and conflicts, as in Kubernetes.
    f.syncExpectingError("Conflict");

    const created = f.rs(`web-${hash}`);
    expect(created.spec?.replicas).toBe(3);
    expect(created.metadata.labels?.["pod-template-hash"]).toBe(hash);
    expect(created.spec?.template?.metadata?.labels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(created.spec?.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(created.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Deployment", name: "web", uid: f.deployment().metadata.uid, controller: true }),
    ]);
    expect(created.metadata.annotations).toMatchObject({
      [RevisionAnnotation]: "2",
      [DesiredReplicasAnnotation]: "10",
      [MaxReplicasAnnotation]: "13",
    });
    // 13 pods allowed, 10 available, minAvailable 8 → the old RS may lose 2.
    expect(f.rs("web-old").spec?.replicas).toBe(8);
    expect(f.deployment().metadata.annotations?.[RevisionAnnotation]).toBe("2");
    expect(f.condition("Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetCreated" });
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      `Scaled up replica set web-${hash} to 3`,
      "Scaled down replica set web-old from 10 to 8",
    ]);
  });

  it("retries cleanly once the cache has seen its writes", () => {
    const f = midRollout();
    f.syncExpectingError("Conflict");
    f.settle();
    f.sync();
    const status = f.deployment().status;
    expect(status).toMatchObject({ observedGeneration: 1, replicas: 10, updatedReplicas: 0, availableReplicas: 10 });
    expect(f.createdReplicaSets("web-old")).toHaveLength(1);
  });

  it("creates the new RS at 0 when the surge is used up", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 3, maxSurge: 0, maxUnavailable: 1 });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 3,
      revision: 1,
      status: { replicas: 3, availableReplicas: 3 },
    });
    f.settle();
    f.syncExpectingError("Conflict");
    expect(f.createdReplicaSets("web-old").map((rs) => rs.spec?.replicas)).toEqual([0]);
    expect(f.rs("web-old").spec?.replicas).toBe(2);
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled down replica set web-old from 3 to 2",
    ]);
  });
});

describe("rolloutRolling: one step per reconcile", () => {
  it("scales the new RS up and leaves the old RS alone, even when availability would allow a scale-down", () => {
    const f = midRollout({ replicas: 3, available: 3 }, { replicas: 8, available: 8 });
    f.sync();
    // 8 + 3 = 11 of 13 allowed → new RS +2.
    expect(f.sizes()).toEqual({ "web-new": 5, "web-old": 8 });
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled up replica set web-new from 3 to 5",
    ]);
  });

  it("then scales old RSs down by what availability allows", () => {
    const f = midRollout({ replicas: 5, available: 3 }, { replicas: 8, available: 8 });
    f.sync();
    // 13 − 8 − (5 − 3) = 3 may go; 11 available − 8 = 3.
    expect(f.sizes()).toEqual({ "web-new": 5, "web-old": 5 });
  });

  it("does not touch old RSs while the new pods crash-loop (the Kubernetes example: 13 − 8 − 5 = 0)", () => {
    const f = midRollout({ replicas: 5, available: 0 }, { replicas: 8, available: 7 });
    const before = f.replicaSets();
    f.sync();
    expect(f.replicaSets()).toEqual(before);
    expect(f.events("ScalingReplicaSet")).toEqual([]);
  });

  it("scales a too-large new RS down to replicas", () => {
    const f = midRollout({ replicas: 12, available: 12 }, { replicas: 0, available: 0 });
    f.sync();
    expect(f.rs("web-new").spec?.replicas).toBe(10);
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled down replica set web-new from 12 to 10",
    ]);
  });

  it.each([
    // 2 desired: the order of steps from Kubernetes' ResolveFenceposts comment
    ["unavailable 1%, surge 0%: the old RS goes first", "0%", "1%", { created: 0, old: 1 }],
    ["unavailable 0%, surge 1%: the new RS goes first", "1%", "0%", { created: 1, old: 2 }],
    ["unavailable 25%, surge 1%: the new RS goes first", "1%", "25%", { created: 1, old: 2 }],
  ] as const)("%s", (_name, surge, unavailable, expected) => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, maxSurge: surge, maxUnavailable: unavailable });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 2,
      revision: 1,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.settle();
    try {
      f.sync();
    } catch {
      // the closing status write conflicts after the creation; the RS writes are what matter here
    }
    expect(f.createdReplicaSets("web-old").map((rs) => rs.spec?.replicas)).toEqual([expected.created]);
    expect(f.rs("web-old").spec?.replicas).toBe(expected.old);
  });
});

describe("reconcileOldReplicaSets", () => {
  it("removes unhealthy old replicas first (oldest RS first), then available ones down to minAvailable", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 4,
      maxSurge: 1,
      maxUnavailable: 1,
      annotations: { [RevisionAnnotation]: "3" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-a",
      image: "app:v0",
      replicas: 2,
      revision: 1,
      max: 5,
      status: { replicas: 2, availableReplicas: 1 },
    });
    f.advance(1000);
    f.createReplicaSet({
      name: "web-b",
      image: "app:v1",
      replicas: 2,
      revision: 2,
      max: 5,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 1,
      revision: 3,
      max: 5,
      status: { replicas: 1, availableReplicas: 1 },
    });
    f.settle();
    f.sync();
    // maxScaledDown = 5 − 3 − 0 = 2: the unavailable replica of web-a, then (4 available − 3) one more, oldest first.
    expect(f.sizes()).toEqual({ "web-a": 0, "web-b": 2, "web-new": 1 });
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled down replica set web-a from 2 to 1",
      "Scaled down replica set web-a from 1 to 0",
    ]);
  });

  it("gives up the step (no error) when an old RS reports more available replicas than its spec", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 4,
      maxSurge: 1,
      maxUnavailable: 1,
      annotations: { [RevisionAnnotation]: "2" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 2,
      revision: 1,
      max: 5,
      status: { replicas: 4, availableReplicas: 4 },
    });
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 3,
      revision: 2,
      max: 5,
      status: { replicas: 3, availableReplicas: 3 },
    });
    f.settle();
    f.sync();
    expect(f.sizes()).toEqual({ "web-new": 3, "web-old": 2 });
  });
});

describe("rolloutRolling: completion", () => {
  it("reports Progressing NewReplicaSetAvailable and cleans up old RSs beyond revisionHistoryLimit", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 2,
      maxSurge: 1,
      maxUnavailable: 0,
      revisionHistoryLimit: 1,
      annotations: { [RevisionAnnotation]: "4" },
    });
    for (const [i, name] of ["web-r1", "web-r2", "web-r3"].entries()) {
      f.createReplicaSet({ name, image: `app:v${i}`, replicas: 0, revision: i + 1, max: 3, status: { replicas: 0 } });
    }
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 2,
      revision: 4,
      max: 3,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.setDeploymentStatus({
      ...rolloutInProgress(),
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      readyReplicas: 2,
    });
    f.settle();
    f.sync();
    // 3 old RSs, limit 1: the two lowest revisions go.
    expect(f.replicaSets().map((rs) => rs.metadata.name)).toEqual(["web-new", "web-r3"]);
    expect(f.condition("Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
    expect(f.condition("Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
  });
});

/**
 * The shared `sync` path (kubernetes-semantics.md §1.7, §1.8, §1.11, §1.13): proportional scaling
 * when replicas change mid-rollout, paused Deployments, revisionHistoryLimit cleanup, and the status.
 */
import { describe, expect, it } from "vitest";
import type { Deployment, ReplicaSet } from "../../../src/api/kinds.ts";
import { toTimestamp } from "../../../src/api/object.ts";
import {
  calculateStatus,
  type DeploymentContext,
  getAllReplicaSetsAndSyncRevision,
  setWorkingStatus,
} from "../../../src/controllers/deployment/sync.ts";
import {
  DeprecatedRollbackTo,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  RevisionAnnotation,
} from "../../../src/controllers/deployment/util.ts";
import { DeploymentFixture, rolloutInProgress } from "./fixture.ts";

interface TwoReplicaSets {
  replicas: number;
  maxSurge: number | string;
  maxUnavailable: number | string;
  oldSize: number;
  newSize: number;
  desired: number;
  max: number;
  paused?: boolean;
  strategy?: "Recreate";
  sameAge?: boolean;
}

/** A Deployment whose spec.replicas just changed, with an old and a new RS sized for `desired`. */
function scaledMidRollout(options: TwoReplicaSets) {
  const f = new DeploymentFixture();
  f.createDeployment({
    replicas: options.replicas,
    maxSurge: options.maxSurge,
    maxUnavailable: options.maxUnavailable,
    strategy: options.strategy === undefined ? undefined : { type: "Recreate" },
    paused: options.paused,
    annotations: { [RevisionAnnotation]: "2" },
    status: rolloutInProgress(),
  });
  const common = { desired: options.desired, max: options.max };
  f.createReplicaSet({
    name: "web-old",
    image: "app:v1",
    replicas: options.oldSize,
    revision: 1,
    ...common,
    status: { replicas: options.oldSize, availableReplicas: options.oldSize },
  });
  if (options.sameAge !== true) f.advance(1000);
  f.createReplicaSet({
    name: "web-new",
    image: "app:v2",
    replicas: options.newSize,
    revision: 2,
    ...common,
    status: { replicas: options.newSize, availableReplicas: options.newSize },
  });
  f.settle();
  return f;
}

function replicaAnnotations(rs: ReplicaSet) {
  return [rs.metadata.annotations?.[DesiredReplicasAnnotation], rs.metadata.annotations?.[MaxReplicasAnnotation]];
}

describe("proportional scaling (scale)", () => {
  it.each([
    // [name, replicas, surge, unavailable, old, new, desired annotation, max annotation, expected old, expected new, new max annotation]
    ["10 → 15 mid-rollout: the larger RS takes more", 15, 3, 2, 8, 5, 10, 13, 11, 7, "18"],
    ["10 → 5 mid-rollout: both shrink in proportion", 5, 3, 2, 8, 5, 10, 13, 5, 3, "8"],
    ["to 0: everything goes", 0, 3, 2, 8, 5, 10, 13, 0, 0, "3"],
    ["ties when adding: the newer RS gets the odd replica", 11, 0, 1, 5, 5, 10, 10, 5, 6, "11"],
    ["ties when removing: the leftover goes to the older RS", 9, 0, 1, 5, 5, 10, 10, 4, 5, "9"],
    ["percent surge: allowed = 20 + 5", 20, "25%", "25%", 6, 7, 10, 13, 12, 13, "25"],
  ] as const)(
    "%s",
    (_name, replicas, maxSurge, maxUnavailable, oldSize, newSize, desired, max, expectedOld, expectedNew, newMax) => {
      const f = scaledMidRollout({ replicas, maxSurge, maxUnavailable, oldSize, newSize, desired, max });
      f.sync();
      expect(f.sizes()).toEqual({ "web-new": expectedNew, "web-old": expectedOld });
      for (const name of ["web-old", "web-new"]) {
        expect(replicaAnnotations(f.rs(name))).toEqual([String(replicas), newMax]);
      }
    },
  );

  it("records one event per resized RS, largest first", () => {
    const f = scaledMidRollout({
      replicas: 15,
      maxSurge: 3,
      maxUnavailable: 2,
      oldSize: 8,
      newSize: 5,
      desired: 10,
      max: 13,
    });
    f.sync();
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled up replica set web-old from 8 to 11",
      "Scaled up replica set web-new from 5 to 7",
    ]);
  });

  it("rewrites the annotations without resizing when there is nothing to add", () => {
    // replicas 12 + surge 1 = 13 = 8 + 5: sizes stay, annotations move to 12 / 13.
    const f = scaledMidRollout({
      replicas: 12,
      maxSurge: 1,
      maxUnavailable: 1,
      oldSize: 8,
      newSize: 5,
      desired: 10,
      max: 11,
    });
    f.sync();
    expect(f.sizes()).toEqual({ "web-new": 5, "web-old": 8 });
    expect(replicaAnnotations(f.rs("web-old"))).toEqual(["12", "13"]);
    expect(replicaAnnotations(f.rs("web-new"))).toEqual(["12", "13"]);
    expect(f.events("ScalingReplicaSet")).toEqual([]);
  });

  it("scales a single active RS straight to replicas", () => {
    const f = scaledMidRollout({
      replicas: 12,
      maxSurge: 3,
      maxUnavailable: 2,
      oldSize: 0,
      newSize: 10,
      desired: 10,
      max: 13,
    });
    f.sync();
    expect(f.sizes()).toEqual({ "web-new": 12, "web-old": 0 });
  });

  it("scales old RSs to 0 when the new RS is saturated", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 10,
      maxSurge: 3,
      maxUnavailable: 2,
      annotations: { [RevisionAnnotation]: "2" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 2,
      revision: 1,
      desired: 5,
      max: 6,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 10,
      revision: 2,
      desired: 10,
      max: 13,
      status: { replicas: 10, availableReplicas: 10 },
    });
    f.settle();
    f.sync();
    expect(f.sizes()).toEqual({ "web-new": 10, "web-old": 0 });
  });

  it("leaves a Recreate Deployment with several active RSs alone", () => {
    const f = scaledMidRollout({
      replicas: 6,
      maxSurge: 0,
      maxUnavailable: 0,
      oldSize: 2,
      newSize: 1,
      desired: 3,
      max: 3,
      strategy: "Recreate",
    });
    const before = f.replicaSets();
    f.sync();
    expect(f.replicaSets()).toEqual(before);
  });

  it("is not a scaling event when an active RS has no desired-replicas annotation", () => {
    // Without the annotation the rollout path runs: the new RS is scaled up by the surge rule instead.
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 10,
      maxSurge: 1,
      maxUnavailable: 0,
      annotations: { [RevisionAnnotation]: "2" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 8,
      revision: 1,
      desired: null,
      max: null,
      status: { replicas: 8, availableReplicas: 8 },
    });
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 2,
      revision: 2,
      desired: 10,
      max: 11,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.settle();
    f.sync();
    expect(f.sizes()).toEqual({ "web-new": 3, "web-old": 8 });
  });
});

describe("paused Deployments", () => {
  function pausedWithOldOnly() {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 3,
      paused: true,
      annotations: { [RevisionAnnotation]: "1" },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 3,
      revision: 1,
      max: 4,
      status: { replicas: 3, availableReplicas: 3 },
    });
    f.settle();
    return f;
  }

  it("sets Progressing=Unknown DeploymentPaused and never starts a rollout", () => {
    const f = pausedWithOldOnly();
    f.syncExpectingError("Conflict"); // the paused condition is written first; the status write then conflicts
    expect(f.condition("Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentPaused",
      message: "Deployment is paused",
    });
    f.settle();
    f.sync();
    expect(f.replicaSets().map((rs) => rs.metadata.name)).toEqual(["web-old"]);
    expect(f.deployment().status).toMatchObject({ replicas: 3, availableReplicas: 3, updatedReplicas: 0 });
  });

  it("on resume, sets Progressing=Unknown DeploymentResumed and the rollout starts", () => {
    const f = pausedWithOldOnly();
    f.syncExpectingError("Conflict");
    f.patchDeployment((draft) => {
      if (draft.spec !== undefined) draft.spec.paused = false;
    });
    f.settle();
    f.advance(5000);
    f.syncExpectingError("Conflict");
    expect(f.condition("Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentResumed",
      lastUpdateTime: toTimestamp(5021),
    });
    expect(f.createdReplicaSets("web-old")).toHaveLength(1);
  });

  it("does not overwrite ProgressDeadlineExceeded with the paused condition", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 3, paused: true, status: rolloutInProgress(0, "ProgressDeadlineExceeded") });
    f.settle();
    f.sync();
    expect(f.condition("Progressing")).toMatchObject({ reason: "ProgressDeadlineExceeded" });
  });

  it("still applies replica changes proportionally", () => {
    const f = scaledMidRollout({
      replicas: 15,
      maxSurge: 3,
      maxUnavailable: 2,
      oldSize: 8,
      newSize: 5,
      desired: 10,
      max: 13,
      paused: true,
    });
    f.syncExpectingError("Conflict");
    expect(f.sizes()).toEqual({ "web-new": 7, "web-old": 11 });
  });

  it("cleans up old RSs, but not while a rollback is pending", () => {
    for (const rollbackPending of [false, true]) {
      const f = new DeploymentFixture();
      const annotations: Record<string, string> = { [RevisionAnnotation]: "3" };
      if (rollbackPending) annotations[DeprecatedRollbackTo] = "1";
      f.createDeployment({
        replicas: 2,
        paused: true,
        revisionHistoryLimit: 0,
        annotations,
        status: rolloutInProgress(0, "DeploymentPaused"),
      });
      f.createReplicaSet({ name: "web-r1", image: "app:v0", replicas: 0, revision: 1, status: { replicas: 0 } });
      f.createReplicaSet({ name: "web-r2", image: "app:v1", replicas: 0, revision: 2, status: { replicas: 0 } });
      f.createReplicaSet({
        name: "web-r3",
        image: "app:v2",
        replicas: 2,
        revision: 3,
        max: 3,
        status: { replicas: 2, availableReplicas: 2 },
      });
      f.settle();
      f.sync();
      const expected = rollbackPending ? ["web-r1", "web-r2", "web-r3"] : ["web-r3"];
      expect(f.replicaSets().map((rs) => rs.metadata.name)).toEqual(expected);
    }
  });
});

describe("cleanupDeployment selection", () => {
  it("looks only at the (count − limit) lowest revisions and deletes only drained, observed RSs there", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 1,
      paused: true,
      revisionHistoryLimit: 2,
      annotations: { [RevisionAnnotation]: "7" },
      status: rolloutInProgress(0, "DeploymentPaused"),
    });
    const drained = { replicas: 0 };
    f.createReplicaSet({ name: "web-none", image: "app:a", replicas: 0, status: drained }); // no revision: sorts first
    f.createReplicaSet({ name: "web-r2", image: "app:b", replicas: 0, revision: 2, status: { replicas: 1 } }); // a pod left
    f.createReplicaSet({
      name: "web-r3",
      image: "app:c",
      replicas: 0,
      revision: 3,
      status: { replicas: 0, observedGeneration: 0 },
    });
    f.createReplicaSet({ name: "web-r4", image: "app:d", replicas: 0, revision: 4, status: drained });
    f.createReplicaSet({ name: "web-r5", image: "app:e", replicas: 0, revision: 5, status: drained }); // beyond the count
    f.createReplicaSet({ name: "web-r6", image: "app:f", replicas: 0, revision: 6, status: drained });
    f.createReplicaSet({
      name: "web-new",
      image: "app:v2",
      replicas: 1,
      revision: 7,
      max: 2,
      status: { replicas: 1, availableReplicas: 1 },
    });
    f.settle();
    f.sync();
    // 6 old RSs, limit 2 → the 4 lowest are looked at: web-none and web-r4 go; web-r2 (a pod) and
    // web-r3 (generation not observed) stay, and web-r5 does not take their place.
    expect(f.replicaSets().map((rs) => rs.metadata.name)).toEqual(["web-new", "web-r2", "web-r3", "web-r5", "web-r6"]);
  });

  it("keeps everything when revisionHistoryLimit is MaxInt32", () => {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 1,
      paused: true,
      revisionHistoryLimit: 2_147_483_647,
      status: rolloutInProgress(0, "DeploymentPaused"),
    });
    f.createReplicaSet({ name: "web-r1", image: "app:a", replicas: 0, revision: 1, status: { replicas: 0 } });
    f.settle();
    f.sync();
    expect(f.replicaSets().map((rs) => rs.metadata.name)).toEqual(["web-r1"]);
  });
});

describe("calculateStatus", () => {
  function rsWith(spec: number, replicas: number, ready: number, available: number): ReplicaSet {
    return {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `rs-${spec}-${available}`,
        namespace: "default",
        uid: "u",
        resourceVersion: "1",
        generation: 1,
        creationTimestamp: toTimestamp(0),
      },
      spec: { replicas: spec, selector: {} },
      status: { replicas, readyReplicas: ready, availableReplicas: available },
    };
  }
  function deploymentWith(replicas: number, strategy: "RollingUpdate" | "Recreate"): Deployment {
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        namespace: "default",
        uid: "d",
        resourceVersion: "1",
        generation: 4,
        creationTimestamp: toTimestamp(0),
      },
      spec: {
        replicas,
        selector: {},
        template: {},
        strategy:
          strategy === "Recreate"
            ? { type: "Recreate" }
            : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      },
      status: { collisionCount: 2 },
    };
  }

  it.each([
    // [name, strategy, replicas, old (spec, replicas, ready, available), new (...), expected status, available?]
    [
      "mid-rollout",
      "RollingUpdate",
      4,
      [3, 3, 3, 3],
      [2, 2, 1, 0],
      { replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 2 },
      "True",
    ],
    [
      "below minimum",
      "RollingUpdate",
      4,
      [2, 2, 2, 2],
      [2, 2, 0, 0],
      { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 2 },
      "False",
    ],
    [
      "more available than spec: unavailable clamps at 0",
      "RollingUpdate",
      2,
      [0, 2, 2, 2],
      [2, 2, 2, 2],
      { replicas: 4, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 0 },
      "True",
    ],
    [
      "Recreate needs every replica",
      "Recreate",
      4,
      [0, 0, 0, 0],
      [4, 4, 4, 3],
      { replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 1 },
      "False",
    ],
  ] as const)("%s", (_name, strategy, replicas, old, next, expected, available) => {
    const newRS = rsWith(...(next as unknown as [number, number, number, number]));
    const status = calculateStatus(
      [rsWith(...(old as unknown as [number, number, number, number])), newRS],
      newRS,
      deploymentWith(replicas, strategy),
      0,
    );
    expect(status).toMatchObject({ ...expected, observedGeneration: 4, collisionCount: 2 });
    expect(status.conditions).toEqual([
      expect.objectContaining({
        type: "Available",
        status: available,
        reason: available === "True" ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
      }),
    ]);
  });
});

describe("getAllReplicaSetsAndSyncRevision within one sync", () => {
  /** A rollout in progress (old v1 at revision `oldRevision`, new v2 at `newRevision`) and a context on the cache. */
  function rollout(oldRevision: number, newRevision: number) {
    const f = new DeploymentFixture();
    f.createDeployment({
      replicas: 2,
      annotations: { [RevisionAnnotation]: String(newRevision) },
      status: rolloutInProgress(),
    });
    f.createReplicaSet({ name: "web-old", image: "app:v1", replicas: 1, revision: oldRevision });
    f.advance(1000);
    f.createReplicaSet({ name: "web-new", image: "app:v2", replicas: 1, revision: newRevision });
    f.settle();
    const d = f.world.cache.get<Deployment>("Deployment", "default", "web") as Deployment;
    const ctx: DeploymentContext = { world: f.world, d, enqueueRateLimited: () => {} };
    return { f, ctx, rsList: f.controller.getReplicaSetsForDeployment(d) };
  }

  it("hands a result that wrote nothing back to the next call with the same working copy and list", () => {
    const { f, ctx, rsList } = rollout(1, 2);
    const first = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
    expect(first.newRS).toBe(f.rs("web-new"));
    expect(first.oldRSs).toEqual([f.rs("web-old")]);
    expect(getAllReplicaSetsAndSyncRevision(ctx, rsList, true)).toBe(first);
    // Another working copy: computed again, to the same answer.
    setWorkingStatus(ctx, { replicas: 2 });
    const again = getAllReplicaSetsAndSyncRevision(ctx, rsList, true);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("recomputes after a write: the second call works on the stale cached RS and conflicts", () => {
    const { f, ctx, rsList } = rollout(3, 2);
    const first = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
    expect(first.newRS?.metadata.annotations?.[RevisionAnnotation]).toBe("4");
    expect(f.rs("web-new").metadata.annotations?.[RevisionAnnotation]).toBe("4");
    expect(() => getAllReplicaSetsAndSyncRevision(ctx, rsList, true)).toThrow(/modified/);
  });
});

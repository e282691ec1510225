/**
 * Progress (kubernetes-semantics.md §1.12): the Progressing condition, refreshing it on progress,
 * ProgressDeadlineExceeded strictly after the deadline, the re-check timer, and ReplicaFailure.
 */
import type { DeploymentStatus } from "kubernetes-types/apps/v1.js";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../../src/api/kinds.ts";
import { toTimestamp } from "../../../src/api/object.ts";
import { stuckDeploymentRecheckMs } from "../../../src/controllers/deployment/progress.ts";
import { MaxInt32, RevisionAnnotation } from "../../../src/controllers/deployment/util.ts";
import { DeploymentFixture } from "./fixture.ts";

const DEADLINE_SECONDS = 10;

/**
 * One replica stuck unavailable since t=0, with a status that matches what the controller would
 * compute (so a sync writes nothing unless time or the RS changes).
 */
function stuck(progressDeadlineSeconds: number = DEADLINE_SECONDS) {
  const f = new DeploymentFixture();
  const stamp = toTimestamp(0);
  f.createDeployment({
    replicas: 1,
    progressDeadlineSeconds,
    annotations: { [RevisionAnnotation]: "1" },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 1,
      conditions: [
        {
          type: "Progressing",
          status: "True",
          reason: "ReplicaSetUpdated",
          message: "x",
          lastUpdateTime: stamp,
          lastTransitionTime: stamp,
        },
        {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          message: "y",
          lastUpdateTime: stamp,
          lastTransitionTime: stamp,
        },
      ],
    },
  });
  f.createReplicaSet({
    name: "web-v2",
    image: "app:v2",
    replicas: 1,
    revision: 1,
    max: 2,
    status: { replicas: 1, availableReplicas: 0 },
  });
  f.settle();
  return f;
}

function advanceTo(f: DeploymentFixture, ms: number): void {
  f.advance(ms - f.nowMs);
}

describe("progress deadline", () => {
  it("asks to be re-checked a second after the deadline while nothing changes", () => {
    const f = stuck();
    advanceTo(f, 5000);
    const resourceVersion = f.deployment().metadata.resourceVersion;
    expect(f.sync()).toEqual({ requeueAfterMs: 10_000 - 5000 + 1000 });
    expect(f.deployment().metadata.resourceVersion).toBe(resourceVersion);
  });

  it("sets Progressing=False ProgressDeadlineExceeded once lastUpdateTime + deadline is before now", () => {
    const f = stuck();
    advanceTo(f, 11_000);
    f.sync();
    expect(f.condition("Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: 'ReplicaSet "web-v2" has timed out progressing.',
      lastUpdateTime: toTimestamp(11_000),
    });
    f.settle();
    expect(f.sync()).toBeUndefined(); // timed out: no more re-checks
  });

  it("is not exceeded at exactly the deadline; the rate-limited re-check then finds it", () => {
    const f = stuck();
    advanceTo(f, 10_000);
    expect(f.sync()).toBeUndefined();
    expect(f.condition("Progressing")?.reason).toBe("ReplicaSetUpdated");
    f.advance(10); // the work queue retries after its 5 ms rate limit
    expect(f.condition("Progressing")?.reason).toBe("ProgressDeadlineExceeded");
  });

  it("refreshes lastUpdateTime on progress (keeping lastTransitionTime), which restarts the deadline", () => {
    const f = stuck();
    advanceTo(f, 7000);
    f.setReplicaSetStatus("web-v2", { replicas: 1, readyReplicas: 1, availableReplicas: 0 });
    f.settle();
    f.sync();
    expect(f.condition("Progressing")).toMatchObject({
      status: "True",
      reason: "ReplicaSetUpdated",
      message: 'ReplicaSet "web-v2" is progressing.',
      lastUpdateTime: toTimestamp(7000),
      lastTransitionTime: toTimestamp(0),
    });
    advanceTo(f, 12_000);
    expect(f.sync()).toEqual({ requeueAfterMs: 7000 + 10_000 - 12_000 + 1000 });
  });

  it("reports NewReplicaSetAvailable when the rollout completes, then stops re-checking", () => {
    const f = stuck();
    f.setReplicaSetStatus("web-v2", { replicas: 1, availableReplicas: 1 });
    f.settle();
    f.sync();
    expect(f.condition("Progressing")).toMatchObject({
      status: "True",
      reason: "NewReplicaSetAvailable",
      message: 'ReplicaSet "web-v2" has successfully progressed.',
    });
    expect(f.condition("Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    f.settle();
    advanceTo(f, 60_000);
    expect(f.sync()).toBeUndefined();
    expect(f.condition("Progressing")?.reason).toBe("NewReplicaSetAvailable");
  });

  it("removes the Progressing condition when there is no deadline", () => {
    const f = stuck(MaxInt32);
    f.sync();
    expect(f.condition("Progressing")).toBeUndefined();
  });

  it("records FoundNewReplicaSet when a Deployment with a new RS has no Progressing condition yet", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 1, annotations: { [RevisionAnnotation]: "1" } });
    f.createReplicaSet({ name: "web-v2", image: "app:v2", replicas: 1, revision: 1, max: 2, status: { replicas: 1 } });
    f.settle();
    f.syncExpectingError("Conflict");
    expect(f.condition("Progressing")).toMatchObject({
      status: "True",
      reason: "FoundNewReplicaSet",
      message: 'Found new replica set "web-v2"',
    });
  });
});

describe("ReplicaFailure", () => {
  it("copies an RS's ReplicaFailure condition and drops it once the RS clears it", () => {
    const f = stuck();
    f.world.store.patch("ReplicaSet", "default", "web-v2", (draft) => {
      (draft.status as { conditions?: unknown[] }).conditions = [
        {
          type: "ReplicaFailure",
          status: "True",
          reason: "FailedCreate",
          message: "quota",
          lastTransitionTime: toTimestamp(0),
        },
      ];
    });
    f.settle();
    f.sync();
    expect(f.condition("ReplicaFailure")).toMatchObject({
      status: "True",
      reason: "FailedCreate",
      message: "quota",
      lastUpdateTime: toTimestamp(0),
    });
    f.world.store.patch("ReplicaSet", "default", "web-v2", (draft) => {
      (draft.status as { conditions?: unknown[] }).conditions = [];
    });
    f.settle();
    f.sync();
    expect(f.condition("ReplicaFailure")).toBeUndefined();
  });
});

describe("stuckDeploymentRecheckMs", () => {
  function deployment(deadline: number | undefined, reason: string | undefined, lastUpdateMs = 0): Deployment {
    const conditions =
      reason === undefined
        ? []
        : [{ type: "Progressing", status: "True", reason, lastUpdateTime: toTimestamp(lastUpdateMs) }];
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        namespace: "default",
        uid: "u",
        resourceVersion: "1",
        generation: 1,
        creationTimestamp: toTimestamp(0),
      },
      spec: { replicas: 3, selector: {}, template: {}, progressDeadlineSeconds: deadline },
      status: { conditions },
    };
  }
  const incomplete: DeploymentStatus = { replicas: 3, updatedReplicas: 1, availableReplicas: 1, observedGeneration: 1 };
  const complete: DeploymentStatus = { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 };

  it.each([
    ["no deadline", undefined, "ReplicaSetUpdated", incomplete, 0, -1],
    ["no Progressing condition", 600, undefined, incomplete, 0, -1],
    ["complete", 600, "ReplicaSetUpdated", complete, 0, -1],
    ["already timed out", 600, "ProgressDeadlineExceeded", incomplete, 0, -1],
    ["updated 3 minutes ago, 10 minute deadline", 600, "ReplicaSetUpdated", incomplete, 180_000, 420_000],
    ["less than a second left: now", 600, "ReplicaSetUpdated", incomplete, 599_500, 0],
    ["past the deadline: now", 600, "ReplicaSetUpdated", incomplete, 700_000, 0],
  ] as const)("%s", (_name, deadline, reason, status, nowMs, expected) => {
    expect(stuckDeploymentRecheckMs(deployment(deadline, reason), status, nowMs)).toBe(expected);
  });
});

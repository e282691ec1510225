/**
 * Recreate (kubernetes-semantics.md §1.9): old RSs to 0 first, wait while any old pod is not
 * terminal (terminating ones included), only then create the new RS at full size; and the pod-delete
 * handler that wakes a Recreate Deployment once its last pod is gone.
 */
import { describe, expect, it, vi } from "vitest";
import { computeHash, RevisionAnnotation } from "../../../src/controllers/deployment/util.ts";
import { DeploymentFixture, NAMESPACE, rolloutInProgress } from "./fixture.ts";

function recreateFixture(oldStatusReplicas = 3) {
  const f = new DeploymentFixture();
  f.createDeployment({
    replicas: 3,
    strategy: { type: "Recreate" },
    annotations: { [RevisionAnnotation]: "1" },
    status: rolloutInProgress(),
  });
  f.createReplicaSet({
    name: "web-old",
    image: "app:v1",
    replicas: 3,
    revision: 1,
    status: { replicas: oldStatusReplicas, availableReplicas: oldStatusReplicas },
  });
  f.settle();
  return f;
}

function newRSName(f: DeploymentFixture): string {
  return `web-${computeHash(f.deployment().spec?.template ?? {})}`;
}

describe("rolloutRecreate", () => {
  it("first scales every old RS to 0 and creates nothing", () => {
    const f = recreateFixture();
    f.sync();
    expect(f.sizes()).toEqual({ "web-old": 0 });
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled down replica set web-old from 3 to 0",
    ]);
  });

  it("waits while an old RS still reports replicas", () => {
    const f = recreateFixture();
    f.sync();
    f.settle();
    f.sync();
    expect(f.createdReplicaSets("web-old")).toEqual([]);
  });

  it.each([
    ["Running", true],
    ["Pending", true],
    ["Unknown", true],
    ["Succeeded", false],
    ["Failed", false],
  ])("an old pod in phase %s blocks the new RS: %s", (phase, blocks) => {
    const f = recreateFixture(0);
    f.setReplicaSetStatus("web-old", { replicas: 0 });
    f.createPod("web-old-pod", f.rs("web-old"), phase);
    f.settle();
    f.sync(); // scales web-old to 0
    f.setReplicaSetStatus("web-old", { replicas: 0 });
    f.settle();
    if (blocks) {
      f.sync();
      expect(f.maybeRS(newRSName(f))).toBeUndefined();
    } else {
      f.sync();
      expect(f.rs(newRSName(f)).spec?.replicas).toBe(3);
    }
  });

  it("counts a terminating old pod as running", () => {
    const f = recreateFixture(0);
    f.createPod("web-old-pod", f.rs("web-old"), "Running");
    f.world.store.patch("Pod", NAMESPACE, "web-old-pod", (draft) => {
      draft.metadata.finalizers = ["test/hold"];
    });
    f.world.store.delete("Pod", NAMESPACE, "web-old-pod");
    f.settle();
    f.sync();
    f.setReplicaSetStatus("web-old", { replicas: 0 });
    f.settle();
    f.sync();
    expect(f.maybeRS(newRSName(f))).toBeUndefined();
  });

  it("creates the new RS at full size once no old pod runs, with a single scale-up event", () => {
    const f = recreateFixture(0);
    f.sync();
    f.setReplicaSetStatus("web-old", { replicas: 0 });
    f.settle();
    f.sync();
    const created = f.rs(newRSName(f));
    expect(created.spec?.replicas).toBe(3);
    expect(created.metadata.annotations?.[RevisionAnnotation]).toBe("2");
    expect(f.condition("Progressing")).toMatchObject({ reason: "NewReplicaSetCreated" });
    expect(f.events("ScalingReplicaSet").map((event) => event.message)).toEqual([
      "Scaled down replica set web-old from 3 to 0",
      `Scaled up replica set ${created.metadata.name} to 3`,
    ]);
  });
});

describe("deletePod handler", () => {
  function started(strategy: "Recreate" | "RollingUpdate") {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, strategy: strategy === "Recreate" ? { type: "Recreate" } : undefined });
    const owner = f.createReplicaSet({ name: "web-old", image: "app:v1", replicas: 0, revision: 1 });
    f.createPod("pod-a", owner, "Running");
    f.createPod("pod-b", owner, "Running");
    f.controller.start();
    f.controller.suspend(); // handlers still queue keys; nothing syncs
    f.settle();
    const enqueued = vi.spyOn(f.controller, "enqueue");
    return { f, enqueued };
  }

  it("queues a Recreate Deployment once its last pod is deleted, not before", () => {
    const { f, enqueued } = started("Recreate");
    f.world.store.delete("Pod", NAMESPACE, "pod-a");
    f.settle();
    expect(enqueued).not.toHaveBeenCalled();
    f.world.store.delete("Pod", NAMESPACE, "pod-b");
    f.settle();
    expect(enqueued).toHaveBeenCalledTimes(1);
    expect(enqueued.mock.calls[0]?.[0].metadata.name).toBe("web");
  });

  it("ignores pod deletions of a RollingUpdate Deployment", () => {
    const { f, enqueued } = started("RollingUpdate");
    f.world.store.delete("Pod", NAMESPACE, "pod-a");
    f.world.store.delete("Pod", NAMESPACE, "pod-b");
    f.settle();
    expect(enqueued).not.toHaveBeenCalled();
  });
});

/**
 * The controller shell (kubernetes-semantics.md §1.2): the syncDeployment ladder, ReplicaSet
 * ownership (adopt / release), hash collisions, the informer handlers, and a whole rollout driven
 * through the work queue with a stand-in for the ReplicaSet controller.
 */
import { describe, expect, it, vi } from "vitest";
import { isApiError } from "../../../src/api/errors.ts";
import type { ReplicaSet } from "../../../src/api/kinds.ts";
import { DeploymentController } from "../../../src/controllers/deployment/controller.ts";
import { computeHash, RevisionAnnotation } from "../../../src/controllers/deployment/util.ts";
import type { World } from "../../../src/world/world.ts";
import { makeWorld } from "../../helpers/world.ts";
import { DeploymentFixture, NAMESPACE, podTemplate, rolloutInProgress } from "./fixture.ts";

describe("syncDeployment ladder", () => {
  it("does nothing for a Deployment that is gone", () => {
    const f = new DeploymentFixture();
    expect(f.sync("missing")).toBeUndefined();
    expect(f.world.store.count("ReplicaSet")).toBe(0);
  });

  it("refuses an empty selector with a Warning and only observes the generation", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, selector: {} });
    f.settle();
    f.sync();
    expect(f.events()).toEqual([
      {
        reason: "SelectingAll",
        message: "This deployment is selecting all pods. A non-empty selector is required.",
        severity: "Warning",
      },
    ]);
    expect(f.deployment().status?.observedGeneration).toBe(1);
    expect(f.world.store.count("ReplicaSet")).toBe(0);
  });

  it("only updates the status of a Deployment being deleted", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, finalizers: ["test/keep"] });
    f.createReplicaSet({
      name: "web-old",
      image: "app:v1",
      replicas: 2,
      revision: 1,
      status: { replicas: 2, availableReplicas: 2 },
    });
    f.world.store.delete("Deployment", NAMESPACE, "web");
    f.settle();
    f.sync();
    expect(f.sizes()).toEqual({ "web-old": 2 });
    expect(f.deployment().status).toMatchObject({ replicas: 2, availableReplicas: 2, updatedReplicas: 0 });
  });

  it("retries an unknown strategy as an API error", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 1, strategy: { type: "BlueGreen" } });
    f.settle();
    expect(() => f.sync()).toThrow(/unexpected deployment strategy type: BlueGreen/);
  });
});

describe("ReplicaSet ownership", () => {
  it("adopts an orphan that matches the selector and manages it", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, annotations: { [RevisionAnnotation]: "2" }, status: rolloutInProgress() });
    f.createReplicaSet({
      name: "web-orphan",
      image: "app:v2",
      replicas: 1,
      revision: 2,
      owner: null,
      max: 3,
      status: { replicas: 1, availableReplicas: 1 },
    });
    f.settle();
    // The adoption patch changes the RS, so scaling it from the (stale) cached copy conflicts.
    f.syncExpectingError("Conflict");
    const adopted = f.rs("web-orphan");
    expect(adopted.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "Deployment",
        name: "web",
        uid: f.deployment().metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      }),
    ]);
    // It matched the template, so it is the new RS: no other RS was created, and it grows by the surge.
    f.settle();
    f.syncUntilQuiet();
    expect(f.sizes()).toEqual({ "web-orphan": 2 });
  });

  it("leaves alone orphans being deleted and RSs controlled by someone else", () => {
    const f = new DeploymentFixture();
    const other = f.createDeployment({ replicas: 1, image: "other:v1" }, "other");
    f.createDeployment({ replicas: 1, status: rolloutInProgress() }, "web");
    f.createReplicaSet({ name: "theirs", image: "app:v1", replicas: 1, owner: other });
    f.createReplicaSet({ name: "going", image: "app:v0", replicas: 0, owner: null });
    f.world.store.patch<ReplicaSet>("ReplicaSet", NAMESPACE, "going", (draft) => {
      draft.metadata.finalizers = ["test/hold"];
    });
    f.world.store.delete("ReplicaSet", NAMESPACE, "going");
    f.settle();
    try {
      f.sync("web");
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
    expect(f.rs("theirs").metadata.ownerReferences?.map((ref) => ref.name)).toEqual(["other"]);
    expect(f.rs("going").metadata.ownerReferences).toBeUndefined();
  });

  it("releases an owned RS whose labels no longer match the selector", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 1, annotations: { [RevisionAnnotation]: "1" }, status: rolloutInProgress() });
    f.createReplicaSet({
      name: "web-v2",
      image: "app:v2",
      replicas: 1,
      revision: 1,
      max: 2,
      status: { replicas: 1, availableReplicas: 1 },
    });
    f.createReplicaSet({ name: "web-strayed", image: "app:v1", replicas: 0, labels: { app: "legacy" } });
    f.settle();
    f.sync();
    expect(f.rs("web-strayed").metadata.ownerReferences).toBeUndefined();
    expect(f.rs("web-v2").metadata.ownerReferences).toHaveLength(1);
  });
});

describe("hash collisions", () => {
  it("bumps status.collisionCount when the name is taken by a foreign RS, then creates under a new name", () => {
    const f = new DeploymentFixture();
    f.createDeployment({ replicas: 2, status: rolloutInProgress() });
    const template = f.deployment().spec?.template ?? {};
    const taken = `web-${computeHash(template)}`;
    f.world.store.create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: taken, namespace: NAMESPACE, labels: { app: "unrelated" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "unrelated" } },
        template: podTemplate("unrelated:v1", { app: "unrelated" }),
      },
    });
    f.settle();
    f.syncExpectingError("AlreadyExists");
    expect(f.deployment().status?.collisionCount).toBe(1);
    f.settle();
    f.syncUntilQuiet();
    const created = f.createdReplicaSets(taken);
    expect(created.map((rs) => rs.metadata.name)).toEqual([`web-${computeHash(template, 1)}`]);
    expect(created[0]?.spec?.replicas).toBe(2);
  });
});

describe("informer handlers", () => {
  function startedFixture() {
    const f = new DeploymentFixture();
    f.controller.start();
    f.controller.suspend();
    return f;
  }

  it("queues a Deployment when it changes and when one of its ReplicaSets changes", () => {
    const f = startedFixture();
    f.createDeployment({ replicas: 1 });
    f.createReplicaSet({ name: "web-v2", image: "app:v2", replicas: 1, revision: 1 });
    f.settle();
    const enqueued = vi.spyOn(f.controller, "enqueue");
    f.setReplicaSetStatus("web-v2", { replicas: 1, availableReplicas: 1 });
    f.settle();
    expect(enqueued.mock.calls.map(([object]) => object.metadata.name)).toEqual(["web"]);
    f.patchDeployment((draft) => {
      if (draft.spec !== undefined) draft.spec.replicas = 3;
    });
    f.settle();
    expect(enqueued).toHaveBeenCalledTimes(2);
  });

  it("queues the Deployments that could adopt a new orphan, and nobody for an unmatched one", () => {
    const f = startedFixture();
    f.createDeployment({ replicas: 1 }, "web");
    f.createDeployment({ replicas: 1, selector: { matchLabels: { app: "api" } }, image: "api:v1" }, "api");
    f.settle();
    const enqueued = vi.spyOn(f.controller, "enqueue");
    f.createReplicaSet({ name: "orphan", image: "app:v0", replicas: 0, owner: null });
    f.createReplicaSet({ name: "nobodys", image: "x:v0", replicas: 0, owner: null, labels: { app: "x" } });
    f.settle();
    expect(enqueued.mock.calls.map(([object]) => object.metadata.name)).toEqual(["web"]);
  });

  it("wakes the old owner too when a ReplicaSet's controller changes", () => {
    const f = startedFixture();
    const first = f.createDeployment({ replicas: 1 }, "first");
    const second = f.createDeployment({ replicas: 1, image: "app:v9" }, "second");
    f.createReplicaSet({ name: "shared", image: "app:v1", replicas: 0, owner: first });
    f.settle();
    const enqueued = vi.spyOn(f.controller, "enqueue");
    f.world.store.patch<ReplicaSet>("ReplicaSet", NAMESPACE, "shared", (draft) => {
      draft.metadata.ownerReferences = [
        { apiVersion: "apps/v1", kind: "Deployment", name: "second", uid: second.metadata.uid, controller: true },
      ];
    });
    f.settle();
    expect(enqueued.mock.calls.map(([object]) => object.metadata.name)).toEqual(["first", "second"]);
  });
});

/** A stand-in for the ReplicaSet controller: 100 ms after any RS change, all its replicas are there and available. */
function installInstantReplicaSets(world: World): void {
  const report = (name: unknown): void => {
    const rs = world.store.get<ReplicaSet>("ReplicaSet", NAMESPACE, name as string);
    if (rs === undefined) return;
    const replicas = rs.spec?.replicas ?? 0;
    const current = rs.status;
    if (
      current?.replicas === replicas &&
      current.availableReplicas === replicas &&
      current.observedGeneration === rs.metadata.generation
    )
      return;
    world.store.patch<ReplicaSet>("ReplicaSet", NAMESPACE, name as string, (draft) => {
      draft.status = {
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        observedGeneration: draft.metadata.generation,
      };
    });
  };
  world.cache.on("ReplicaSet", (type, object) => {
    if (type !== "DELETED") world.kernel.schedule(100, report, object.metadata.name);
  });
}

describe("a whole rollout through the work queue", () => {
  it("replaces 10 replicas within maxSurge 3 and completes with Progressing NewReplicaSetAvailable", () => {
    const world = makeWorld({ watchDelayMs: 10 });
    world.register(new DeploymentController(world));
    installInstantReplicaSets(world);
    world.start();
    world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NAMESPACE },
      spec: {
        replicas: 10,
        selector: { matchLabels: { app: "web" } },
        template: podTemplate("app:v1"),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      },
    });
    world.kernel.run(5000);

    let maxTotalSpec = 0;
    world.store.watch((_type, object) => {
      if (object.kind !== "ReplicaSet") return;
      let total = 0;
      for (const rs of world.store.list<ReplicaSet>("ReplicaSet")) total += rs.spec?.replicas ?? 0;
      maxTotalSpec = Math.max(maxTotalSpec, total);
    });
    world.store.patch("Deployment", NAMESPACE, "web", (draft) => {
      (draft.spec as { template: unknown }).template = podTemplate("app:v2");
    });
    world.kernel.run(60_000);

    const replicaSets = [...world.store.list<ReplicaSet>("ReplicaSet")];
    const sizesByImage = Object.fromEntries(
      replicaSets.map((rs) => [rs.spec?.template?.spec?.containers[0]?.image, rs.spec?.replicas]),
    );
    expect(sizesByImage).toEqual({ "app:v1": 0, "app:v2": 10 });
    expect(maxTotalSpec).toBeLessThanOrEqual(13);
    const deployment = world.store.get("Deployment", NAMESPACE, "web") as {
      status?: { conditions?: { type: string; reason?: string }[] };
      metadata: { annotations?: Record<string, string> };
    };
    expect(deployment.metadata.annotations?.[RevisionAnnotation]).toBe("2");
    expect(deployment.status).toMatchObject({
      replicas: 10,
      updatedReplicas: 10,
      availableReplicas: 10,
      unavailableReplicas: 0,
    });
    expect(deployment.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
  });
});

/**
 * The ReplicaSet and ReplicationController controllers in a world: creation from the template,
 * burst and expectations gating, which pods a scale-down deletes, status and minReadySeconds
 * timing, adoption and release, failures, and determinism. Default watch delay: 20 ms, so an
 * object written at t is seen (and synced) at t + 20.
 */
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/api/errors.ts";
import { ANNOTATION_DELETION_COST, type Pod } from "../../src/api/kinds.ts";
import { controllerOf, controllerRef, type KObject, type NewObject } from "../../src/api/object.ts";
import { CONDITION_REPLICA_FAILURE, hasAnyLabel, type ReplicaSetLike } from "../../src/controllers/replicaset.ts";
import { registerStandardComponents } from "../../src/world/components.ts";
import { makeWorld } from "../helpers/world.ts";
import {
  activePodsOf,
  at,
  barePod,
  getReplicaSet,
  podsOf,
  replicaSet,
  replicationController,
  runUntil,
  setRunning,
  startFixture,
} from "./replicaset-fixtures.ts";

const names = (pods: readonly Pod[]): string[] => pods.map((pod) => pod.metadata.name);

function scale(world: ReturnType<typeof startFixture>["world"], kind: string, name: string, replicas: number): void {
  world.store.patch<ReplicaSetLike>(kind, "default", name, (draft) => {
    draft.spec = { ...draft.spec, replicas };
  });
}

describe("ReplicaSet controller: creating pods", () => {
  it("creates spec.replicas pods from the template, owned by the ReplicaSet", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 3, namespace: "prod", templateAnnotations: { team: "a" } }));
    runUntil(world, 1_000);
    const rs = getReplicaSet(world, "web", "prod");
    const pods = podsOf(world, rs);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata.namespace).toBe("prod");
      expect(pod.metadata.labels).toEqual({ app: "web" });
      expect(pod.metadata.annotations).toEqual({ team: "a" });
      expect(pod.metadata.ownerReferences).toEqual([
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web",
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(pod.spec?.containers[0]?.image).toBe("web:v1");
    }
    const created = world.events.filter((event) => event.reason === "SuccessfulCreate");
    expect(created.map((event) => event.atMs)).toEqual([20, 20, 20]);
    expect(created.map((event) => event.message).sort()).toEqual(names(pods).map((name) => `Created pod: ${name}`));
    expect(rs.status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
    });
  });

  it("creates at most 500 pods per sync, the rest once the first ones are observed", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("big", { replicas: 600 }));
    runUntil(world, 39);
    const rs = getReplicaSet(world, "big");
    expect(podsOf(world, rs)).toHaveLength(500);
    runUntil(world, 40);
    expect(podsOf(world, rs)).toHaveLength(600);
    runUntil(world, 1_000);
    expect(podsOf(world, rs)).toHaveLength(600);
    expect(getReplicaSet(world, "big").status?.replicas).toBe(600);
  });

  it("does not create again while its creations are unobserved", () => {
    const { world, rsController } = startFixture();
    world.store.create(replicaSet("web", { replicas: 2 }));
    // At 25 the two pods made at 20 are in the store but not yet in the cache (they arrive at 40).
    at(world, 25, () => rsController.queue.add("default/web"));
    runUntil(world, 30);
    expect(world.eventCounts.get("SuccessfulCreate")).toBe(2);
    runUntil(world, 1_000);
    expect(podsOf(world, getReplicaSet(world, "web"))).toHaveLength(2);
  });

  it("acts again when its expectations expire (5 minutes of virtual time), even with a stale cache", () => {
    const { world, rsController } = startFixture();
    world.store.create(replicaSet("web", { replicas: 2 }));
    // The cache stops at 21: it saw the ReplicaSet, never the pods created at 20.
    at(world, 21, () => world.cache.pause());
    at(world, 20 + 300_000, () => rsController.queue.add("default/web"));
    runUntil(world, 20 + 300_000);
    expect(world.eventCounts.get("SuccessfulCreate")).toBe(2);
    at(world, 20 + 300_001, () => rsController.queue.add("default/web"));
    runUntil(world, 20 + 300_001);
    expect(world.eventCounts.get("SuccessfulCreate")).toBe(4);
  });

  it("creates in slow-start batches and stops after a failing batch, then reports ReplicaFailure", () => {
    const { world } = startFixture();
    const realCreate = world.store.create.bind(world.store);
    let quota = 4;
    const podCreateTimes: number[] = [];
    vi.spyOn(world.store, "create").mockImplementation((input: NewObject | KObject) => {
      if (input.kind === "Pod") {
        podCreateTimes.push(world.nowMs);
        if (quota <= 0) throw new ApiError("Forbidden", "exceeded quota");
        quota--;
      }
      return realCreate(input);
    });
    world.store.create(replicaSet("web", { replicas: 10 }));
    runUntil(world, 20);
    // Batches 1, 2, 4: calls 1-4 succeed, 5-7 fail in the third batch, the batch of 3 is skipped.
    expect(podCreateTimes).toEqual([20, 20, 20, 20, 20, 20, 20]);
    runUntil(world, 5_000);
    const rs = getReplicaSet(world, "web");
    expect(podsOf(world, rs)).toHaveLength(4);
    expect(rs.status?.conditions).toEqual([
      expect.objectContaining({
        type: CONDITION_REPLICA_FAILURE,
        status: "True",
        reason: "FailedCreate",
        message: "exceeded quota",
      }),
    ]);
    const failed = world.events.filter((event) => event.reason === "FailedCreate");
    expect(failed[0]).toMatchObject({ severity: "Warning", message: "Error creating: exceeded quota" });

    // Quota freed: the next sync (woken by any change to the ReplicaSet) creates the rest.
    quota = 100;
    at(world, 6_000, () =>
      world.store.patch("ReplicaSet", "default", "web", (draft) => {
        draft.metadata.annotations = { poke: "1" };
      }),
    );
    runUntil(world, 7_000);
    expect(podsOf(world, getReplicaSet(world, "web"))).toHaveLength(10);
    expect(getReplicaSet(world, "web").status?.conditions).toBeUndefined();
  });

  it("fails to create pods from a template without labels", () => {
    const { world } = startFixture();
    const rs = replicaSet("web", { replicas: 1 });
    (rs.spec as { template: { metadata: object } }).template.metadata = {};
    world.store.create(rs);
    runUntil(world, 1_000);
    expect(world.store.count("Pod")).toBe(0);
    expect(getReplicaSet(world, "web").status?.conditions?.[0]).toMatchObject({
      reason: "FailedCreate",
      message: "unable to create pods, no labels",
    });
  });
});

describe("ReplicaSet controller: deleting pods", () => {
  /** A ReplicaSet with `count` pods, created at 0 and observed by 100; pods sorted by name. */
  function withPods(count: number, options: Parameters<typeof replicaSet>[1] = {}) {
    const fixture = startFixture();
    fixture.world.store.create(replicaSet("web", { replicas: count, ...options }));
    runUntil(fixture.world, 100);
    const pods = podsOf(fixture.world, getReplicaSet(fixture.world, "web"));
    expect(pods).toHaveLength(count);
    return { ...fixture, pods };
  }

  it("deletes unscheduled pods first, then not-ready ones", () => {
    const { world, pods } = withPods(4);
    const [p0, p1, p2, p3] = pods as [Pod, Pod, Pod, Pod];
    // p0 stays unscheduled; p1 runs but is not ready; p2 and p3 are ready.
    at(world, 100, () => {
      setRunning(world, p1, "dca-1", false);
      setRunning(world, p2, "dca-1", true);
      setRunning(world, p3, "dca-2", true);
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "web", 2));
    runUntil(world, 2_000);
    // An unscheduled pod goes at once (grace 0); a scheduled one gets its 30 s grace period.
    expect(world.store.get("Pod", "default", p0.metadata.name)).toBeUndefined();
    expect(world.store.get<Pod>("Pod", "default", p1.metadata.name)?.metadata.deletionTimestamp).toBe(
      "2026-01-01T00:00:31Z",
    );
    expect(names(activePodsOf(world, getReplicaSet(world, "web")))).toEqual(names([p2, p3]));
    const deleted = world.events.filter((event) => event.reason === "SuccessfulDelete");
    expect(deleted.map((event) => event.message).sort()).toEqual(
      [p0, p1].map((pod) => `Deleted pod: ${pod.metadata.name}`).sort(),
    );
    expect(deleted.every((event) => event.atMs === 1_020)).toBe(true);
    expect(getReplicaSet(world, "web").status).toMatchObject({ replicas: 2, readyReplicas: 2, observedGeneration: 2 });
  });

  it("deletes the lowest pod-deletion-cost first; an invalid cost (+10) counts as 0", () => {
    const { world, pods } = withPods(3);
    const costs = ["10", "+10", "5"];
    at(world, 100, () => {
      pods.forEach((pod, index) => {
        setRunning(world, pod, "dca-1", true);
        world.store.patch<Pod>("Pod", "default", pod.metadata.name, (draft) => {
          draft.metadata.annotations = { [ANNOTATION_DELETION_COST]: costs[index] as string };
        });
      });
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "web", 1));
    runUntil(world, 2_000);
    expect(names(activePodsOf(world, getReplicaSet(world, "web")))).toEqual([pods[0]?.metadata.name]);
  });

  it("deletes from the node crowded with pods of the same Deployment first", () => {
    const { world } = startFixture();
    const owner = world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app" },
      spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } } } },
    });
    const ownedBy = [controllerRef(owner)];
    world.store.create(replicaSet("old", { replicas: 2, selector: { app: "app", v: "1" }, ownerReferences: ownedBy }));
    world.store.create(replicaSet("new", { replicas: 2, selector: { app: "app", v: "2" }, ownerReferences: ownedBy }));
    runUntil(world, 100);
    const [old1, old2] = podsOf(world, getReplicaSet(world, "old")) as [Pod, Pod];
    const [new1, new2] = podsOf(world, getReplicaSet(world, "new")) as [Pod, Pod];
    // dca-1: old1, new1, new2 (rank 3); dca-2: old2 (rank 1). The name order would pick old1 anyway,
    // so put the lone pod on the alphabetically first name to let the rank decide.
    at(world, 100, () => {
      setRunning(world, old2, "dca-1", true);
      setRunning(world, new1, "dca-1", true);
      setRunning(world, new2, "dca-1", true);
      setRunning(world, old1, "dca-2", true);
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "old", 1));
    runUntil(world, 2_000);
    expect(names(activePodsOf(world, getReplicaSet(world, "old")))).toEqual([old1.metadata.name]);
  });

  it("ranks nothing for a ReplicaSet without an owner, as Kubernetes (no related pods)", () => {
    const { world, pods } = withPods(3);
    const [a, b, c] = pods as [Pod, Pod, Pod];
    // With ranks, b or c (two on dca-1) would go; without, every rule ties and the name decides: a.
    at(world, 100, () => {
      setRunning(world, a, "dca-2", true);
      setRunning(world, b, "dca-1", true);
      setRunning(world, c, "dca-1", true);
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "web", 2));
    runUntil(world, 2_000);
    expect(names(activePodsOf(world, getReplicaSet(world, "web")))).toEqual(names([b, c]));
  });

  it("counts each deletion once and then converges without further deletes", () => {
    const { world, pods } = withPods(4);
    at(world, 100, () => {
      for (const pod of pods) setRunning(world, pod, "dca-1", true);
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "web", 1));
    runUntil(world, 60_000);
    expect(world.eventCounts.get("SuccessfulDelete")).toBe(3);
    expect(activePodsOf(world, getReplicaSet(world, "web"))).toHaveLength(1);
  });

  it("reports FailedDelete when the API refuses a delete", () => {
    const { world, pods } = withPods(3);
    at(world, 100, () => {
      for (const pod of pods) setRunning(world, pod, "dca-1", true);
    });
    vi.spyOn(world.store, "delete").mockImplementation(() => {
      throw new ApiError("Forbidden", "no deleting today");
    });
    at(world, 1_000, () => scale(world, "ReplicaSet", "web", 1));
    runUntil(world, 1_020);
    expect(world.events.filter((event) => event.reason === "FailedDelete").map((event) => event.message)).toEqual([
      "Error deleting: no deleting today",
      "Error deleting: no deleting today",
    ]);
    runUntil(world, 2_000);
    expect(activePodsOf(world, getReplicaSet(world, "web"))).toHaveLength(3);
    expect(getReplicaSet(world, "web").status?.conditions?.[0]).toMatchObject({
      type: CONDITION_REPLICA_FAILURE,
      reason: "FailedDelete",
    });
  });
});

describe("ReplicaSet controller: status", () => {
  it("counts ready and available pods, and fully labeled ones", () => {
    const { world } = startFixture();
    // An orphan with only the selector's label is adopted but lacks the template's tier label.
    world.store.create(barePod("orphan", { app: "web" }));
    world.store.create(
      replicaSet("web", { replicas: 3, selector: { app: "web" }, templateLabels: { app: "web", tier: "front" } }),
    );
    runUntil(world, 100);
    const rs = getReplicaSet(world, "web");
    const pods = podsOf(world, rs);
    expect(pods).toHaveLength(3);
    at(world, 100, () => setRunning(world, pods[0] as Pod, "dca-1", true));
    runUntil(world, 1_000);
    expect(getReplicaSet(world, "web").status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
    });
  });

  it("recounts fully labeled pods when the template's labels change", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 2 }));
    runUntil(world, 100);
    expect(getReplicaSet(world, "web").status?.fullyLabeledReplicas).toBe(2);
    at(world, 1_000, () =>
      world.store.patch<ReplicaSetLike>("ReplicaSet", "default", "web", (draft) => {
        draft.spec = {
          ...draft.spec,
          template: { ...draft.spec?.template, metadata: { labels: { app: "web", tier: "x" } } },
        };
      }),
    );
    runUntil(world, 2_000);
    expect(getReplicaSet(world, "web").status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 0 });
  });

  it("makes a pod available strictly after minReadySeconds, via the sync's requeue", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 1, minReadySeconds: 10 }));
    runUntil(world, 100);
    const [pod] = podsOf(world, getReplicaSet(world, "web")) as [Pod];
    // Ready at 3000 (lastTransitionTime 00:00:03); the sync at 3020 requeues for 13020.
    at(world, 3_000, () => setRunning(world, pod, "dca-1", true));
    runUntil(world, 13_019);
    expect(getReplicaSet(world, "web").status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    runUntil(world, 13_020);
    expect(getReplicaSet(world, "web").status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it("is not available at exactly lastTransitionTime + minReadySeconds", () => {
    const { world } = startFixture({ watchDelayMs: 0 });
    world.store.create(replicaSet("web", { replicas: 1, minReadySeconds: 10 }));
    runUntil(world, 100);
    const [pod] = podsOf(world, getReplicaSet(world, "web")) as [Pod];
    // Seen and synced at 3000 (no watch delay): requeued for 13000, where 3000 + 10000 < 13000 is
    // false. The pod handler's wake-up for 14000 was merged into that earlier one (AddAfter keeps
    // the earliest), so the next look is the 13000 sync's own requeue, at 23000.
    at(world, 3_000, () => setRunning(world, pod, "dca-1", true));
    runUntil(world, 22_999);
    expect(getReplicaSet(world, "web").status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    runUntil(world, 23_000);
    expect(getReplicaSet(world, "web").status?.availableReplicas).toBe(1);
  });

  it("looks again minReadySeconds + 1 s after a pod became ready, even when not all are ready", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 2, minReadySeconds: 10 }));
    runUntil(world, 100);
    const [pod] = podsOf(world, getReplicaSet(world, "web")) as [Pod, Pod];
    // One of two ready: the sync does not requeue (not all ready); the pod handler, seeing the
    // pod become ready at 3020, wakes the ReplicaSet at 3020 + 11000.
    at(world, 3_000, () => setRunning(world, pod, "dca-1", true));
    runUntil(world, 14_019);
    expect(getReplicaSet(world, "web").status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    runUntil(world, 14_020);
    expect(getReplicaSet(world, "web").status?.availableReplicas).toBe(1);
  });

  it("counts pods as available at once without minReadySeconds", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 1 }));
    runUntil(world, 100);
    const [pod] = podsOf(world, getReplicaSet(world, "web")) as [Pod];
    at(world, 3_000, () => setRunning(world, pod, "dca-1", true));
    runUntil(world, 3_020);
    expect(getReplicaSet(world, "web").status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });
});

describe("ReplicaSet controller: adoption and release", () => {
  it("adopts a matching orphan instead of creating a pod", () => {
    const { world } = startFixture();
    world.store.create(barePod("orphan", { app: "web" }));
    world.store.create(barePod("stranger", { app: "other" }));
    world.store.create(replicaSet("web", { replicas: 1 }));
    runUntil(world, 1_000);
    const rs = getReplicaSet(world, "web");
    expect(names(podsOf(world, rs))).toEqual(["orphan"]);
    expect(controllerOf(world.store.get<Pod>("Pod", "default", "orphan") as Pod)?.uid).toBe(rs.metadata.uid);
    expect(world.store.get<Pod>("Pod", "default", "stranger")?.metadata.ownerReferences).toBeUndefined();
    expect(world.eventCounts.get("SuccessfulCreate")).toBeUndefined();
  });

  it("wakes on an orphan created later and adopts it, deleting the surplus", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 1 }));
    runUntil(world, 100);
    at(world, 1_000, () => world.store.create(barePod("late", { app: "web" }, { nodeName: "dca-1" })));
    runUntil(world, 2_000);
    const rs = getReplicaSet(world, "web");
    // The surplus pod goes: the adopted one is scheduled, so the unscheduled original is deleted
    // (at once: an unscheduled pod has no grace period).
    expect(names(podsOf(world, rs))).toEqual(["late"]);
    expect(world.store.count("Pod")).toBe(1);
    expect(world.eventCounts.get("SuccessfulDelete")).toBe(1);
  });

  it("does not adopt an orphan that is being deleted", () => {
    const { world } = startFixture();
    world.store.create(barePod("leaving", { app: "web" }, { nodeName: "dca-1" }));
    world.store.delete("Pod", "default", "leaving");
    world.store.create(replicaSet("web", { replicas: 1 }));
    runUntil(world, 1_000);
    expect(world.store.get<Pod>("Pod", "default", "leaving")?.metadata.ownerReferences).toBeUndefined();
    expect(podsOf(world, getReplicaSet(world, "web"))).toHaveLength(1);
  });

  it("releases a pod whose labels stop matching and replaces it", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 2 }));
    runUntil(world, 100);
    const [first] = podsOf(world, getReplicaSet(world, "web")) as [Pod];
    at(world, 1_000, () =>
      world.store.patch<Pod>("Pod", "default", first.metadata.name, (draft) => {
        draft.metadata.labels = { app: "debug" };
      }),
    );
    runUntil(world, 2_000);
    const released = world.store.get<Pod>("Pod", "default", first.metadata.name);
    expect(released?.metadata.ownerReferences).toBeUndefined();
    const owned = podsOf(world, getReplicaSet(world, "web"));
    expect(owned).toHaveLength(2);
    expect(names(owned)).not.toContain(first.metadata.name);
  });

  it("neither creates nor adopts while the ReplicaSet is being deleted", () => {
    const { world } = startFixture();
    world.store.create(replicaSet("web", { replicas: 1, finalizers: ["test/hold"] }));
    runUntil(world, 100);
    at(world, 1_000, () => {
      world.store.delete("ReplicaSet", "default", "web");
      scale(world, "ReplicaSet", "web", 3);
      world.store.create(barePod("orphan", { app: "web" }));
    });
    runUntil(world, 2_000);
    const rs = getReplicaSet(world, "web");
    expect(rs.metadata.deletionTimestamp).toBeDefined();
    expect(podsOf(world, rs)).toHaveLength(1);
    expect(world.store.get<Pod>("Pod", "default", "orphan")?.metadata.ownerReferences).toBeUndefined();
  });
});

describe("ReplicationController controller", () => {
  it("creates and deletes pods like a ReplicaSet, with the RC as controller", () => {
    const { world } = startFixture({ replicationController: true });
    world.store.create(replicationController("legacy", 3));
    runUntil(world, 100);
    const rc = world.store.get("ReplicationController", "default", "legacy") as KObject;
    const pods = podsOf(world, rc);
    expect(pods).toHaveLength(3);
    expect(world.store.count("Pod")).toBe(3); // the ReplicaSet controller left it alone
    expect(pods[0]?.metadata.ownerReferences?.[0]).toMatchObject({
      apiVersion: "v1",
      kind: "ReplicationController",
      name: "legacy",
      controller: true,
    });
    expect(pods[0]?.metadata.name.startsWith("legacy-")).toBe(true);
    at(world, 1_000, () => scale(world, "ReplicationController", "legacy", 1));
    runUntil(world, 2_000);
    expect(activePodsOf(world, rc)).toHaveLength(1);
    expect(
      (world.store.get("ReplicationController", "default", "legacy") as KObject & { status?: object }).status,
    ).toMatchObject({
      replicas: 1,
      observedGeneration: 2,
    });
  });

  it("is not run by the ReplicaSet controller alone", () => {
    const { world } = startFixture();
    world.store.create(replicationController("legacy", 2));
    runUntil(world, 1_000);
    expect(world.store.count("Pod")).toBe(0);
  });
});

describe("standard components and determinism", () => {
  it("registers the garbage collector, then the ReplicaSet and ReplicationController controllers", () => {
    const world = makeWorld();
    registerStandardComponents(world);
    const order = world.componentNames();
    const positions = ["garbage-collector", "replicaset", "replicationcontroller"].map((name) => order.indexOf(name));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("produces the same pods, deletions and trace for the same seed", () => {
    const run = () => {
      const { world } = startFixture();
      world.store.create(replicaSet("web", { replicas: 20 }));
      runUntil(world, 100);
      const pods = podsOf(world, getReplicaSet(world, "web"));
      at(world, 100, () => {
        for (const [index, pod] of pods.entries()) {
          if (index % 3 !== 0) setRunning(world, pod, `dca-${(index % 3) + 1}`, index % 2 === 0);
        }
      });
      at(world, 1_000, () => scale(world, "ReplicaSet", "web", 7));
      runUntil(world, 5_000);
      return { pods: names(activePodsOf(world, getReplicaSet(world, "web"))), hash: world.trace.finish() };
    };
    const first = run();
    expect(first.pods).toHaveLength(7);
    expect(run()).toEqual(first);
  });
});

describe("hasAnyLabel", () => {
  it("is false for missing or empty labels and true for any key", () => {
    expect(hasAnyLabel(undefined)).toBe(false);
    expect(hasAnyLabel({})).toBe(false);
    expect(hasAnyLabel(Object.freeze({ app: "web" }))).toBe(true);
    expect(hasAnyLabel({ "": "" })).toBe(true);
  });
});

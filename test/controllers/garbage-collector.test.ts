/**
 * The garbage collector with the ReplicaSet controller: background deletion of a removed owner's
 * dependents, the Orphan policy, the absent-owner rule, dependents with another live owner,
 * cascades, and the order of its deletions. Timing: watch delay 20 ms, garbageCollection 100 ms,
 * so an owner removed at t has its dependents handled at t + 120.
 */
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { controllerRef, type KObject } from "../../src/api/object.ts";
import type { WatchEventType } from "../../src/api/store.ts";
import { at, barePod, bind, getReplicaSet, podsOf, replicaSet, runUntil, startFixture } from "./replicaset-fixtures.ts";

function withReplicaSet(replicas: number) {
  const fixture = startFixture({ garbageCollector: true });
  fixture.world.store.create(replicaSet("web", { replicas }));
  runUntil(fixture.world, 100);
  const rs = getReplicaSet(fixture.world, "web");
  const pods = podsOf(fixture.world, rs);
  expect(pods).toHaveLength(replicas);
  return { ...fixture, rs, pods };
}

const stored = (world: ReturnType<typeof startFixture>["world"], pod: Pod): Pod | undefined =>
  world.store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);

describe("garbage collector", () => {
  it("deletes the pods of a deleted ReplicaSet after the watch delay and the GC latency", () => {
    const { world, pods } = withReplicaSet(3);
    const [scheduled, ...unscheduled] = pods as [Pod, Pod, Pod];
    at(world, 100, () => bind(world, scheduled, "dca-1"));
    at(world, 1_000, () => world.store.delete("ReplicaSet", "default", "web"));
    runUntil(world, 1_119);
    expect(pods.map((pod) => stored(world, pod)?.metadata.deletionTimestamp)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    runUntil(world, 1_120);
    // Background propagation: pods are deleted with their own grace period.
    expect(stored(world, scheduled)?.metadata.deletionTimestamp).toBe("2026-01-01T00:00:31Z");
    for (const pod of unscheduled) expect(stored(world, pod)).toBeUndefined();
  });

  it("releases the pods of a ReplicaSet deleted with propagationPolicy Orphan, for another to adopt", () => {
    const { world, pods } = withReplicaSet(2);
    at(world, 1_000, () => world.store.delete("ReplicaSet", "default", "web", { propagationPolicy: "Orphan" }));
    runUntil(world, 1_120);
    for (const pod of pods) {
      expect(stored(world, pod)?.metadata.ownerReferences).toBeUndefined();
      expect(stored(world, pod)?.metadata.deletionTimestamp).toBeUndefined();
    }
    at(world, 2_000, () => world.store.create(replicaSet("web2", { replicas: 2, selector: { app: "web" } })));
    runUntil(world, 3_000);
    const adopter = getReplicaSet(world, "web2");
    expect(podsOf(world, adopter).map((pod) => pod.metadata.uid)).toEqual(pods.map((pod) => pod.metadata.uid));
    expect(world.eventCounts.get("SuccessfulCreate")).toBe(2); // only web's two, none for web2
  });

  it("deletes a dependent created naming an owner that does not exist", () => {
    const { world } = startFixture({ garbageCollector: true });
    const ghost = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "ghost", uid: "no-such-uid", controller: true };
    world.store.create(barePod("haunted", { app: "x" }, { ownerReferences: [ghost] }));
    // A pod naming a live object by name but with another uid is dangling too.
    world.store.create(replicaSet("real", { replicas: 0 }));
    const stale = { ...ghost, name: "real" };
    world.store.create(barePod("stale", { app: "y" }, { ownerReferences: [stale] }));
    runUntil(world, 119);
    expect(world.store.get("Pod", "default", "haunted")).toBeDefined();
    expect(world.store.get("Pod", "default", "stale")).toBeDefined();
    runUntil(world, 120);
    expect(world.store.get("Pod", "default", "haunted")).toBeUndefined();
    expect(world.store.get("Pod", "default", "stale")).toBeUndefined();
  });

  it("keeps a dependent with another live owner and removes only the dangling reference", () => {
    const { world, rs, pods } = withReplicaSet(1);
    const service = world.store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: {} });
    const [pod] = pods as [Pod];
    const serviceRef = { apiVersion: "v1", kind: "Service", name: "svc", uid: service.metadata.uid };
    at(world, 200, () =>
      world.store.patch<Pod>("Pod", "default", pod.metadata.name, (draft) => {
        draft.metadata.ownerReferences = [controllerRef(rs), serviceRef];
      }),
    );
    at(world, 1_000, () => world.store.delete("ReplicaSet", "default", "web"));
    runUntil(world, 2_000);
    expect(stored(world, pod)?.metadata.deletionTimestamp).toBeUndefined();
    expect(stored(world, pod)?.metadata.ownerReferences).toEqual([serviceRef]);
  });

  it("cascades: Deployment -> ReplicaSet -> pods, one GC round per level", () => {
    const { world } = startFixture({ garbageCollector: true });
    const deployment = world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app" },
      spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } } } },
    });
    world.store.create(
      replicaSet("app-1", { replicas: 2, selector: { app: "app" }, ownerReferences: [controllerRef(deployment)] }),
    );
    runUntil(world, 100);
    const pods = podsOf(world, getReplicaSet(world, "app-1"));
    expect(pods).toHaveLength(2);
    at(world, 1_000, () => world.store.delete("Deployment", "default", "app"));
    runUntil(world, 1_119);
    expect(world.store.get("ReplicaSet", "default", "app-1")).toBeDefined();
    runUntil(world, 1_120);
    expect(world.store.get("ReplicaSet", "default", "app-1")).toBeUndefined();
    runUntil(world, 1_239);
    expect(world.store.count("Pod")).toBe(2);
    runUntil(world, 1_240);
    expect(world.store.count("Pod")).toBe(0);
  });

  it("handles the dependents of one owner in kind, namespace, name order", () => {
    const { world, rs } = withReplicaSet(6);
    const creationOrder = world.store.dependentsOf(rs.metadata.uid).map((pod) => pod.metadata.name);
    expect(creationOrder).not.toEqual([...creationOrder].sort()); // else the test proves nothing
    const deleted: string[] = [];
    world.store.watch((type: WatchEventType, object: KObject) => {
      if (type === "DELETED" && object.kind === "Pod") deleted.push(object.metadata.name);
    });
    at(world, 1_000, () => world.store.delete("ReplicaSet", "default", rs.metadata.name));
    runUntil(world, 2_000);
    expect(deleted).toHaveLength(6);
    expect(deleted).toEqual([...deleted].sort());
  });

  it("leaves alone the dependents of live owners", () => {
    const { world, pods } = withReplicaSet(2);
    runUntil(world, 10_000);
    for (const pod of pods) expect(stored(world, pod)?.metadata.deletionTimestamp).toBeUndefined();
  });
});

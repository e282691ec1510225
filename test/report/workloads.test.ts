import { describe, expect, it } from "vitest";
import { rolloutComplete, WorkloadTracker } from "../../src/report/workloads.ts";
import { registerStandardComponents } from "../../src/world/components.ts";
import { defined } from "../helpers/defined.ts";
import { makeWorld } from "../helpers/world.ts";

const deployment = (minReadySeconds: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    minReadySeconds,
    selector: { matchLabels: { app: "web" } },
    strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "web:v1" }] } },
  },
});

describe("WorkloadTracker", () => {
  it("follows pods through their ReplicaSets to the Deployment and times the rollout", () => {
    const world = makeWorld();
    registerStandardComponents(world);
    const tracker = new WorkloadTracker(world);
    world.start();
    world.store.create(deployment(0));
    world.kernel.run(60_000);
    world.store.patch("Deployment", "default", "web", (draft) => {
      const spec = draft.spec as { template: { spec: { containers: { image: string }[] } } };
      defined(spec.template.spec.containers[0], "first container").image = "web:v2";
    });
    world.kernel.run(120_000);
    const web = defined(tracker.summaries()["Deployment/web"], "Deployment/web summary");
    expect(Object.keys(tracker.summaries())).toEqual(["Deployment/web"]);
    expect(web.maxPods).toBe(3);
    expect(web.maxSurgeObserved).toBe(1);
    expect(web.minAvailable).toBe(2);
    expect(web.rolloutStartedAtMs).toBe(60_000);
    expect(web.rolloutCompletedAtMs).toBeGreaterThan(60_000);
    expect(web.conditionsSeenAtMs["Progressing=True/NewReplicaSetAvailable"]).toBe(web.rolloutCompletedAtMs);
  });

  it("counts a pod as available only once minReadySeconds have passed", () => {
    const world = makeWorld();
    registerStandardComponents(world);
    const tracker = new WorkloadTracker(world);
    world.start();
    world.store.create(deployment(30));
    world.kernel.run(20_000);
    const before = defined(tracker.snapshot()[0], "first snapshot row");
    expect(before.pods).toBe(2);
    expect(before.available).toBe(0);
    world.kernel.run(60_000);
    expect(tracker.snapshot()[0]?.available).toBe(2);
  });
});

describe("rolloutComplete", () => {
  const meta = {
    name: "x",
    namespace: "default",
    uid: "u",
    resourceVersion: "1",
    generation: 2,
    creationTimestamp: "",
  };
  it.each([
    [{ replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 }, true],
    [{ replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 }, false],
    [{ replicas: 4, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 }, false],
    [{ replicas: 3, updatedReplicas: 2, availableReplicas: 3, observedGeneration: 2 }, false],
  ])("Deployment status %j complete: %s", (status, expected) => {
    expect(
      rolloutComplete({ apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { replicas: 3 }, status }),
    ).toBe(expected);
  });
});

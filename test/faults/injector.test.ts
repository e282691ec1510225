import { describe, expect, it } from "vitest";
import type { Kubelet } from "../../src/cluster/kubelet.ts";
import type { NodesComponent } from "../../src/cluster/nodes.ts";
import { KUBELET_COMPONENT } from "../../src/cluster/runtime.ts";
import type { Controller } from "../../src/controllers/controller.ts";
import { FaultInjector } from "../../src/faults/injector.ts";
import { constantMs } from "../../src/sim/random.ts";
import { registerStandardComponents } from "../../src/world/components.ts";
import { defined } from "../helpers/defined.ts";
import { makeWorld } from "../helpers/world.ts";

function setup() {
  const world = makeWorld({ nodes: 2 });
  registerStandardComponents(world);
  world.start();
  const faults = new FaultInjector(world);
  const nodes = defined(world.component<NodesComponent>("nodes"), "nodes component");
  return { world, faults, nodes };
}

describe("FaultInjector", () => {
  it("takes a node down and heals it after `for`", () => {
    const { world, faults, nodes } = setup();
    expect(faults.inject("crash", { type: "nodeDown", node: "dca-1" }, 5000).ok).toBe(true);
    expect(nodes.isNodeDown("dca-1")).toBe(true);
    expect(nodes.isNodeDown("dca-2")).toBe(false);
    world.kernel.run(4999);
    expect(nodes.isNodeDown("dca-1")).toBe(true);
    world.kernel.run(5000);
    expect(nodes.isNodeDown("dca-1")).toBe(false);
    expect(faults.activeIds).toEqual([]);
  });

  it("keeps a node down while any overlapping fault holds it", () => {
    const { faults, nodes } = setup();
    faults.inject("a", { type: "nodeDown", node: "dca-1" });
    faults.inject("b", { type: "nodeDown", datacenter: "DCA" });
    expect(faults.heal("a").ok).toBe(true);
    expect(nodes.isNodeDown("dca-1")).toBe(true);
    expect(faults.heal("b").ok).toBe(true);
    expect(nodes.isNodeDown("dca-1")).toBe(false);
    expect(nodes.isNodeDown("dca-2")).toBe(false);
  });

  it("suspends and resumes a controller", () => {
    const { world, faults } = setup();
    const deployment = defined(world.component<Controller>("deployment"), "deployment controller");
    faults.inject("down", { type: "controllerDown", controller: "deployment" });
    expect(deployment.isSuspended).toBe(true);
    faults.heal();
    expect(deployment.isSuspended).toBe(false);
  });

  it("restores the previous watch delay when one of two overlapping delays heals", () => {
    const { world, faults } = setup();
    const seen = (): number => world.cache.count("ConfigMap");
    faults.inject("slow", { type: "watchDelay", delay: constantMs(2000) });
    faults.inject("slower", { type: "watchDelay", delay: constantMs(5000) });
    faults.heal("slower");
    // the 2 s delay is still in force: a change made now reaches the cache 2 s later
    world.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    world.kernel.run(1999);
    expect(seen()).toBe(0);
    world.kernel.run(2000);
    expect(seen()).toBe(1);
    // healing the last one restores the configured 20 ms
    faults.heal("slow");
    world.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d" } });
    world.kernel.run(2019);
    expect(seen()).toBe(1);
    world.kernel.run(2020);
    expect(seen()).toBe(2);
  });

  it("refuses faults that cannot apply, with a reason", () => {
    const { faults } = setup();
    expect(faults.inject("x", { type: "nodeDown", node: "nope" })).toMatchObject({
      ok: false,
      message: /no node matches nope/,
    });
    expect(faults.inject("y", { type: "controllerDown", controller: "nope" })).toMatchObject({
      ok: false,
      message: /no controller named nope/,
    });
    expect(faults.heal("z")).toMatchObject({ ok: false });
    expect(faults.heal()).toEqual({ ok: true, message: "no active faults" });
  });

  it("treats a pod crash as instantaneous: nothing stays active to heal", () => {
    const { world, faults } = setup();
    const target = { kind: "Deployment", namespace: "default", name: "web" };
    expect(faults.inject("crash", { type: "podCrash", target, count: 1 })).toMatchObject({ ok: false });
    world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "web:v1" }] } },
      },
    });
    world.kernel.run(30_000);
    expect(faults.inject("crash", { type: "podCrash", target, count: 1 })).toMatchObject({ ok: true });
    expect(faults.activeIds).toEqual([]);
  });
});

describe("chaos", () => {
  const chaosWorld = (seed: number) => {
    const world = makeWorld({ nodes: 4, seed });
    registerStandardComponents(world);
    world.start();
    world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "web:v1" }] } },
      },
    });
    world.kernel.run(30_000);
    const faults = new FaultInjector(world);
    return { world, faults };
  };

  it("starts random faults at their rates within the window and heals them all when it ends", () => {
    const { world, faults } = chaosWorld(3);
    const nodes = defined(world.component<NodesComponent>("nodes"), "nodes component");
    const down = new Set<string>();
    const outcome = faults.inject("storm", {
      type: "chaos",
      ratesPerHour: { nodeDown: 120, podCrash: 60 },
      windowMs: 10 * 60_000,
      duration: constantMs(20_000),
    });
    expect(outcome.ok).toBe(true);
    for (let t = 30_000; t <= 30_000 + 10 * 60_000; t += 1000) {
      world.kernel.run(t);
      for (const name of ["dca-1", "dca-2", "dca-3", "dca-4"]) if (nodes.isNodeDown(name)) down.add(name);
    }
    // about 20 node crashes in 10 minutes at 120/h: some nodes went down, none is left down
    expect(down.size).toBeGreaterThan(0);
    world.kernel.run(30_000 + 10 * 60_000 + 1);
    expect(["dca-1", "dca-2", "dca-3", "dca-4"].filter((name) => nodes.isNodeDown(name))).toEqual([]);
    expect(faults.activeIds).toEqual([]);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const run = (seed: number): string => {
      const { world, faults } = chaosWorld(seed);
      faults.inject("storm", {
        type: "chaos",
        ratesPerHour: { nodeDown: 60 },
        windowMs: 600_000,
        duration: constantMs(5000),
      });
      world.kernel.run(700_000);
      return world.trace.finish();
    };
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });

  it("stops early when healed", () => {
    const { world, faults } = chaosWorld(1);
    const nodes = defined(world.component<NodesComponent>("nodes"), "nodes component");
    faults.inject("storm", {
      type: "chaos",
      ratesPerHour: { nodeDown: 3600 },
      windowMs: 3_600_000,
      duration: constantMs(600_000),
    });
    world.kernel.run(60_000);
    expect(["dca-1", "dca-2", "dca-3", "dca-4"].some((name) => nodes.isNodeDown(name))).toBe(true);
    faults.heal("storm");
    expect(["dca-1", "dca-2", "dca-3", "dca-4"].some((name) => nodes.isNodeDown(name))).toBe(false);
    world.kernel.run(120_000);
    expect(["dca-1", "dca-2", "dca-3", "dca-4"].some((name) => nodes.isNodeDown(name))).toBe(false);
  });
});

describe("partition", () => {
  it("cuts a datacenter off the control plane: NotReady in the API, processes still running, back on heal", () => {
    const world = makeWorld({ nodes: 2 });
    registerStandardComponents(world);
    world.start();
    world.store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { nodeName: "dca-1", containers: [{ name: "app", image: "web:v1" }] },
    });
    world.kernel.run(20_000);
    const kubelet = defined(world.component<Kubelet>(KUBELET_COMPONENT), "kubelet component");
    const uid = defined(world.store.get("Pod", "default", "p"), "pod p").metadata.uid;
    expect(kubelet.processState(uid)).toBe("running");
    const faults = new FaultInjector(world);
    expect(faults.inject("cut", { type: "partition", datacenter: "DCA" }).ok).toBe(true);
    world.kernel.run(120_000);
    const readyOf = (name: string) =>
      (
        world.store.get("Node", "", name)?.status as { conditions?: { type: string; status: string }[] } | undefined
      )?.conditions?.find((each) => each.type === "Ready")?.status;
    expect(readyOf("dca-1")).toBe("Unknown");
    expect(kubelet.processState(uid)).toBe("running");
    faults.heal("cut");
    world.kernel.run(125_000);
    expect(readyOf("dca-1")).toBe("True");
    const pod = defined(world.store.get("Pod", "default", "p"), "pod p");
    const podReady = (pod.status as { conditions?: { type: string; status: string }[] }).conditions?.find(
      (c) => c.type === "Ready",
    );
    expect(podReady?.status).toBe("True");
  });
});

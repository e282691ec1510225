import type { Taint } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../src/api/kinds.ts";
import { podCondition } from "../../src/api/pod.ts";
import { computeZoneState } from "../../src/cluster/node-lifecycle.ts";
import { NODE_NAMESPACE } from "../../src/cluster/nodes.ts";
import { createPod, node, pod, readyStatus, startCluster, zonedNodes } from "./fixture.ts";

// Leases renew every 10 s from 0; the monitor runs every 5 s from 0; grace 40 s. A machine that
// goes down at 30 s (last renewal 30 s, seen by the pass at 30 s) is NotReady at the first pass
// after 70 s, 75 s; it is queued for the NoExecute taint at the next pass (80 s, observed Unknown)
// and tainted on the next tainting tick, 80.05 s; the taint manager sees the taint 20 ms later
// (80.07 s) and evicts pods 300 s after that (default tolerations).
const lifecycleCluster = (options: Parameters<typeof startCluster>[0] = {}) =>
  startCluster({ nodes: 3, withScheduler: false, ...options });

function readyCondition(found: Node | undefined) {
  return found?.status?.conditions?.find((condition) => condition.type === "Ready");
}

function taints(found: Node | undefined): Taint[] {
  return (found?.spec?.taints ?? []) as Taint[];
}

function hasTaint(found: Node | undefined, key: string, effect: string): boolean {
  return taints(found).some((taint) => taint.key === key && taint.effect === effect);
}

const UNREACHABLE = "node.kubernetes.io/unreachable";

describe("node lifecycle: a machine goes down", () => {
  it("marks the node Unknown after the grace period and its pods not ready", () => {
    const fixture = lifecycleCluster();
    const { world, nodes } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(30_000);
    expect(readyStatus(world, "web")).toBe("True");
    nodes.setNodeDown("dca-1", true);
    world.kernel.run(74_999);
    expect(readyCondition(node(world, "dca-1"))?.status).toBe("True");
    expect(readyStatus(world, "web")).toBe("True");
    world.kernel.run(75_000);
    expect(readyCondition(node(world, "dca-1"))).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
      lastTransitionTime: "2026-01-01T00:01:15Z",
    });
    const conditions = node(world, "dca-1")?.status?.conditions ?? [];
    expect(
      conditions
        .filter((condition) => condition.status === "Unknown")
        .map((condition) => condition.type)
        .sort(),
    ).toEqual(["DiskPressure", "MemoryPressure", "PIDPressure", "Ready"]);
    expect(podCondition(pod(world, "web") as Pod, "Ready")).toMatchObject({
      status: "False",
      lastTransitionTime: "2026-01-01T00:01:15Z",
    });
    expect(world.eventCounts.get("NodeNotReady")).toBe(2); // one for the node, one for its pod
    expect(readyCondition(node(world, "dca-2"))?.status).toBe("True");
  });

  it("taints the node (NoSchedule at once, NoExecute rate-limited) and evicts after the default 300 s", () => {
    const fixture = lifecycleCluster();
    const { world, nodes } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    createPod(world, "patient", {
      nodeName: "dca-1",
      spec: { tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute" }] },
    });
    createPod(world, "impatient", {
      nodeName: "dca-1",
      spec: { tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] },
    });
    world.kernel.run(30_000);
    nodes.setNodeDown("dca-1", true);
    world.kernel.run(75_019);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoSchedule")).toBe(false);
    world.kernel.run(75_020);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoSchedule")).toBe(true);
    world.kernel.run(80_049);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoExecute")).toBe(false);
    world.kernel.run(80_050);
    expect(taints(node(world, "dca-1")).find((taint) => taint.effect === "NoExecute")).toEqual({
      key: UNREACHABLE,
      effect: "NoExecute",
      timeAdded: "2026-01-01T00:01:20Z",
    });
    world.kernel.run(140_069);
    expect(pod(world, "impatient")?.metadata.deletionTimestamp).toBeUndefined();
    world.kernel.run(140_070);
    expect(pod(world, "impatient")?.metadata.deletionTimestamp).toBeDefined();
    world.kernel.run(380_069);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeUndefined();
    world.kernel.run(380_070);
    const evicted = pod(world, "web") as Pod;
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(podCondition(evicted, "DisruptionTarget")).toMatchObject({
      status: "True",
      reason: "DeletionByTaintManager",
    });
    expect(world.eventCounts.get("TaintManagerEviction")).toBe(2);
    world.kernel.run(1_000_000);
    // The kubelet is down: the pod stays Terminating; the pod that tolerates forever stays.
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeDefined();
    expect(pod(world, "patient")?.metadata.deletionTimestamp).toBeUndefined();
  });

  it("recovers: Ready again, taints removed, pending evictions cancelled, pods restarted", () => {
    const fixture = lifecycleCluster();
    const { world, nodes, kubelet } = fixture;
    const created = createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(30_000);
    nodes.setNodeDown("dca-1", true);
    world.kernel.run(100_000);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoExecute")).toBe(true);
    nodes.setNodeDown("dca-1", false);
    expect(readyCondition(node(world, "dca-1"))?.status).toBe("True");
    world.kernel.run(100_020);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoSchedule")).toBe(false);
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoExecute")).toBe(true);
    world.kernel.run(105_000);
    expect(taints(node(world, "dca-1"))).toEqual([]);
    world.kernel.run(1_000_000);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeUndefined();
    expect(readyStatus(world, "web")).toBe("True");
    expect(kubelet.processState(created.metadata.uid)).toBe("running");
  });

  it("evicts pods that do not tolerate a NoExecute taint at once", () => {
    const fixture = lifecycleCluster();
    const { world } = fixture;
    createPod(world, "web", { nodeName: "dca-2" });
    createPod(world, "tolerant", {
      nodeName: "dca-2",
      spec: { tolerations: [{ key: "maintenance", operator: "Exists" }] },
    });
    world.kernel.run(10_000);
    world.store.patch<Node>("Node", NODE_NAMESPACE, "dca-2", (draft) => {
      draft.spec ??= {};
      draft.spec.taints = [{ key: "maintenance", effect: "NoExecute" }];
    });
    world.kernel.run(10_019);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeUndefined();
    world.kernel.run(10_020);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeDefined();
    expect(pod(world, "tolerant")?.metadata.deletionTimestamp).toBeUndefined();
  });
});

describe("node lifecycle: zones and rate limits", () => {
  it("taints at most 0.1 nodes per second in a zone (and writes each taint once)", () => {
    const fixture = lifecycleCluster({ nodes: 10 });
    const { world, nodes } = fixture;
    world.kernel.run(30_000);
    for (const name of ["dca-1", "dca-2", "dca-3"]) nodes.setNodeDown(name, true);
    let writes = 0;
    world.store.watch((_type, object) => {
      if (object.kind === "Node") writes++;
    });
    world.kernel.run(200_000);
    expect(writes).toBe(9); // per node: Ready Unknown, NoSchedule taint, NoExecute taint
    const timeAdded = ["dca-1", "dca-2", "dca-3"].map(
      (name) => taints(node(world, name)).find((taint) => taint.effect === "NoExecute")?.timeAdded,
    );
    expect(timeAdded).toEqual(["2026-01-01T00:01:20Z", "2026-01-01T00:01:30Z", "2026-01-01T00:01:40Z"]);
    expect(fixture.lifecycle.zoneState("DCA")).toBe("Normal");
  });

  it("stops tainting when every zone is fully disrupted", () => {
    const fixture = lifecycleCluster({ nodes: 3 });
    const { world, nodes } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(30_000);
    for (const name of ["dca-1", "dca-2", "dca-3"]) nodes.setNodeDown(name, true);
    world.kernel.run(600_000);
    expect(fixture.lifecycle.zoneState("DCA")).toBe("FullDisruption");
    expect(readyCondition(node(world, "dca-1"))?.status).toBe("Unknown");
    expect(hasTaint(node(world, "dca-1"), UNREACHABLE, "NoExecute")).toBe(false);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeUndefined();
  });

  it("keeps tainting a fully disrupted zone while another zone is healthy", () => {
    const fixture = lifecycleCluster({ nodeConfigs: zonedNodes({ DCA: 2, DCB: 2 }) });
    const { world, nodes } = fixture;
    world.kernel.run(30_000);
    for (const name of ["dca-1", "dca-2"]) nodes.setNodeDown(name, true);
    world.kernel.run(200_000);
    expect(fixture.lifecycle.zoneState("DCA")).toBe("FullDisruption");
    expect(fixture.lifecycle.zoneState("DCB")).toBe("Normal");
    expect(taints(node(world, "dca-1")).find((taint) => taint.effect === "NoExecute")?.timeAdded).toBe(
      "2026-01-01T00:01:20Z",
    );
    expect(taints(node(world, "dca-2")).find((taint) => taint.effect === "NoExecute")?.timeAdded).toBe(
      "2026-01-01T00:01:30Z",
    );
  });

  it("stops tainting a small zone in partial disruption", () => {
    const fixture = lifecycleCluster({ nodes: 10 });
    const { world, nodes } = fixture;
    world.kernel.run(30_000);
    for (let i = 1; i <= 6; i++) nodes.setNodeDown(`dca-${i}`, true);
    world.kernel.run(200_000);
    expect(fixture.lifecycle.zoneState("DCA")).toBe("PartialDisruption");
    for (let i = 1; i <= 6; i++) expect(hasTaint(node(world, `dca-${i}`), UNREACHABLE, "NoExecute")).toBe(false);
  });

  it.each([
    [2, 0, "Normal"],
    [0, 2, "FullDisruption"],
    [1, 2, "Normal"],
    [1, 3, "PartialDisruption"],
    [3, 3, "Normal"],
    [10, 10, "Normal"],
    [9, 11, "PartialDisruption"],
    [0, 0, "Normal"],
  ] as const)("a zone with %i ready and %i not-ready nodes is %s", (ready, notReady, state) => {
    expect(computeZoneState(ready, notReady)).toBe(state);
  });
});

describe("node lifecycle: suspended (controllerDown)", () => {
  it("notices nothing while suspended and catches up on resume", () => {
    const fixture = lifecycleCluster();
    const { world, nodes, lifecycle } = fixture;
    world.kernel.run(30_000);
    lifecycle.suspend();
    nodes.setNodeDown("dca-1", true);
    world.kernel.run(200_000);
    expect(readyCondition(node(world, "dca-1"))?.status).toBe("True");
    lifecycle.resume();
    world.kernel.run(205_000);
    expect(readyCondition(node(world, "dca-1"))?.status).toBe("Unknown");
  });
});

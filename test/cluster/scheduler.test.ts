import { describe, expect, it } from "vitest";
import { podCondition } from "../../src/api/pod.ts";
import { layoutNodes, NODE_NAMESPACE, type NodeInfo, nodeManifest } from "../../src/cluster/nodes.ts";
import {
  nodeSelectorRequirementMatches,
  nodeSelectorTermMatches,
  numFeasibleNodesToFind,
  podRequests,
  unschedulableMessage,
} from "../../src/cluster/scheduling.ts";
import { constantMs } from "../../src/sim/random.ts";
import type { NodeConfig } from "../../src/world/config.ts";
import { createPod, pod, startCluster, zonedNodes } from "./fixture.ts";

/** Scheduler-only worlds: no kubelet side effects matter for binding, but it runs anyway. */
function scheduled(fixture: ReturnType<typeof startCluster>, name: string): string | undefined {
  return pod(fixture.world, name)?.spec?.nodeName;
}

function scheduledCondition(fixture: ReturnType<typeof startCluster>, name: string) {
  const found = pod(fixture.world, name);
  return found === undefined ? undefined : podCondition(found, "PodScheduled");
}

describe("scheduler: binding and queue", () => {
  it("binds a pod after the watch delay plus the scheduling latency, with PodScheduled=True", () => {
    const fixture = startCluster({ nodes: 3, withLifecycle: false });
    createPod(fixture.world, "web");
    fixture.world.kernel.run(29);
    expect(scheduled(fixture, "web")).toBeUndefined();
    fixture.world.kernel.run(30);
    expect(scheduled(fixture, "web")).toBe("dca-1");
    expect(scheduledCondition(fixture, "web")).toMatchObject({
      status: "True",
      lastTransitionTime: "2026-01-01T00:00:00Z",
    });
    expect(fixture.world.events.find((event) => event.reason === "Scheduled")?.message).toBe(
      "Successfully assigned default/web to dca-1",
    );
  });

  it("schedules one pod at a time in FIFO order", () => {
    const fixture = startCluster({ nodes: 3, withLifecycle: false });
    for (const name of ["p-c", "p-a", "p-b"]) createPod(fixture.world, name);
    fixture.world.kernel.run(30);
    expect(["p-c", "p-a", "p-b"].map((name) => scheduled(fixture, name))).toEqual(["dca-1", undefined, undefined]);
    fixture.world.kernel.run(40);
    expect(scheduled(fixture, "p-a")).toBeDefined();
    expect(scheduled(fixture, "p-b")).toBeUndefined();
    fixture.world.kernel.run(50);
    expect(scheduled(fixture, "p-b")).toBeDefined();
  });

  it("breaks score ties by node name and spreads by least allocation", () => {
    const fixture = startCluster({ nodes: 3, withLifecycle: false });
    for (const name of ["a", "b", "c"]) createPod(fixture.world, name, { cpu: "1" });
    fixture.world.kernel.run(1000);
    expect(["a", "b", "c"].map((name) => scheduled(fixture, name))).toEqual(["dca-1", "dca-2", "dca-3"]);
  });

  it("ignores pods for another scheduler and pods already bound", () => {
    const fixture = startCluster({ nodes: 2, withLifecycle: false });
    createPod(fixture.world, "other", { spec: { schedulerName: "my-scheduler" } });
    createPod(fixture.world, "bound", { nodeName: "dca-2" });
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "other")).toBeUndefined();
    expect(scheduledCondition(fixture, "other")).toBeUndefined();
    expect(scheduled(fixture, "bound")).toBe("dca-2");
  });
});

describe("scheduler: filters", () => {
  it("reports Insufficient cpu with the FitError message and retries once room frees up", () => {
    const fixture = startCluster({
      nodes: 3,
      cpuMilli: 2000,
      withLifecycle: false,
      images: { "slow:v1": { shutdown: constantMs(60_000) } },
    });
    const world = fixture.world;
    for (const name of ["a", "b", "c"]) createPod(world, name, { cpu: "1500m", image: "slow:v1" });
    createPod(world, "late", { cpu: "1500m" });
    world.kernel.run(1000);
    expect(scheduled(fixture, "late")).toBeUndefined();
    expect(scheduledCondition(fixture, "late")).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      message: "0/3 nodes are available: 3 Insufficient cpu.",
    });
    // A terminating pod still holds its requests: b (running since 2560) is killed at the end of
    // its 30 s grace (the kubelet sees the deletion at 5020, SIGKILL at 35020, final delete); the
    // scheduler sees it gone 20 ms later and binds after one 10 ms cycle.
    world.kernel.run(5000);
    world.store.delete("Pod", "default", "b");
    world.kernel.run(35_049);
    expect(scheduled(fixture, "late")).toBeUndefined();
    expect(pod(world, "b")).toBeUndefined();
    world.kernel.run(35_050);
    expect(scheduled(fixture, "late")).toBe("dca-2");
    expect(scheduledCondition(fixture, "late")?.status).toBe("True");
  });

  it("counts several resources and pods per node in the histogram", () => {
    const fixture = startCluster({ nodes: 2, cpuMilli: 1000, memoryBytes: 2 ** 30, pods: 1, withLifecycle: false });
    createPod(fixture.world, "first");
    createPod(fixture.world, "huge", { cpu: "2", memory: "2Gi" });
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "first")).toBe("dca-1");
    expect(scheduledCondition(fixture, "huge")?.message).toBe(
      "0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu, 2 Insufficient memory.",
    );
  });

  it("enforces the pod count against allocatable pods", () => {
    const fixture = startCluster({ nodes: 2, pods: 1, withLifecycle: false });
    for (const name of ["a", "b", "c"]) createPod(fixture.world, name);
    fixture.world.kernel.run(1000);
    expect(["a", "b"].map((name) => scheduled(fixture, name)).sort()).toEqual(["dca-1", "dca-2"]);
    expect(scheduledCondition(fixture, "c")?.message).toBe("0/2 nodes are available: 2 Too many pods.");
  });

  it("places by nodeSelector and explains a selector nothing matches", () => {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 2, DCB: 2 }), withLifecycle: false });
    createPod(fixture.world, "in-b", { spec: { nodeSelector: { datacenter: "dcb" } } });
    createPod(fixture.world, "nowhere", { spec: { nodeSelector: { datacenter: "dcz" } } });
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "in-b")).toBe("dcb-1");
    expect(scheduledCondition(fixture, "nowhere")?.message).toBe(
      "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it("ORs required node affinity terms and ANDs expressions within a term", () => {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 2, DCB: 2 }), withLifecycle: false });
    const affinity = (terms: unknown[]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
    });
    createPod(fixture.world, "or", {
      spec: affinity([
        { matchExpressions: [{ key: "datacenter", operator: "In", values: ["dcz"] }] },
        { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["dcb-2"] }] },
      ]),
    });
    createPod(fixture.world, "and", {
      spec: affinity([
        {
          matchExpressions: [
            { key: "datacenter", operator: "In", values: ["dca"] },
            { key: "kubernetes.io/hostname", operator: "NotIn", values: ["dca-1"] },
          ],
        },
      ]),
    });
    createPod(fixture.world, "field", {
      spec: affinity([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["dcb-1"] }] }]),
    });
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "or")).toBe("dcb-2");
    expect(scheduled(fixture, "and")).toBe("dca-2");
    expect(scheduled(fixture, "field")).toBe("dcb-1");
  });

  it("keeps pods off tainted nodes unless they tolerate the taint", () => {
    const fixture = startCluster({ nodes: 2, withLifecycle: false });
    const world = fixture.world;
    for (const name of ["dca-1", "dca-2"]) {
      world.store.patch("Node", NODE_NAMESPACE, name, (draft) => {
        (draft.spec as { taints?: unknown[] }).taints = [
          { key: "dedicated", value: name === "dca-1" ? "gpu" : "db", effect: "NoSchedule" },
        ];
      });
    }
    createPod(world, "plain");
    createPod(world, "gpu", {
      spec: { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] },
    });
    createPod(world, "anything", { spec: { tolerations: [{ operator: "Exists" }] } });
    world.kernel.run(1000);
    expect(scheduled(fixture, "gpu")).toBe("dca-1");
    expect(scheduled(fixture, "anything")).toBeDefined();
    expect(scheduledCondition(fixture, "plain")?.message).toBe(
      "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {dedicated: gpu}.",
    );
  });

  it("skips unschedulable (cordoned) nodes and retries at once when a node changes", () => {
    const fixture = startCluster({ nodes: 1, withLifecycle: false });
    const world = fixture.world;
    world.store.patch("Node", NODE_NAMESPACE, "dca-1", (draft) => {
      (draft.spec as { unschedulable?: boolean }).unschedulable = true;
    });
    createPod(world, "web");
    world.kernel.run(1000);
    expect(scheduledCondition(fixture, "web")?.message).toBe("0/1 nodes are available: 1 node(s) were unschedulable.");
    world.store.patch("Node", NODE_NAMESPACE, "dca-1", (draft) => {
      (draft.spec as { unschedulable?: boolean }).unschedulable = false;
    });
    world.kernel.run(1029);
    expect(scheduled(fixture, "web")).toBeUndefined();
    world.kernel.run(1030);
    expect(scheduled(fixture, "web")).toBe("dca-1");
  });

  it("retries an unschedulable pod every schedulingRetryMs when something changed", () => {
    const fixture = startCluster({ nodes: 1, cpuMilli: 1000, withLifecycle: false });
    const world = fixture.world;
    createPod(world, "big", { cpu: "2" });
    world.kernel.run(100);
    expect(world.eventCounts.get("FailedScheduling")).toBe(1);
    world.kernel.run(30_100);
    // Nothing changed: the periodic retries are skipped (same failure, no new event).
    expect(world.eventCounts.get("FailedScheduling")).toBe(1);
  });
});

describe("scheduler: scores", () => {
  it("spreads pods of one controller across nodes and zones", () => {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 3, DCB: 1 }), withLifecycle: false });
    for (let i = 0; i < 4; i++) createPod(fixture.world, `web-${i}`, { owner: "web" });
    fixture.world.kernel.run(1000);
    const placed = [0, 1, 2, 3].map((i) => scheduled(fixture, `web-${i}`));
    // First by name; then the other zone (dcb-1) before a second dca node.
    expect(placed[0]).toBe("dca-1");
    expect(placed[1]).toBe("dcb-1");
    expect(new Set(placed).size).toBe(4);
  });

  it("keeps spreading per controller: another owner starts over on the first node", () => {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 2, DCB: 2 }), withLifecycle: false });
    for (let i = 0; i < 4; i++) createPod(fixture.world, `a-${i}`, { owner: "a" });
    fixture.world.kernel.run(1000);
    const zones = [0, 1, 2, 3].map((i) => scheduled(fixture, `a-${i}`)?.slice(0, 3));
    expect(zones.filter((zone) => zone === "dca")).toHaveLength(2);
    expect(zones.filter((zone) => zone === "dcb")).toHaveLength(2);
  });

  it("prefers nodes matching preferred affinity", () => {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 2, DCB: 2 }), withLifecycle: false });
    createPod(fixture.world, "prefers-b", {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 50,
                preference: { matchExpressions: [{ key: "datacenter", operator: "In", values: ["dcb"] }] },
              },
            ],
          },
        },
      },
    });
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "prefers-b")).toBe("dcb-1");
  });

  it("avoids PreferNoSchedule taints the pod does not tolerate", () => {
    const fixture = startCluster({ nodes: 2, withLifecycle: false });
    fixture.world.store.patch("Node", NODE_NAMESPACE, "dca-1", (draft) => {
      (draft.spec as { taints?: unknown[] }).taints = [{ key: "spot", effect: "PreferNoSchedule" }];
    });
    createPod(fixture.world, "web");
    fixture.world.kernel.run(1000);
    expect(scheduled(fixture, "web")).toBe("dca-2");
  });
});

describe("scheduler: spread groups", () => {
  /** Places a mix of owned and unowned pods; with `taintOne`, one node has a PreferNoSchedule taint the pods tolerate. */
  function placements(taintOne: boolean): (string | undefined)[] {
    const fixture = startCluster({ nodeConfigs: zonedNodes({ DCA: 50, DCB: 40, DCC: 30 }), withLifecycle: false });
    if (taintOne) {
      fixture.world.store.patch("Node", NODE_NAMESPACE, "dcb-7", (draft) => {
        (draft.spec as { taints?: unknown[] }).taints = [{ key: "spot", effect: "PreferNoSchedule" }];
      });
    }
    const tolerations = [{ key: "spot", operator: "Exists", effect: "PreferNoSchedule" }];
    const names: string[] = [];
    for (let i = 0; i < 240; i++) {
      const owner = i % 5 === 4 ? undefined : i % 5 < 2 ? "a" : "b";
      const name = `p-${i}`;
      createPod(fixture.world, name, { owner, cpu: i % 3 === 0 ? "100m" : "250m", spec: { tolerations } });
      names.push(name);
    }
    fixture.world.kernel.run(60_000);
    return names.map((name) => scheduled(fixture, name));
  }

  it("scores a node added after an owner's pods were counted (its count there is 0)", () => {
    // 64 nodes fill the cache's first capacity, so the added one is past the owner's counts array.
    const big = (config: NodeConfig): NodeConfig => ({ ...config, capacity: { ...config.capacity, cpuMilli: 8000 } });
    const configs = zonedNodes({ DCA: 65 }, 1000);
    const initial = configs.slice(0, 64).map((config, index) => (index === 0 ? big(config) : config));
    const fixture = startCluster({ nodeConfigs: initial, withLifecycle: false });
    createPod(fixture.world, "a-0", { owner: "a", cpu: "3000m" }); // fits only the big node
    fixture.world.kernel.run(10_000);
    expect(scheduled(fixture, "a-0")).toBe(initial[0]?.name);
    const added = layoutNodes([...initial, big(configs[64] as NodeConfig)], ["DCA"])[64] as NodeInfo;
    fixture.world.store.create(nodeManifest(added, fixture.world.nowMs));
    createPod(fixture.world, "a-1", { owner: "a", cpu: "3000m" });
    fixture.world.kernel.run(20_000);
    // Both big nodes fit; the added one has none of the owner's pods and more room.
    expect(scheduled(fixture, "a-1")).toBe(added.name);
  });

  it("chooses as the full scoring passes do (a tolerated PreferNoSchedule taint forces those)", () => {
    const grouped = placements(false);
    expect(grouped.every((name) => name !== undefined)).toBe(true);
    expect(placements(true)).toEqual(grouped);
  });
});

describe("scheduler helpers", () => {
  it.each([
    ["In", ["a", "b"], "a", true],
    ["In", ["a"], undefined, false],
    ["NotIn", ["a"], "b", true],
    ["NotIn", ["a"], undefined, true],
    ["NotIn", ["a"], "a", false],
    ["Exists", [], "x", true],
    ["Exists", [], undefined, false],
    ["DoesNotExist", [], undefined, true],
    ["DoesNotExist", [], "x", false],
    ["Gt", ["5"], "6", true],
    ["Gt", ["5"], "5", false],
    ["Lt", ["5"], "4", true],
    ["Lt", ["5"], "abc", false],
    ["Gt", ["5", "6"], "7", false],
  ] as const)("%s %j against %j -> %s", (operator, values, value, expected) => {
    const labels: Record<string, string> = value === undefined ? {} : { key: value };
    expect(nodeSelectorRequirementMatches({ key: "key", operator, values: [...values] }, labels)).toBe(expected);
  });

  it("an empty term matches nothing", () => {
    expect(nodeSelectorTermMatches({}, { a: "b" }, "n")).toBe(false);
  });

  it("sums container requests and takes the max with init containers; limits stand in", () => {
    expect(
      podRequests({
        containers: [
          { name: "a", resources: { requests: { cpu: "250m", memory: "64Mi" } } },
          { name: "b", resources: { limits: { cpu: "1", memory: "1Gi" } } },
          { name: "c" },
        ],
        initContainers: [{ name: "init", resources: { requests: { cpu: "2" } } }],
      }),
    ).toEqual({
      cpuMilli: 2000,
      memoryBytes: 64 * 2 ** 20 + 2 ** 30,
      nonZeroCpuMilli: 2000,
      nonZeroMemoryBytes: 64 * 2 ** 20 + 2 ** 30 + 200 * 2 ** 20,
    });
  });

  it("finds 42% of 1000 nodes and at least 100", () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(150)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(10_000)).toBe(500);
  });

  it("formats the FitError message", () => {
    expect(unschedulableMessage(3, new Map([["Insufficient cpu", 3]]))).toBe(
      "0/3 nodes are available: 3 Insufficient cpu.",
    );
    expect(unschedulableMessage(0, new Map())).toBe("no nodes available to schedule pods");
  });
});

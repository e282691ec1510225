import { describe, expect, it } from "vitest";
import type { Node } from "../../src/api/kinds.ts";
import { SchedulerCache } from "../../src/cluster/scheduler-cache.ts";
import type { PodRequests } from "../../src/cluster/scheduling.ts";

function nodeObject(name: string, zone: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "topology.kubernetes.io/zone": zone } },
    status: {
      allocatable: { cpu: "4", memory: "8Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  } as unknown as Node;
}

const REQUESTS: PodRequests = { cpuMilli: 100, memoryBytes: 0, nonZeroCpuMilli: 100, nonZeroMemoryBytes: 0 };

function cacheWith(...nodes: [string, string][]): SchedulerCache {
  const cache = new SchedulerCache();
  for (const [name, zone] of nodes) cache.applyNode(cache.node(name), nodeObject(name, zone));
  cache.rebuildOrder();
  return cache;
}

describe("scheduler cache", () => {
  it("lists the node-tree order twice, so a walk from any position needs no wrap-around", () => {
    const cache = cacheWith(["a1", "a"], ["a2", "a"], ["b1", "b"]);
    expect(cache.orderLength).toBe(3);
    const names = [...cache.order].map((i) => cache.nodes[i]?.name);
    expect(names).toEqual(["a1", "b1", "a2", "a1", "b1", "a2"]);
  });

  it("forgets a node's fit score (NaN) when its totals or allocatable change", () => {
    const cache = cacheWith(["a1", "a"], ["a2", "a"]);
    const a1 = cache.node("a1");
    expect(cache.fitScores[a1.index]).toBeNaN();
    cache.fitScores[a1.index] = 42;
    cache.fitScores[cache.node("a2").index] = 7;
    const charge = cache.charge("default/p", "uid-p", a1, REQUESTS, undefined, true);
    expect(cache.fitScores[a1.index]).toBeNaN();
    expect(cache.fitScores[cache.node("a2").index]).toBe(7);
    cache.fitScores[a1.index] = 42;
    cache.uncharge("default/p", charge);
    expect(cache.fitScores[a1.index]).toBeNaN();
    cache.fitScores[a1.index] = 42;
    cache.applyNode(a1, nodeObject("a1", "a"));
    expect(cache.fitScores[a1.index]).toBeNaN();
  });

  it("gives per-node owner counts for every node, zeros without counts", () => {
    const cache = cacheWith(["a1", "a"]);
    cache.charge("default/p", "uid-p", cache.node("a1"), REQUESTS, "owner", false);
    for (let n = 0; n < 100; n++) cache.node(`late-${n}`); // grows the cache past the counts' length
    const perNode = cache.ownerCounts("owner")?.perNode;
    expect(perNode?.length).toBeGreaterThanOrEqual(cache.nodes.length);
    expect(perNode?.[cache.node("a1").index]).toBe(1);
    expect(perNode?.[cache.node("late-99").index]).toBe(0);
    const none = cache.noPodsPerNode();
    expect(none.length).toBeGreaterThanOrEqual(cache.nodes.length);
    expect(none.every((count) => count === 0)).toBe(true);
  });
});

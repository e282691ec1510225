import { describe, expect, it } from "vitest";
import type { Node } from "../../src/api/kinds.ts";
import { cidrContains, type Ipv4Cidr, parseCidr } from "../../src/cluster/ip-allocator.ts";
import { layoutNodes } from "../../src/cluster/nodes.ts";
import { datacenterNodes } from "../../src/world/config.ts";
import { createPod, node, pod, startCluster, zonedNodes } from "./fixture.ts";

describe("nodes", () => {
  it("creates one Node per configured node at start, Ready, with capacity and a /24 pod CIDR", () => {
    const { world } = startCluster({ nodes: 2, cpuMilli: 3500, memoryBytes: 16 * 2 ** 30, pods: 110 });
    const created = node(world, "dca-2") as Node;
    expect(created.metadata.namespace).toBe("");
    expect(created.metadata.labels).toEqual({
      datacenter: "dca",
      "topology.kubernetes.io/zone": "DCA",
      "kubernetes.io/hostname": "dca-2",
    });
    expect(created.spec).toEqual({ podCIDR: "10.1.1.0/24", podCIDRs: ["10.1.1.0/24"] });
    expect(created.status?.capacity).toEqual({ cpu: "3500m", memory: "16Gi", pods: "110" });
    expect(created.status?.allocatable).toEqual(created.status?.capacity);
    expect(created.status?.addresses).toEqual([
      { type: "InternalIP", address: "172.16.0.2" },
      { type: "Hostname", address: "dca-2" },
    ]);
    expect(created.status?.conditions?.find((condition) => condition.type === "Ready")).toMatchObject({
      status: "True",
      reason: "KubeletReady",
    });
  });

  it("numbers pod CIDRs per datacenter, spilling into the next octet past 256 nodes", () => {
    const capacity = { cpuMilli: 1000, memoryBytes: 2 ** 30, pods: 10 };
    const configs = [
      ...datacenterNodes({ name: "DCA", nodeLabels: {} }, 300, capacity),
      ...datacenterNodes({ name: "DCB", nodeLabels: {} }, 2, capacity),
    ];
    const layout = layoutNodes(configs, ["DCA", "DCB"]);
    expect(layout[0]?.podCIDR).toBe("10.1.0.0/24");
    expect(layout[255]?.podCIDR).toBe("10.1.255.0/24");
    expect(layout[256]?.podCIDR).toBe("10.2.0.0/24");
    expect(layout[300]?.podCIDR).toBe("10.3.0.0/24");
    expect(new Set(layout.map((info) => info.podCIDR)).size).toBe(302);
    expect(new Set(layout.map((info) => info.internalIP)).size).toBe(302);
  });

  it("gives pods IPs inside their node's CIDR", () => {
    const { world } = startCluster({ nodeConfigs: zonedNodes({ DCA: 1, DCB: 1 }), withLifecycle: false });
    createPod(world, "a", { nodeName: "dcb-1" });
    world.kernel.run(100);
    const cidr = parseCidr(node(world, "dcb-1")?.spec?.podCIDR as string);
    expect(cidr).not.toBeNull();
    expect(cidrContains(cidr as Ipv4Cidr, pod(world, "a")?.status?.podIP as string)).toBe(true);
    expect(pod(world, "a")?.status?.podIP).toBe("10.2.0.2");
  });

  it("tells listeners when a machine goes down and comes back, once per change", () => {
    const { nodes } = startCluster({ nodes: 2, withLifecycle: false });
    const seen: [string, boolean][] = [];
    nodes.addListener({ onNodeDown: (name, down) => seen.push([name, down]) });
    nodes.setNodeDown("dca-1", true);
    nodes.setNodeDown("dca-1", true);
    expect(nodes.isNodeDown("dca-1")).toBe(true);
    nodes.setNodeDown("dca-1", false);
    expect(seen).toEqual([
      ["dca-1", true],
      ["dca-1", false],
    ]);
    expect(() => nodes.setNodeDown("nope", true)).toThrow(/no node named nope/);
  });
});

describe("determinism", () => {
  function run(seed: number): string {
    const fixture = startCluster({
      seed,
      nodeConfigs: zonedNodes({ DCA: 3, DCB: 3 }),
      images: {
        "app:v1": {
          startup: { kind: "lognormal", medianMs: 4000, sigma: 0.5 },
          crashAfter: { kind: "exponential", meanMs: 60_000 },
        },
      },
      config: {},
    });
    const { world, nodes } = fixture;
    for (let i = 0; i < 12; i++) createPod(world, `web-${i}`, { owner: "web", readinessProbe: { periodSeconds: 5 } });
    world.kernel.run(30_000);
    nodes.setNodeDown("dcb-2", true);
    world.kernel.run(200_000);
    nodes.setNodeDown("dcb-2", false);
    world.store.delete("Pod", "default", "web-3");
    world.kernel.run(400_000);
    return world.trace.finish();
  }

  it("gives the same trace for the same seed, and another for another seed", () => {
    const first = run(7);
    expect(run(7)).toBe(first);
    expect(run(8)).not.toBe(first);
  });
});

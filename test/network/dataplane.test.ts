import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { createService, netWorld } from "../helpers/network.ts";

const readyIps = (routes: { candidates: readonly { ip: string }[] } | undefined): string[] =>
  (routes?.candidates ?? []).map((backend) => backend.ip);

describe("DataPlane", () => {
  it("applies an endpoint change exactly endpointPropagation after the slice changed", () => {
    const { world, kubelet, net } = netWorld({ watchDelayMs: 20, propagationMs: 500 });
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    // The pod reaches the controller's cache at 20 ms and the slice is written then; 500 ms later
    // the data plane routes by it.
    world.kernel.run(519);
    expect(readyIps(net.dataplane.routes("default/web"))).toEqual([]);
    world.kernel.run(520);
    expect(readyIps(net.dataplane.routes("default/web"))).toEqual(["10.0.0.1"]);
    // Readiness lost at 1000: the slice changes at 1020, routing at 1520.
    world.kernel.run(1000);
    kubelet.setCondition("web-a", "ContainersReady", "False");
    world.kernel.run(1519);
    expect(readyIps(net.dataplane.routes("default/web"))).toEqual(["10.0.0.1"]);
    world.kernel.run(1520);
    expect(readyIps(net.dataplane.routes("default/web"))).toEqual([]);
  });

  it("applies changes in FIFO order even when sampled delays would reorder them", () => {
    const { world, kubelet, net } = netWorld({ propagation: { kind: "uniform", minMs: 0, maxMs: 2000 } });
    world.start();
    createService(world, "web");
    const seen: string[][] = [];
    net.dataplane.onAfterChange(() => seen.push(readyIps(net.dataplane.routes("default/web"))));
    for (let i = 0; i < 6; i++) {
      world.kernel.run(i * 100);
      kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}` });
    }
    world.kernel.run(20_000);
    // Each applied view is a superset of the previous one: no later slice was applied before an earlier.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toEqual(expect.arrayContaining(seen[i - 1] as string[]));
    expect(seen.at(-1)).toHaveLength(6);
  });

  it("routes to ready endpoints, and to serving terminating ones only when none is ready", () => {
    const { world, kubelet, net } = netWorld();
    kubelet.shutdownMs = 60_000;
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    kubelet.startPod({ name: "web-b", ip: "10.0.0.2" });
    world.kernel.run(1000);
    world.store.delete("Pod", "default", "web-a");
    world.kernel.run(2000);
    const routes = net.dataplane.routes("default/web");
    expect(readyIps(routes)).toEqual(["10.0.0.2"]);
    expect(routes?.servingTerminating.map((backend) => backend.ip)).toEqual(["10.0.0.1"]);
    for (let i = 0; i < 20; i++) expect(net.dataplane.route("default/web", "203.0.113.9")?.ip).toBe("10.0.0.2");
    world.store.delete("Pod", "default", "web-b");
    world.kernel.run(3000);
    expect(readyIps(net.dataplane.routes("default/web")).sort()).toEqual(["10.0.0.1", "10.0.0.2"]);
    world.store.patch<Pod>("Pod", "default", "web-b", (draft) => {
      for (const condition of draft.status?.conditions ?? [])
        if (condition.type === "ContainersReady") condition.status = "False";
    });
    world.kernel.run(4000);
    expect(readyIps(net.dataplane.routes("default/web"))).toEqual(["10.0.0.1"]);
  });

  it("spreads connections uniformly without session affinity", () => {
    const { world, kubelet, net } = netWorld();
    world.start();
    createService(world, "web");
    for (let i = 0; i < 4; i++) kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}` });
    world.kernel.run(1000);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const ip = net.dataplane.route("default/web", "203.0.113.1")?.ip as string;
      counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    // Binomial(4000, 1/4): mean 1000, sd ≈ 27; 5 sd.
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(140);
  });

  it("keeps a client on its endpoint with sessionAffinity ClientIP until the timeout or the endpoint goes", () => {
    const { world, kubelet, net } = netWorld();
    world.start();
    createService(world, "web", {
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
    });
    for (let i = 0; i < 4; i++) kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}` });
    world.kernel.run(1000);
    const clients = Array.from({ length: 40 }, (_, i) => `203.0.113.${i + 1}`);
    const first = clients.map((client) => net.dataplane.route("default/web", client)?.ip);
    expect(new Set(first).size).toBeGreaterThan(1);
    for (let round = 0; round < 5; round++) {
      world.kernel.run(1000 + (round + 1) * 9000);
      // Used every 9 s, under the 10 s timeout: the same endpoint each time.
      expect(clients.map((client) => net.dataplane.route("default/web", client)?.ip)).toEqual(first);
    }
    // Idle for more than the timeout: each client picks afresh, and some land elsewhere.
    world.kernel.run(1000 + 5 * 9000 + 10_001);
    const later = clients.map((client) => net.dataplane.route("default/web", client)?.ip);
    expect(later).not.toEqual(first);
    // An endpoint that leaves the candidates releases its clients at once.
    const pinned = later[0] as string;
    const podName = `web-${Number(pinned.split(".")[3]) - 1}`;
    kubelet.setCondition(podName, "ContainersReady", "False");
    world.kernel.run(world.nowMs + 1000);
    expect(net.dataplane.route("default/web", clients[0] as string)?.ip).not.toBe(pinned);
  });

  it("forgets a deleted Service", () => {
    const { world, kubelet, net } = netWorld();
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    expect(net.dataplane.route("default/web", "203.0.113.1")?.ip).toBe("10.0.0.1");
    world.store.delete("Service", "default", "web");
    world.kernel.run(2000);
    expect(net.dataplane.routes("default/web")).toBeUndefined();
    expect(net.dataplane.route("default/web", "203.0.113.1")).toBeUndefined();
  });
});

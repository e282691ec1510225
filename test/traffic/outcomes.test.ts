import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { constantMs } from "../../src/sim/random.ts";
import { registerTraffic } from "../../src/traffic/index.ts";
import { createService, netWorld, ref, traffic } from "../helpers/network.ts";

const SERVICE = ref("Service", "web");

describe("exact traffic outcomes", () => {
  it("succeeds through a Service, counting by image and datacenter", () => {
    const { world, kubelet } = netWorld();
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 100)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", image: "demo:v1" });
    world.kernel.run(1000);
    const early = metrics.counts(SERVICE);
    // Before the data plane learned the endpoint (520 ms) there was none.
    expect(early.failed).toBe(early.byReason["no-endpoint"]);
    world.kernel.run(11_000);
    const counts = metrics.counts(SERVICE);
    expect(counts.succeeded).toBeGreaterThan(900);
    expect(counts.total).toBe(counts.succeeded + counts.failed + counts.rejected);
    // Every request sent to the pod: the served ones and those still in flight.
    const sent = counts.succeeded + metrics.inFlight(SERVICE);
    expect(counts.byImage).toEqual({ "demo:v1": sent });
    expect(metrics.byDatacenter(SERVICE)).toEqual({ DCA: sent });
    expect(metrics.counts()).toEqual(counts);
  });

  it("fails with no-endpoint when no pod is ready", () => {
    const { world, kubelet } = netWorld();
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 50)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", ready: false });
    world.kernel.run(10_000);
    const counts = metrics.counts(SERVICE);
    expect(counts.total).toBeGreaterThan(400);
    expect(counts.byReason).toEqual({ "no-endpoint": counts.total });
    expect(metrics.successRatio(SERVICE)).toBe(0);
  });

  it("is refused by a process that is not running, even while the endpoint is ready", () => {
    const { world, kubelet } = netWorld();
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 100)], { mode: "exact" });
    world.start();
    const pod = kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(2000);
    const before = metrics.counts(SERVICE);
    kubelet.setState(pod, "draining");
    world.kernel.run(4000);
    kubelet.setState(pod, "absent");
    world.kernel.run(6000);
    const after = metrics.counts(SERVICE);
    expect(after.succeeded - before.succeeded).toBeLessThan(5);
    expect((after.byReason["connection-refused"] ?? 0) - (before.byReason["connection-refused"] ?? 0)).toBeGreaterThan(
      300,
    );
  });

  it("resets requests in flight when the process stops, but a draining process finishes them", () => {
    const { world, kubelet } = netWorld({ images: { "slow:v1": { serviceTime: constantMs(1000) } } });
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 100)], { mode: "exact" });
    world.start();
    const a = kubelet.startPod({ name: "web-a", ip: "10.0.0.1", image: "slow:v1" });
    const b = kubelet.startPod({ name: "web-b", ip: "10.0.0.2", image: "slow:v1" });
    world.kernel.run(5000);
    // About 50 req/s per pod, each held 1 s: ~50 in flight each.
    expect(metrics.inFlight(SERVICE)).toBeGreaterThan(60);
    kubelet.setState(a, "stopped");
    const resets = metrics.counts(SERVICE).byReason.reset ?? 0;
    expect(resets).toBeGreaterThan(25);
    kubelet.setState(b, "draining");
    world.kernel.run(7000);
    kubelet.setState(b, "stopped");
    expect(metrics.counts(SERVICE).byReason.reset).toBe(resets);
    expect(metrics.inFlight(SERVICE)).toBe(0);
  });

  it("fails a share of requests with app-error from the image's error rate", () => {
    const { world, kubelet } = netWorld({ images: { "flaky:v2": { errorRate: 0.25 } } });
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 200)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", image: "flaky:v2" });
    world.kernel.run(60_000);
    const counts = metrics.counts(SERVICE);
    const served = counts.succeeded + (counts.byReason["app-error"] ?? 0);
    expect(Math.abs((counts.byReason["app-error"] ?? 0) - served / 4)).toBeLessThan(
      5 * Math.sqrt(served * 0.25 * 0.75),
    );
  });

  it("sends from a workload's running pods", () => {
    const { world, kubelet, net } = netWorld();
    createService(world, "web");
    world.store.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "client" },
      spec: {
        selector: { matchLabels: { app: "client" } },
        template: { metadata: { labels: { app: "client" } }, spec: { containers: [] } },
      },
    });
    world.store.create({
      apiVersion: "rolloutsim/v1",
      kind: "Gateway",
      metadata: { name: "edge" },
      spec: { service: "web", allowedSources: ["10.1.0.1"] },
    });
    const metrics = registerTraffic(
      world,
      [traffic("calls", ref("Gateway", "edge"), 100, ref("Deployment", "client"))],
      { mode: "exact" },
    );
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    expect(metrics.counts().total).toBe(0);
    const c1 = kubelet.startPod({ name: "client-1", ip: "10.1.0.1", labels: { app: "client" } });
    kubelet.startPod({ name: "client-2", ip: "10.1.0.2", labels: { app: "client" } });
    world.kernel.run(11_000);
    const both = metrics.counts();
    expect(Math.abs(both.rejected - both.succeeded)).toBeLessThan(5 * Math.sqrt(both.total / 4));
    kubelet.setState(c1, "stopped");
    world.kernel.run(21_000);
    const after = metrics.counts();
    // Only the few in flight when client-1 stopped still complete.
    expect(after.succeeded - both.succeeded).toBeLessThan(5);
    expect(after.rejected - both.rejected).toBeGreaterThan(800);
    expect(net.gateways.get("default/edge")?.serviceKey).toBe("default/web");
  });

  it("keeps a per-second series, the worst window and Traffic trace records", () => {
    const dir = mkdtempSync(join(tmpdir(), "rolloutsim-traffic-"));
    const traceFile = join(dir, "trace.ndjson");
    const { world, kubelet } = netWorld({ traceFile });
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 100)], { mode: "exact" });
    world.start();
    const pod = kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(20_000);
    kubelet.setState(pod, "stopped");
    world.kernel.run(25_000);
    kubelet.setState(pod, "running");
    world.kernel.run(60_000);
    world.trace.finish();
    const rows = metrics.timeseries();
    expect(rows).toHaveLength(60);
    expect(rows.reduce((sum, row) => sum + row.succeeded + row.failed + row.rejected, 0)).toBe(metrics.counts().total);
    const outage = rows.filter((row) => row.tMs >= 20_000 && row.tMs < 25_000);
    expect(outage.every((row) => row.succeeded === 0 && row.failed > 50)).toBe(true);
    expect(metrics.worstWindowRatio(SERVICE, 5000)).toBe(0);
    const tenSeconds = metrics.worstWindowRatio(SERVICE, 10_000) as number;
    expect(tenSeconds).toBeGreaterThan(0.4);
    expect(tenSeconds).toBeLessThan(0.6);
    expect(metrics.successRatio(SERVICE)).toBeGreaterThan(0.9);
    const records = readFileSync(traceFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { t: number; type: string; bucketMs?: number; succeeded?: number });
    const traffic1 = records.filter((record) => record.type === "Traffic");
    expect(traffic1.length).toBeGreaterThanOrEqual(57);
    expect(traffic1.length).toBeLessThanOrEqual(59);
    for (const record of traffic1) expect(record.t).toBe((record.bucketMs as number) + 2000);
    const long = metrics.timeseriesRows(10_000);
    expect(long.filter((row) => row.metric === "succeeded")).toHaveLength(6);
    expect(long.filter((row) => row.metric === "succeeded").reduce((sum, row) => sum + row.value, 0)).toBe(
      metrics.counts().succeeded,
    );
  });

  it("is deterministic: same seed, same counts and trace hash; another seed differs", () => {
    const runOnce = (seed: number) => {
      const { world, kubelet } = netWorld({ seed });
      createService(world, "web");
      const metrics = registerTraffic(world, [traffic("users", SERVICE, 300)], { mode: "exact" });
      world.start();
      for (let i = 0; i < 3; i++) kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}` });
      world.kernel.run(5000);
      world.store.delete("Pod", "default", "web-1");
      world.kernel.run(20_000);
      return { counts: metrics.counts(), hash: world.trace.finish() };
    };
    const a = runOnce(7);
    expect(runOnce(7)).toEqual(a);
    expect(runOnce(8).hash).not.toBe(a.hash);
  });

  it("rejects a target kind it cannot send to", () => {
    const { world } = netWorld();
    registerTraffic(world, [traffic("users", ref("Deployment", "web"), 10)], { mode: "exact" });
    expect(() => world.start()).toThrow(/cannot send to a Deployment/);
  });

  it("changes image counts after an in-place image change of the same pod", () => {
    const { world, kubelet } = netWorld();
    createService(world, "web");
    const metrics = registerTraffic(world, [traffic("users", SERVICE, 100)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", image: "demo:v1" });
    world.kernel.run(10_000);
    world.store.patch<Pod>("Pod", "default", "web-a", (draft) => {
      (draft.spec?.containers[0] as { image: string }).image = "demo:v2";
    });
    world.kernel.run(20_000);
    const byImage = metrics.counts(SERVICE).byImage;
    expect(byImage["demo:v1"]).toBeGreaterThan(800);
    expect(byImage["demo:v2"]).toBeGreaterThan(800);
  });
});

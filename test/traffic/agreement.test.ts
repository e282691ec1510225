/**
 * Exact and aggregated traffic must agree statistically: the same scenario (endpoint propagation
 * lag, a gateway whitelist, a load balancer, pods deleted, crashed, restarted and unready, an image
 * error rate, requests held 200 ms) in both modes, several seeds, every (target, outcome) count
 * within 4.5 standard errors (counts are Poisson-like: Var ≈ mean, so the difference of two has
 * sd ≈ √(E + A)).
 */
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { constantMs } from "../../src/sim/random.ts";
import { registerTraffic, type TrafficMode } from "../../src/traffic/index.ts";
import { createGateway, createLoadBalancer, createService, netWorld, ref, traffic } from "../helpers/network.ts";

const TARGETS = [ref("Service", "web"), ref("Gateway", "edge"), ref("LoadBalancer", "web-lb")];
const OUTCOMES = ["succeeded", "rejected", "no-endpoint", "connection-refused", "reset", "app-error"] as const;

function runScenario(mode: TrafficMode, seed: number) {
  const { world, kubelet } = netWorld({
    seed,
    images: { "app:v1": { serviceTime: constantMs(200), errorRate: 0.05 } },
  });
  createService(world, "web");
  createGateway(world, "edge", { service: "web", allowedSources: ["203.0.113.0/25"] });
  createLoadBalancer(world, "web-lb", {
    service: "web",
    registrationDelay: "1s",
    deregistrationDelay: "2s",
    drainTime: "500ms",
  });
  const metrics = registerTraffic(
    world,
    [
      traffic("direct", TARGETS[0] as never, 600),
      traffic("edge", TARGETS[1] as never, 300),
      traffic("lb", TARGETS[2] as never, 300),
    ],
    { mode },
  );
  world.start();
  const pods: Pod[] = [];
  for (let i = 0; i < 10; i++)
    pods.push(kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}`, image: "app:v1" }));
  const at = (ms: number, action: () => void): void => {
    world.kernel.scheduleAt(ms, action);
  };
  at(10_000, () => {
    world.store.delete("Pod", "default", "web-0");
    world.store.delete("Pod", "default", "web-1");
  });
  at(20_000, () => {
    kubelet.setState(pods[2] as Pod, "stopped");
    kubelet.setState(pods[3] as Pod, "stopped");
  });
  at(30_000, () => kubelet.setState(pods[4] as Pod, "absent"));
  at(32_000, () => kubelet.setState(pods[4] as Pod, "running"));
  at(40_000, () => {
    for (let i = 2; i < 10; i++) kubelet.setCondition(`web-${i}`, "ContainersReady", "False");
  });
  at(45_000, () => {
    for (let i = 5; i < 10; i++) kubelet.setCondition(`web-${i}`, "ContainersReady", "True");
  });
  world.kernel.run(60_000);
  const out = new Map<string, number>();
  for (const target of TARGETS) {
    const counts = metrics.counts(target);
    out.set(`${target.kind} succeeded`, counts.succeeded);
    out.set(`${target.kind} rejected`, counts.rejected);
    for (const reason of OUTCOMES.slice(2)) out.set(`${target.kind} ${reason}`, counts.byReason[reason] ?? 0);
    out.set(`${target.kind} total`, counts.total);
  }
  return { counts: out, events: world.kernel.events };
}

function summed(mode: TrafficMode, seeds: number[]) {
  const total = new Map<string, number>();
  let events = 0;
  for (const seed of seeds) {
    const run = runScenario(mode, seed);
    events += run.events;
    for (const [key, value] of run.counts) total.set(key, (total.get(key) ?? 0) + value);
  }
  return { total, events };
}

describe("exact and aggregated traffic agree", () => {
  const seeds = [1, 2, 3];
  const exact = summed("exact", seeds);
  const aggregated = summed("aggregated", seeds);

  it.each([...exact.total.keys()])("%s", (key) => {
    if (process.env.SHOW_AGREEMENT) console.log(key, exact.total.get(key), aggregated.total.get(key));
    const e = exact.total.get(key) as number;
    const a = aggregated.total.get(key) as number;
    expect(Math.abs(e - a)).toBeLessThanOrEqual(4.5 * Math.sqrt(e + a + 1));
  });

  it("exercises every outcome", () => {
    for (const key of [
      "Service reset",
      "Service connection-refused",
      "Service no-endpoint",
      "Service app-error",
      "Gateway rejected",
      "LoadBalancer connection-refused",
    ]) {
      expect(exact.total.get(key)).toBeGreaterThan(30);
    }
  });

  it("aggregated mode makes no event per request", () => {
    // 1,200 requests/s for 60 s, three runs: ~216k requests; exact mode has an event per
    // completion and per arrival millisecond.
    expect(exact.events).toBeGreaterThan(250_000);
    expect(aggregated.events).toBeLessThan(20_000);
  });
});

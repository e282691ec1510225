/**
 * The whole cluster (nodes, scheduler, kubelet, Deployment and ReplicaSet controllers) with
 * networking and traffic: what a user sees during a rolling update of a plain Deployment.
 */
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { podCondition } from "../../src/api/pod.ts";
import { networkingOf } from "../../src/network/index.ts";
import { DEFAULT_LB_READINESS_GATE } from "../../src/network/loadbalancer.ts";
import { registerTraffic, type TrafficMode } from "../../src/traffic/index.ts";
import { registerStandardComponents } from "../../src/world/components.ts";
import { createLoadBalancer, ref, traffic } from "../helpers/network.ts";
import { makeWorld } from "../helpers/world.ts";

interface RolloutOptions {
  preStopSeconds: number;
  target: "Service" | "LoadBalancer";
  mode?: TrafficMode;
}

function rollingUpdate(options: RolloutOptions) {
  const world = makeWorld({ nodes: 3 });
  registerStandardComponents(world);
  const to = options.target === "Service" ? ref("Service", "web") : ref("LoadBalancer", "web-lb");
  const metrics = registerTraffic(world, [traffic("users", to, 100)], { mode: options.mode ?? "exact" });
  world.start();
  world.store.create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  });
  if (options.target === "LoadBalancer") {
    createLoadBalancer(world, "web-lb", {
      service: "web",
      registrationDelay: "1s",
      deregistrationDelay: "2s",
      drainTime: "1s",
    });
  }
  const container = (image: string) => ({
    name: "app",
    image,
    ...(options.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: options.preStopSeconds } } } } : {}),
  });
  const podSpec = (image: string) => ({
    containers: [container(image)],
    ...(options.target === "LoadBalancer" ? { readinessGates: [{ conditionType: DEFAULT_LB_READINESS_GATE }] } : {}),
  });
  world.store.create({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: podSpec("web:v1") },
    },
  });
  world.kernel.run(60_000);
  const before = metrics.counts();
  world.store.patch("Deployment", "default", "web", (draft) => {
    (draft.spec as { template: { spec: unknown } }).template.spec = podSpec("web:v2");
  });
  world.kernel.run(180_000);
  const after = metrics.counts();
  const pods = [...world.store.list<Pod>("Pod")];
  return { world, before, after, pods, lost: after.failed - before.failed };
}

describe("rolling update of a plain Deployment behind a Service", () => {
  it("without a preStop hook, requests reach pods that got SIGTERM before the data plane dropped them", () => {
    const { before, after, lost } = rollingUpdate({ preStopSeconds: 0, target: "Service" });
    expect(before.succeeded).toBeGreaterThan(5000);
    expect(lost).toBeGreaterThan(0);
    expect(after.byReason["connection-refused"]).toBe(lost);
    expect(Object.keys(after.byImage)).toEqual(["web:v1", "web:v2"]);
  });

  it("a preStop sleep longer than watch delay + endpoint propagation loses nothing", () => {
    const { lost, pods } = rollingUpdate({ preStopSeconds: 3, target: "Service" });
    expect(lost).toBe(0);
    expect(pods.map((pod) => pod.spec?.containers[0]?.image)).toEqual(["web:v2", "web:v2", "web:v2", "web:v2"]);
  });

  it("aggregated mode sees the same loss as exact mode, within noise", () => {
    const exact = rollingUpdate({ preStopSeconds: 0, target: "Service", mode: "exact" }).lost;
    const aggregated = rollingUpdate({ preStopSeconds: 0, target: "Service", mode: "aggregated" }).lost;
    expect(aggregated).toBeGreaterThan(0);
    expect(Math.abs(exact - aggregated)).toBeLessThanOrEqual(4.5 * Math.sqrt(exact + aggregated));
  });
});

describe("rolling update behind a LoadBalancer with readiness gates", () => {
  it("new pods become Ready only once registered, and the rollout completes", () => {
    const { world, pods } = rollingUpdate({ preStopSeconds: 5, target: "LoadBalancer" });
    expect(pods).toHaveLength(4);
    for (const pod of pods) {
      expect(pod.spec?.containers[0]?.image).toBe("web:v2");
      expect(podCondition(pod, DEFAULT_LB_READINESS_GATE)?.status).toBe("True");
      expect(pod.metadata.finalizers).toEqual(["lb.rolloutsim.io/web-lb"]);
    }
    const routed = networkingOf(world)?.loadBalancers.routedIps("default/web-lb") ?? [];
    expect(routed.sort()).toEqual(pods.map((pod) => pod.status?.podIP).sort());
  });

  it("the finalizer does not delay SIGTERM: without a long enough preStop, requests are lost", () => {
    expect(rollingUpdate({ preStopSeconds: 0, target: "LoadBalancer" }).lost).toBeGreaterThan(0);
    expect(rollingUpdate({ preStopSeconds: 5, target: "LoadBalancer" }).lost).toBe(0);
  });
});

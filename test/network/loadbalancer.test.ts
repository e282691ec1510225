import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { podCondition } from "../../src/api/pod.ts";
import { gracefulRemovalDone, requestGracefulRemoval } from "../../src/network/graceful.ts";
import { DEFAULT_LB_READINESS_GATE, REASON_DEREGISTERED, REASON_REGISTERED } from "../../src/network/loadbalancer.ts";
import { registerTraffic } from "../../src/traffic/index.ts";
import type { World } from "../../src/world/world.ts";
import { createLoadBalancer, createService, netWorld, ref, traffic } from "../helpers/network.ts";

const GATE = DEFAULT_LB_READINESS_GATE;
const FINALIZER = "lb.rolloutsim.io/web-lb";

function storePod(world: World, name: string): Pod | undefined {
  return world.store.get<Pod>("Pod", "default", name);
}

function setup(spec: Record<string, unknown> = {}) {
  const env = netWorld({ watchDelayMs: 20 });
  createService(env.world, "web");
  createLoadBalancer(env.world, "web-lb", {
    service: "web",
    registrationDelay: "2s",
    deregistrationDelay: "3s",
    drainTime: "1s",
    ...spec,
  });
  return env;
}

/** A test workload that follows the protocol: hold, wait for the finalizers (as its cache shows them), delete. */
function removeGracefully(world: World, name: string): void {
  const pod = storePod(world, name) as Pod;
  requestGracefulRemoval(world, pod);
  const poll = (): void => {
    const seen = world.cache.get<Pod>("Pod", "default", name);
    if (seen !== undefined && gracefulRemovalDone(world, seen)) world.store.delete("Pod", "default", name);
    else world.kernel.schedule(100, poll);
  };
  world.kernel.schedule(100, poll);
}

describe("LoadBalancer protocol", () => {
  it("registers after the delay, guards with a finalizer, deregisters and drains before removing it", () => {
    const { world, kubelet, net } = setup();
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", readinessGates: [GATE] });
    const lbs = net.loadBalancers;
    world.kernel.run(20);
    // Seen at 20 ms (watch delay): finalizer first, then the registration call.
    expect(storePod(world, "web-a")?.metadata.finalizers).toEqual([FINALIZER]);
    expect(lbs.targetState("default/web-lb", storePod(world, "web-a")?.metadata.uid as string)).toBe("registering");
    world.kernel.run(2019);
    expect(lbs.routedIps("default/web-lb")).toEqual([]);
    expect(podCondition(storePod(world, "web-a") as Pod, "Ready")?.status).toBe("False");
    world.kernel.run(2020);
    expect(lbs.routedIps("default/web-lb")).toEqual(["10.0.0.1"]);
    const registered = storePod(world, "web-a") as Pod;
    expect(podCondition(registered, GATE)).toMatchObject({ status: "True", reason: REASON_REGISTERED });
    expect(podCondition(registered, "Ready")?.status).toBe("True");

    world.kernel.run(5000);
    expect(requestGracefulRemoval(world, registered)).toBe(false);
    world.kernel.run(8019);
    // Seen at 5020; deregistration takes 3 s: still routed, still protected.
    expect(lbs.targetState("default/web-lb", registered.metadata.uid)).toBe("deregistering");
    expect(lbs.routedIps("default/web-lb")).toEqual(["10.0.0.1"]);
    world.kernel.run(8020);
    expect(lbs.routedIps("default/web-lb")).toEqual([]);
    expect(storePod(world, "web-a")?.metadata.finalizers).toEqual([FINALIZER]);
    world.kernel.run(9019);
    expect(storePod(world, "web-a")?.metadata.finalizers).toEqual([FINALIZER]);
    expect(gracefulRemovalDone(world, world.cache.get<Pod>("Pod", "default", "web-a") as Pod)).toBe(false);
    world.kernel.run(9020);
    expect(storePod(world, "web-a")?.metadata.finalizers).toBeUndefined();
    world.kernel.run(9040);
    expect(gracefulRemovalDone(world, world.cache.get<Pod>("Pod", "default", "web-a") as Pod)).toBe(true);
    // The hold stays: the balancer does not register the pod again.
    world.kernel.run(20_000);
    expect(lbs.routedIps("default/web-lb")).toEqual([]);
    expect(podCondition(storePod(world, "web-a") as Pod, "Ready")?.status).toBe("False");
  });

  it("does not delay SIGTERM: a plain delete keeps the pod Terminating until deregistered, and loses requests", () => {
    const { world, kubelet, net } = setup();
    const metrics = registerTraffic(world, [traffic("users", ref("LoadBalancer", "web-lb"), 100)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", readinessGates: [GATE] });
    kubelet.startPod({ name: "web-b", ip: "10.0.0.2", readinessGates: [GATE] });
    world.kernel.run(5000);
    const before = metrics.counts();
    const uid = storePod(world, "web-a")?.metadata.uid as string;
    world.store.delete("Pod", "default", "web-a");
    world.kernel.run(5000);
    // SIGTERM at once, while the balancer still routes to it.
    expect(kubelet.processState(uid)).toBe("draining");
    expect(net.loadBalancers.isRouted(uid)).toBe(true);
    world.kernel.run(9019);
    // The kubelet's final delete came at 5.1 s; the finalizer keeps the object.
    expect(storePod(world, "web-a")?.metadata.deletionGracePeriodSeconds).toBe(0);
    world.kernel.run(9020);
    expect(storePod(world, "web-a")).toBeUndefined();
    world.kernel.run(20_000);
    const lost = metrics.counts().byReason["connection-refused"] ?? 0;
    // About half of 3 s of 100 req/s went to the stopped pod until it was deregistered.
    expect(lost - (before.byReason["connection-refused"] ?? 0)).toBeGreaterThan(100);
  });

  it("loses no request with the graceful protocol, even with a slow balancer", () => {
    const { world, kubelet } = setup({ deregistrationDelay: "10s", drainTime: "2s" });
    const metrics = registerTraffic(world, [traffic("users", ref("LoadBalancer", "web-lb"), 200)], { mode: "exact" });
    world.start();
    for (const [i, name] of ["web-a", "web-b", "web-c"].entries())
      kubelet.startPod({ name, ip: `10.0.0.${i + 1}`, readinessGates: [GATE] });
    world.kernel.run(3000);
    const before = metrics.counts();
    removeGracefully(world, "web-a");
    world.kernel.run(4000);
    removeGracefully(world, "web-b");
    world.kernel.run(60_000);
    const after = metrics.counts();
    expect(storePod(world, "web-a")).toBeUndefined();
    expect(storePod(world, "web-b")).toBeUndefined();
    expect(after.total - before.total).toBeGreaterThan(10_000);
    expect(after.failed - before.failed).toBe(0);
  });

  it("a preStop sleep longer than watch delay + deregistration + drain protects a plain delete; a shorter one does not", () => {
    const lossWith = (preStopSeconds: number): number => {
      const { world, kubelet } = setup();
      const metrics = registerTraffic(world, [traffic("users", ref("LoadBalancer", "web-lb"), 200)], { mode: "exact" });
      world.start();
      kubelet.startPod({ name: "web-a", ip: "10.0.0.1", readinessGates: [GATE], preStopSleepSeconds: preStopSeconds });
      kubelet.startPod({ name: "web-b", ip: "10.0.0.2", readinessGates: [GATE] });
      world.kernel.run(3000);
      const before = metrics.counts().failed;
      world.store.delete("Pod", "default", "web-a");
      world.kernel.run(30_000);
      return metrics.counts().failed - before;
    };
    expect(lossWith(5)).toBe(0);
    expect(lossWith(2)).toBeGreaterThan(0);
  });

  it("deregisters a pod whose containers stop being ready, lowers the gate, and registers it again", () => {
    const { world, kubelet, net } = setup();
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", readinessGates: [GATE] });
    world.kernel.run(3000);
    kubelet.setCondition("web-a", "ContainersReady", "False");
    world.kernel.run(10_000);
    expect(net.loadBalancers.routedIps("default/web-lb")).toEqual([]);
    expect(podCondition(storePod(world, "web-a") as Pod, GATE)).toMatchObject({
      status: "False",
      reason: REASON_DEREGISTERED,
    });
    expect(storePod(world, "web-a")?.metadata.finalizers).toBeUndefined();
    kubelet.setCondition("web-a", "ContainersReady", "True");
    world.kernel.run(13_000);
    expect(net.loadBalancers.routedIps("default/web-lb")).toEqual(["10.0.0.1"]);
    expect(podCondition(storePod(world, "web-a") as Pod, GATE)?.status).toBe("True");
  });

  it("registers pods without the gate once Ready, selects by label selector, and releases everything when deleted", () => {
    const { world, kubelet, net } = netWorld();
    createLoadBalancer(world, "sel", { selector: { matchLabels: { tier: "front" } }, registrationDelay: "500ms" });
    world.start();
    kubelet.startPod({ name: "front-a", ip: "10.0.0.1", labels: { tier: "front" } });
    kubelet.startPod({ name: "back-a", ip: "10.0.0.2", labels: { tier: "back" } });
    world.kernel.run(1000);
    expect(net.loadBalancers.routedIps("default/sel")).toEqual(["10.0.0.1"]);
    expect(podCondition(storePod(world, "front-a") as Pod, GATE)).toBeUndefined();
    expect(storePod(world, "front-a")?.metadata.finalizers).toEqual(["lb.rolloutsim.io/sel"]);
    expect(storePod(world, "back-a")?.metadata.finalizers).toBeUndefined();
    world.store.delete("LoadBalancer", "default", "sel");
    world.kernel.run(2000);
    expect(net.loadBalancers.routedIps("default/sel")).toEqual([]);
    expect(storePod(world, "front-a")?.metadata.finalizers).toBeUndefined();
  });

  it("stops writing while the controller is down and catches up when it returns", () => {
    const { world, kubelet, net } = setup();
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1", readinessGates: [GATE] });
    world.kernel.run(3000);
    net.loadBalancers.suspend();
    requestGracefulRemoval(world, storePod(world, "web-a") as Pod);
    world.kernel.run(20_000);
    expect(net.loadBalancers.routedIps("default/web-lb")).toEqual(["10.0.0.1"]);
    net.loadBalancers.resume();
    world.kernel.run(30_000);
    expect(net.loadBalancers.routedIps("default/web-lb")).toEqual([]);
    expect(storePod(world, "web-a")?.metadata.finalizers).toBeUndefined();
  });
});

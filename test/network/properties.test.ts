/**
 * Invariants driven over generated small scenarios (fast-check):
 * 1. no request is ever routed to a pod that is not among the data plane's candidates at that
 *    moment (ready endpoints, or serving terminating ones when none is ready), with or without
 *    session affinity, whatever the propagation and watch delays;
 * 2. with the LoadBalancer protocol (hold, wait for the finalizer, then delete), no pod's process
 *    is ever terminated, and no pod object removed, while a balancer routes to it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { gracefulRemovalDone, requestGracefulRemoval } from "../../src/network/graceful.ts";
import { DEFAULT_LB_READINESS_GATE } from "../../src/network/loadbalancer.ts";
import { registerTraffic, TRAFFIC_COMPONENT, type TrafficGenerators } from "../../src/traffic/index.ts";
import type { World } from "../../src/world/world.ts";
import { createGateway, createLoadBalancer, createService, netWorld, ref, traffic } from "../helpers/network.ts";

type OpKind = "unready" | "ready" | "delete" | "crash" | "restart" | "add";
interface Op {
  atMs: number;
  pod: number;
  kind: OpKind;
}

const opArbitrary = fc.record({
  atMs: fc.integer({ min: 0, max: 15_000 }),
  pod: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom<OpKind>("unready", "ready", "delete", "crash", "restart", "add"),
});

const routingScenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  pods: fc.integer({ min: 1, max: 5 }),
  watchDelayMs: fc.integer({ min: 0, max: 300 }),
  propagationMs: fc.integer({ min: 0, max: 2000 }),
  affinity: fc.boolean(),
  viaGateway: fc.boolean(),
  ops: fc.array(opArbitrary, { maxLength: 12 }),
});

function runRoutingScenario(scenario: RoutingScenario): string[] {
  const { world, kubelet, net } = netWorld({
    seed: scenario.seed,
    watchDelayMs: scenario.watchDelayMs,
    propagationMs: scenario.propagationMs,
  });
  kubelet.shutdownMs = 300;
  createService(world, "web", scenario.affinity ? { sessionAffinity: "ClientIP" } : {});
  createGateway(world, "edge", { service: "web" });
  const target = scenario.viaGateway ? ref("Gateway", "edge") : ref("Service", "web");
  registerTraffic(world, [traffic("users", target, 200)], { mode: "exact" });
  const violations: string[] = [];
  world.start();
  world.component<TrafficGenerators>(TRAFFIC_COMPONENT)?.observe((_generator, backend) => {
    const candidates = net.dataplane.routes("default/web")?.candidates ?? [];
    if (!candidates.some((each) => each.ip === backend.ip && each.podUid === backend.podUid)) {
      violations.push(`${world.nowMs}: routed to ${backend.podName} (${backend.ip}), not a candidate`);
    }
  });
  const pods = new Map<number, Pod>();
  for (let i = 0; i < scenario.pods; i++) pods.set(i, kubelet.startPod({ name: `web-${i}`, ip: `10.0.0.${i + 1}` }));
  let added = 0;
  for (const op of [...scenario.ops].sort((a, b) => a.atMs - b.atMs)) {
    world.kernel.run(op.atMs);
    const pod = pods.get(op.pod);
    const alive = pod !== undefined && world.store.get("Pod", "default", pod.metadata.name) !== undefined;
    if (op.kind === "add") {
      added++;
      pods.set(op.pod, kubelet.startPod({ name: `web-${op.pod}-${added}`, ip: `10.0.1.${added}` }));
    } else if (alive && pod !== undefined) {
      if (op.kind === "unready") kubelet.setCondition(pod.metadata.name, "ContainersReady", "False");
      if (op.kind === "ready") kubelet.setCondition(pod.metadata.name, "ContainersReady", "True");
      if (op.kind === "delete") world.store.delete("Pod", "default", pod.metadata.name);
      if (op.kind === "crash") kubelet.setState(pod, "stopped");
      if (op.kind === "restart") kubelet.setState(pod, "running");
    }
  }
  world.kernel.run(20_000);
  return violations;
}

interface RoutingScenario {
  seed: number;
  pods: number;
  watchDelayMs: number;
  propagationMs: number;
  affinity: boolean;
  viaGateway: boolean;
  ops: Op[];
}

const lbScenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  pods: fc.integer({ min: 1, max: 4 }),
  watchDelayMs: fc.integer({ min: 0, max: 500 }),
  registrationMs: fc.integer({ min: 0, max: 3000 }),
  deregistrationMs: fc.integer({ min: 0, max: 10_000 }),
  drainMs: fc.integer({ min: 0, max: 3000 }),
  removals: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 20_000 }), pod: fc.integer({ min: 0, max: 3 }) }), {
    maxLength: 6,
  }),
  additions: fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 3 }),
});

type LbScenario = {
  seed: number;
  pods: number;
  watchDelayMs: number;
  registrationMs: number;
  deregistrationMs: number;
  drainMs: number;
  removals: { atMs: number; pod: number }[];
  additions: number[];
};

/** The workload's side of the protocol, as a CafeDeployment would do it. */
function removeGracefully(world: World, name: string): void {
  const pod = world.store.get<Pod>("Pod", "default", name);
  if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) return;
  requestGracefulRemoval(world, pod);
  const poll = (): void => {
    const current = world.store.get<Pod>("Pod", "default", name);
    if (current === undefined || current.metadata.uid !== pod.metadata.uid) return;
    const seen = world.cache.get<Pod>("Pod", "default", name);
    if (seen !== undefined && seen.metadata.uid === pod.metadata.uid && gracefulRemovalDone(world, seen)) {
      if (world.store.get("Pod", "default", name) !== undefined) world.store.delete("Pod", "default", name);
    } else {
      world.kernel.schedule(100, poll);
    }
  };
  world.kernel.schedule(100, poll);
}

function runLbScenario(scenario: LbScenario, graceful: boolean): string[] {
  const { world, kubelet, net } = netWorld({ seed: scenario.seed, watchDelayMs: scenario.watchDelayMs });
  createService(world, "web");
  createLoadBalancer(world, "web-lb", {
    service: "web",
    registrationDelay: `${scenario.registrationMs}ms`,
    deregistrationDelay: `${scenario.deregistrationMs}ms`,
    drainTime: `${scenario.drainMs}ms`,
  });
  const violations: string[] = [];
  world.start();
  kubelet.addListener({
    onProcessState: (pod, state) => {
      if (state !== "running" && net.loadBalancers.isRouted(pod.metadata.uid)) {
        violations.push(`${world.nowMs}: ${pod.metadata.name} ${state} while the balancer routes to it`);
      }
    },
  });
  world.store.watch((type, object) => {
    if (type === "DELETED" && object.kind === "Pod" && net.loadBalancers.isRouted(object.metadata.uid)) {
      violations.push(`${world.nowMs}: ${object.metadata.name} removed while routed`);
    }
  });
  const names: string[] = [];
  const start = (name: string): void => {
    names.push(name);
    kubelet.startPod({ name, ip: `10.0.0.${names.length}`, readinessGates: [DEFAULT_LB_READINESS_GATE] });
  };
  for (let i = 0; i < scenario.pods; i++) start(`web-${i}`);
  const actions: { atMs: number; run: () => void }[] = [
    ...scenario.removals.map(({ atMs, pod }) => ({
      atMs,
      run: () => {
        const name = names[pod % names.length] as string;
        if (graceful) removeGracefully(world, name);
        else if (world.store.get("Pod", "default", name) !== undefined) world.store.delete("Pod", "default", name);
      },
    })),
    ...scenario.additions.map((atMs, i) => ({ atMs, run: () => start(`extra-${i}`) })),
  ].sort((a, b) => a.atMs - b.atMs);
  for (const action of actions) {
    world.kernel.run(action.atMs);
    action.run();
  }
  world.kernel.run(60_000);
  return violations;
}

describe("network invariants", () => {
  it("never routes a request to a pod that is not among the data plane's candidates", () => {
    fc.assert(
      fc.property(routingScenario, (scenario) => {
        expect(runRoutingScenario(scenario)).toEqual([]);
      }),
      { numRuns: 40, seed: 20260101 },
    );
  });

  it("the routing check catches a data plane that routes outside its view", () => {
    const { world, kubelet, net } = netWorld();
    createService(world, "web");
    registerTraffic(world, [traffic("users", ref("Service", "web"), 100)], { mode: "exact" });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    const seen: string[] = [];
    world.component<TrafficGenerators>(TRAFFIC_COMPONENT)?.observe((_generator, backend) => {
      if (!(net.dataplane.routes("default/web")?.candidates ?? []).some((each) => each.ip === backend.ip))
        seen.push(backend.ip);
    });
    // A broken data plane: routes to an address it does not list.
    const original = net.dataplane.route.bind(net.dataplane);
    net.dataplane.route = (key, client) => ({
      ...(original(key, client) as NonNullable<ReturnType<typeof original>>),
      ip: "10.9.9.9",
    });
    world.kernel.run(2000);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("with the LoadBalancer protocol, no pod is terminated while registered", () => {
    fc.assert(
      fc.property(lbScenario, (scenario) => {
        expect(runLbScenario(scenario, true)).toEqual([]);
      }),
      {
        numRuns: 40,
        seed: 20260102,
        // The hold is written before the balancer's (stale) cache saw the pod: its finalizer must
        // not slip in unseen by the workload.
        examples: [
          [
            {
              seed: 1,
              pods: 1,
              watchDelayMs: 500,
              registrationMs: 0,
              deregistrationMs: 2000,
              drainMs: 0,
              removals: [{ atMs: 100, pod: 0 }],
              additions: [],
            },
          ],
        ],
      },
    );
  });

  it("without the protocol (plain delete, no preStop) the same check finds terminated registered pods", () => {
    const scenario: LbScenario = {
      seed: 1,
      pods: 2,
      watchDelayMs: 20,
      registrationMs: 1000,
      deregistrationMs: 5000,
      drainMs: 1000,
      removals: [{ atMs: 5000, pod: 0 }],
      additions: [],
    };
    expect(runLbScenario(scenario, true)).toEqual([]);
    expect(runLbScenario(scenario, false).length).toBeGreaterThan(0);
  });
});

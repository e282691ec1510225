/**
 * Traffic benchmark: one hour of 2,000 requests/s to a Service of 500 ready pods, with a pod
 * deleted and replaced every 10 s (so the data plane keeps changing), in aggregated mode (target:
 * < 3 s wall) and, for scale, one minute of it in exact mode.
 *
 * Pods are written straight into the store and a minimal PodRuntime keeps their processes
 * running, so only networking and traffic are measured. Run: `npx tsx bench/traffic.ts`.
 * Wall-clock time is measured here, outside the model, and never asserted in tests.
 */
import type { Pod } from "../src/api/kinds.ts";
import {
  KUBELET_COMPONENT,
  type PodRuntime,
  type PodRuntimeListener,
  type ProcessState,
} from "../src/cluster/runtime.ts";
import { registerNetworking } from "../src/network/index.ts";
import { registerTraffic, type TrafficMode } from "../src/traffic/index.ts";
import { datacenterNodes, defaultWorldConfig } from "../src/world/config.ts";
import { type Component, World } from "../src/world/world.ts";

/** Every pod's process runs from creation until its deletion, which stops it at once. */
class StaticRuntime implements Component, PodRuntime {
  readonly name = KUBELET_COMPONENT;
  private readonly stopped = new Set<string>();
  private readonly listeners: PodRuntimeListener[] = [];
  constructor(private readonly world: World) {}
  start(): void {
    this.world.store.watch((type, object) => {
      if (
        object.kind !== "Pod" ||
        object.metadata.deletionTimestamp === undefined ||
        this.stopped.has(object.metadata.uid)
      )
        return;
      this.stopped.add(object.metadata.uid);
      for (const listener of this.listeners) listener.onProcessState(object as Pod, "stopped", this.world.nowMs);
      if (type !== "DELETED")
        this.world.store.delete("Pod", object.metadata.namespace, object.metadata.name, { gracePeriodSeconds: 0 });
    });
  }
  processState(podUid: string): ProcessState {
    return this.stopped.has(podUid) ? "stopped" : "running";
  }
  addListener(listener: PodRuntimeListener): void {
    this.listeners.push(listener);
  }
}

export interface TrafficBenchResult {
  wallMs: number;
  events: number;
  requests: number;
  successRatio: number | null;
}

export function benchTraffic(
  mode: TrafficMode,
  durationMs: number,
  pods = 500,
  ratePerSecond = 2000,
): TrafficBenchResult {
  const datacenter = { name: "DCA", nodeLabels: {} };
  const world = new World(
    defaultWorldConfig({
      seed: 1,
      datacenters: [datacenter],
      nodes: datacenterNodes(datacenter, 50, { cpuMilli: 64_000, memoryBytes: 2 ** 40, pods: 110 }),
    }),
  );
  world.register(new StaticRuntime(world));
  registerNetworking(world);
  const service = { kind: "Service", namespace: "default", name: "web" };
  const metrics = registerTraffic(
    world,
    [
      {
        name: "users",
        to: service,
        ratePerSecond,
        startMs: 0,
        stopMs: null,
        segments: [{ share: 1, headers: {} }],
        from: "external",
        source: { file: "bench", line: 0, column: 0, path: "" },
      },
    ],
    { mode },
  );
  const start = performance.now();
  world.start();
  world.store.create({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  });
  let next = 0;
  const createPod = (): void => {
    const i = next++;
    world.store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `web-${i}`, labels: { app: "web" } },
      spec: { nodeName: `dca-${(i % 50) + 1}`, containers: [{ name: "app", image: "web:v1" }] },
      status: {
        phase: "Running",
        podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        conditions: [{ type: "Ready", status: "True" }],
      },
    });
  };
  for (let i = 0; i < pods; i++) createPod();
  let victim = 0;
  const churn = (): void => {
    world.store.delete("Pod", "default", `web-${victim++}`);
    createPod();
    world.kernel.schedule(10_000, churn);
  };
  world.kernel.schedule(10_000, churn);
  world.kernel.run(durationMs);
  const counts = metrics.counts();
  const wallMs = performance.now() - start;
  return { wallMs, events: world.kernel.events, requests: counts.total, successRatio: metrics.successRatio(service) };
}

function report(label: string, result: TrafficBenchResult): void {
  const ratio = result.successRatio === null ? "-" : `${(result.successRatio * 100).toFixed(3)}%`;
  console.log(
    `${label.padEnd(58)} ${(result.wallMs / 1000).toFixed(2)} s wall, ${result.events} events, ${result.requests} requests, ${ratio} ok`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchTraffic("aggregated", 60_000); // warm-up
  report("traffic aggregated: 1 h, 2,000 req/s, 500 pods", benchTraffic("aggregated", 3_600_000));
  report("traffic exact: 1 min, 2,000 req/s, 500 pods", benchTraffic("exact", 60_000));
}

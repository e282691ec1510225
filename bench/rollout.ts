/**
 * Whole-simulator benchmark: a 10,000-replica Deployment on 1,000 nodes, rolled from v1 to v2 at
 * one minute, simulated for one hour (issue targets: ≥ 1 M events/s and < 2 s of wall time).
 */
import type { Scenario } from "../src/scenario/model.ts";
import type { TraceMode } from "../src/sim/trace.ts";
import { type SimulationResult, simulate } from "../src/simulate.ts";
import type { WarmUpMode } from "../src/warm-up.ts";
import { DEFAULT_IMAGE_PROFILE, DEFAULT_TIMING, datacenterNodes } from "../src/world/config.ts";

const here = { file: "bench/rollout.ts", line: 0, column: 0, path: "" };

export function bigRolloutScenario(nodes = 1000, replicas = 10_000, durationMs = 3_600_000): Scenario {
  const datacenters = [
    { name: "DCA", nodeLabels: { datacenter: "dca" } },
    { name: "DCB", nodeLabels: { datacenter: "dcb" } },
  ];
  const capacity = { cpuMilli: 32_000, memoryBytes: 128 * 2 ** 30, pods: 110 };
  const target = { kind: "Deployment", namespace: "default", name: "big" };
  return {
    name: "bench-big-rollout",
    description: "10,000-pod rolling update on 1,000 nodes",
    file: here.file,
    seed: 1,
    durationMs,
    datacenters,
    nodes: datacenters.flatMap((dc) => datacenterNodes(dc, nodes / 2, capacity)),
    timing: { ...DEFAULT_TIMING },
    images: new Map([
      ["big:v1", { ...DEFAULT_IMAGE_PROFILE, startup: { kind: "lognormal", medianMs: 8000, sigma: 0.3 } }],
      ["big:v2", { ...DEFAULT_IMAGE_PROFILE, startup: { kind: "lognormal", medianMs: 8000, sigma: 0.3 } }],
    ]),
    objects: [
      {
        source: here,
        object: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "big", namespace: "default" },
          spec: {
            replicas,
            selector: { matchLabels: { app: "big" } },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
            template: {
              metadata: { labels: { app: "big" } },
              spec: {
                terminationGracePeriodSeconds: 30,
                containers: [
                  { name: "app", image: "big:v1", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
                ],
              },
            },
          },
        },
      },
    ],
    traffic: [],
    timeline: [{ atMs: 60_000, source: here, action: { type: "setImage", target, container: "app", image: "big:v2" } }],
    assertions: [{ source: here, assertion: { type: "rolloutComplete", target, withinMs: 30 * 60_000 } }],
  };
}

export interface RolloutBenchResult {
  result: SimulationResult;
  wallMs: number;
  eventsPerSecond: number;
  speedup: number;
}

/** Times one run; the JIT warm-up that simulate runs first in a fresh process is inside the time. */
export function benchRollout(trace: TraceMode, warmUp: WarmUpMode = "auto"): RolloutBenchResult {
  const scenario = bigRolloutScenario();
  const start = performance.now();
  const result = simulate(scenario, { trace, warmUp });
  const wallMs = performance.now() - start;
  return { result, wallMs, eventsPerSecond: result.events / (wallMs / 1000), speedup: result.simulatedMs / wallMs };
}

/**
 * JIT warm-up for large runs.
 *
 * V8 optimizes a function once it is hot, for the types and branches it has seen so far. In a
 * large rollout the shared machinery (store, informers, scheduler, kubelets, ReplicaSet and
 * Deployment controllers) gets hot while the first pods are created, and the rollout then takes
 * branches that optimized code has never run: scale-down, pod deletion ranking, termination,
 * rolling-update steps. Each is a deoptimization and a recompile. In the 10,000-pod benchmark a
 * fresh process deoptimizes ~115 times, ~105 of them after the rollout starts, and the optimizing
 * compiler does a third of all the work.
 *
 * A small rolling update run first, in the same process, shows V8 every rollout path before the
 * large run makes anything hot: the benchmark then deoptimizes ~30 times, the compiler does 27%
 * less work, and the whole run 9% less (cachegrind, warm-up included). It costs tens of
 * milliseconds, more than it saves below about 1,000 pods, so `simulate` runs it once per process,
 * before the first scenario that asks for WARM_UP_MIN_PODS pods or more.
 *
 * It cannot change any result: it is a World of its own, and what simulations in one process share
 * are memos of pure functions (interned keys, parsed timestamps, resolved fenceposts).
 */
import type { Scenario, ScenarioObject } from "./scenario/model.ts";
import { DEFAULT_IMAGE_PROFILE, DEFAULT_TIMING, datacenterNodes } from "./world/config.ts";

/** Scenarios asking for this many pods or more get the warm-up first (break-even is ~1,000). */
export const WARM_UP_MIN_PODS = 2_000;

export type WarmUpMode = "auto" | "always" | "off";

/**
 * The most pods the scenario's workloads ask for at once, as far as its text says: the sum of
 * their spec.replicas, or a timeline `scale` to more.
 */
export function requestedPods(scenario: Scenario): number {
  let pods = 0;
  for (const { object } of scenario.objects) pods += replicasOf(object);
  let scaledTo = 0;
  for (const { action } of scenario.timeline) {
    if (action.type === "scale" && action.replicas > scaledTo) scaledTo = action.replicas;
  }
  return Math.max(pods, scaledTo);
}

function replicasOf(object: ScenarioObject["object"]): number {
  const spec = (object as { spec?: { replicas?: unknown } }).spec;
  const replicas = spec?.replicas;
  return typeof replicas === "number" && replicas > 0 ? replicas : 0;
}

/** Whether a run of this scenario should be preceded by the warm-up (if the process has not had it). */
export function wantsWarmUp(scenario: Scenario, mode: WarmUpMode): boolean {
  if (mode === "off") return false;
  return mode === "always" || requestedPods(scenario) >= WARM_UP_MIN_PODS;
}

const here = { file: "(warm-up)", line: 0, column: 0, path: "" };

/**
 * The warm-up: a 20-pod Deployment behind a Service, with a readiness probe and a preStop hook, on
 * 4 nodes in 2 datacenters, rolled to a new image at 30 s with maxSurge and maxUnavailable 25%.
 */
export function warmUpScenario(): Scenario {
  const datacenters = [
    { name: "DCA", nodeLabels: { datacenter: "dca" } },
    { name: "DCB", nodeLabels: { datacenter: "dcb" } },
  ];
  const capacity = { cpuMilli: 4_000, memoryBytes: 16 * 2 ** 30, pods: 110 };
  const target = { kind: "Deployment", namespace: "default", name: "warm-up" };
  const profile = { ...DEFAULT_IMAGE_PROFILE, startup: { kind: "lognormal" as const, medianMs: 3000, sigma: 0.3 } };
  return {
    name: "warm-up",
    description: "JIT warm-up: a 20-pod rolling update",
    file: here.file,
    seed: 1,
    durationMs: 180_000,
    datacenters,
    nodes: datacenters.flatMap((dc) => datacenterNodes(dc, 2, capacity)),
    timing: { ...DEFAULT_TIMING },
    images: new Map([
      ["warm-up:v1", profile],
      ["warm-up:v2", profile],
    ]),
    objects: [
      {
        source: here,
        object: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "warm-up", namespace: "default" },
          spec: { selector: { app: "warm-up" }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      },
      {
        source: here,
        object: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "warm-up", namespace: "default" },
          spec: {
            replicas: 20,
            selector: { matchLabels: { app: "warm-up" } },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
            template: {
              metadata: { labels: { app: "warm-up" } },
              spec: {
                terminationGracePeriodSeconds: 30,
                containers: [
                  {
                    name: "app",
                    image: "warm-up:v1",
                    resources: { requests: { cpu: "100m", memory: "128Mi" } },
                    readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 2 },
                    lifecycle: { preStop: { exec: { command: ["sh", "-c", "sleep 1"] } } },
                  },
                ],
              },
            },
          },
        },
      },
    ],
    traffic: [],
    timeline: [
      { atMs: 30_000, source: here, action: { type: "setImage", target, container: "app", image: "warm-up:v2" } },
    ],
    assertions: [{ source: here, assertion: { type: "rolloutComplete", target, withinMs: 120_000 } }],
  };
}

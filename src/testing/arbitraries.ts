/**
 * fast-check arbitraries for property tests of rollout invariants, exported for users' own tests
 * (interfaces.md §5): clusters, Deployments with their strategies, image behaviours, fault plans,
 * and whole scenarios built from them. A failing case shrinks to a small scenario, which
 * `scenarioToYaml` turns into a file that `rolloutsim run` replays.
 */
import fc from "fast-check";
import type { NewObject } from "../api/object.ts";
import type { Scenario, TimelineEntry } from "../scenario/model.ts";
import type { Distribution } from "../sim/random.ts";
import {
  DEFAULT_IMAGE_PROFILE,
  DEFAULT_TIMING,
  datacenterNodes,
  type ImageProfile,
  type NodeConfig,
} from "../world/config.ts";

const GENERATED = { file: "<generated>", line: 0, column: 0, path: "" };

export interface ClusterShape {
  datacenters: number;
  nodesPerDatacenter: number;
  cpuMilli: number;
  pods: number;
}

export const clusterShape = (): fc.Arbitrary<ClusterShape> =>
  fc.record({
    datacenters: fc.integer({ min: 1, max: 3 }),
    nodesPerDatacenter: fc.integer({ min: 1, max: 4 }),
    cpuMilli: fc.constantFrom(2000, 4000, 8000),
    pods: fc.constantFrom(20, 110),
  });

export function clusterNodes(shape: ClusterShape): { datacenters: Scenario["datacenters"]; nodes: NodeConfig[] } {
  const datacenters = Array.from({ length: shape.datacenters }, (_, i) => ({
    name: `DC${String.fromCharCode(65 + i)}`,
    nodeLabels: { datacenter: `dc${String.fromCharCode(97 + i)}` },
  }));
  const capacity = { cpuMilli: shape.cpuMilli, memoryBytes: 32 * 2 ** 30, pods: shape.pods };
  return { datacenters, nodes: datacenters.flatMap((dc) => datacenterNodes(dc, shape.nodesPerDatacenter, capacity)) };
}

/** An int or a percent string, as maxSurge/maxUnavailable take them. */
export const intOrPercent = (maxInt: number): fc.Arbitrary<number | string> =>
  fc.oneof(
    fc.integer({ min: 0, max: maxInt }),
    fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
  );

export interface RollingStrategy {
  type: "RollingUpdate";
  maxSurge: number | string;
  maxUnavailable: number | string;
}

export type Strategy = RollingStrategy | { type: "Recreate" };

/** A valid strategy: Kubernetes' validation refuses maxSurge and maxUnavailable both 0. */
export const strategy = (): fc.Arbitrary<Strategy> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          type: fc.constant("RollingUpdate" as const),
          maxSurge: intOrPercent(4),
          maxUnavailable: intOrPercent(4),
        })
        .filter((s) => !(isZero(s.maxSurge) && isZero(s.maxUnavailable))),
    },
    { weight: 1, arbitrary: fc.constant({ type: "Recreate" as const }) },
  );

function isZero(value: number | string): boolean {
  return value === 0 || value === "0%";
}

export const startupDistribution = (): fc.Arbitrary<Distribution> =>
  fc.oneof(
    fc.integer({ min: 500, max: 20_000 }).map((valueMs) => ({ kind: "constant" as const, valueMs })),
    fc
      .record({
        medianMs: fc.integer({ min: 1000, max: 15_000 }),
        sigma: fc.double({ min: 0.05, max: 0.8, noNaN: true }),
      })
      .map((d) => ({ kind: "lognormal" as const, ...d })),
  );

export const imageProfile = (options: { alwaysReady?: boolean } = {}): fc.Arbitrary<ImageProfile> =>
  fc
    .record({
      startup: startupDistribution(),
      // one release in five never becomes ready
      ready: options.alwaysReady === true ? fc.constant(true) : fc.integer({ min: 0, max: 4 }).map((n) => n !== 0),
      shutdownMs: fc.integer({ min: 0, max: 5000 }),
    })
    .map(({ startup, ready, shutdownMs }) => ({
      ...DEFAULT_IMAGE_PROFILE,
      startup,
      ready,
      shutdown: { kind: "constant", valueMs: shutdownMs },
    }));

export interface DeploymentShape {
  replicas: number;
  strategy: Strategy;
  minReadySeconds: number;
  cpuMilli: number;
  terminationGracePeriodSeconds: number;
}

export const deploymentShape = (): fc.Arbitrary<DeploymentShape> =>
  fc.record({
    replicas: fc.integer({ min: 0, max: 12 }),
    strategy: strategy(),
    minReadySeconds: fc.constantFrom(0, 0, 3, 10),
    cpuMilli: fc.constantFrom(100, 250, 500),
    terminationGracePeriodSeconds: fc.constantFrom(0, 5, 30),
  });

export function deploymentManifest(name: string, shape: DeploymentShape, image: string): NewObject {
  const strategy =
    shape.strategy.type === "Recreate"
      ? { type: "Recreate" }
      : {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: shape.strategy.maxSurge, maxUnavailable: shape.strategy.maxUnavailable },
        };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas: shape.replicas,
      minReadySeconds: shape.minReadySeconds,
      selector: { matchLabels: { app: name } },
      strategy,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: shape.terminationGracePeriodSeconds,
          containers: [
            {
              name: "app",
              image,
              resources: { requests: { cpu: `${shape.cpuMilli}m`, memory: "128Mi" } },
              readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

export type FaultPlan = readonly TimelineEntry[];

/** Node crashes (healed after a while) and controller outages at random times in the first minutes. */
export const faultPlan = (nodeNames: readonly string[]): fc.Arbitrary<FaultPlan> =>
  fc
    .array(
      fc.oneof(
        fc
          .record({
            atMs: fc.integer({ min: 0, max: 240_000 }),
            node: fc.constantFrom(...nodeNames),
            forMs: fc.integer({ min: 1000, max: 120_000 }),
          })
          .map(({ atMs, node, forMs }) => ({ atMs, node, forMs, kind: "nodeDown" as const })),
        fc
          .record({
            atMs: fc.integer({ min: 0, max: 240_000 }),
            controller: fc.constantFrom("deployment", "replicaset", "scheduler"),
            forMs: fc.integer({ min: 1000, max: 60_000 }),
          })
          .map(({ atMs, controller, forMs }) => ({ atMs, controller, forMs, kind: "controllerDown" as const })),
      ),
      { maxLength: 3 },
    )
    .map((faults) =>
      faults.map(
        (fault, i): TimelineEntry => ({
          atMs: fault.atMs,
          source: GENERATED,
          action: {
            type: "fault",
            id: `fault-${i + 1}`,
            forMs: fault.forMs,
            fault:
              fault.kind === "nodeDown"
                ? { type: "nodeDown", node: fault.node }
                : { type: "controllerDown", controller: fault.controller },
          },
        }),
      ),
    );

export interface RolloutCase {
  cluster: ClusterShape;
  deployment: DeploymentShape;
  v1: ImageProfile;
  v2: ImageProfile;
  seed: number;
  withFaults: boolean;
}

/** A Deployment rolled from v1 to v2 at one minute, on a generated cluster, optionally with faults. */
export const rolloutScenario = (options: { faults?: boolean; v2AlwaysReady?: boolean } = {}): fc.Arbitrary<Scenario> =>
  fc
    .record({
      cluster: clusterShape(),
      deployment: deploymentShape(),
      v1: imageProfile({ alwaysReady: true }),
      v2: imageProfile({ alwaysReady: options.v2AlwaysReady ?? false }),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    })
    .chain((base) => {
      const { nodes } = clusterNodes(base.cluster);
      const faults = options.faults === true ? faultPlan(nodes.map((n) => n.name)) : fc.constant<FaultPlan>([]);
      return faults.map((plan) =>
        buildRolloutScenario(base.cluster, base.deployment, base.v1, base.v2, base.seed, plan),
      );
    });

export function buildRolloutScenario(
  cluster: ClusterShape,
  deployment: DeploymentShape,
  v1: ImageProfile,
  v2: ImageProfile,
  seed: number,
  faults: FaultPlan,
): Scenario {
  const { datacenters, nodes } = clusterNodes(cluster);
  const target = { kind: "Deployment", namespace: "default", name: "app" };
  const rollout: TimelineEntry = {
    atMs: 60_000,
    source: GENERATED,
    action: { type: "setImage", target, container: "app", image: "app:v2" },
  };
  return {
    name: "generated-rollout",
    description: "generated by rolloutScenario()",
    file: GENERATED.file,
    seed,
    durationMs: 600_000,
    datacenters,
    nodes,
    timing: { ...DEFAULT_TIMING },
    images: new Map([
      ["app:v1", v1],
      ["app:v2", v2],
    ]),
    objects: [{ source: GENERATED, object: deploymentManifest("app", deployment, "app:v1") }],
    traffic: [],
    timeline: [rollout, ...faults].sort((a, b) => a.atMs - b.atMs),
    assertions: [],
  };
}

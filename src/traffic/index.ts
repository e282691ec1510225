/**
 * Traffic: request generators from the scenario's `traffic:` list, in one of two modes —
 * "exact" (an event per request arrival and completion) or "aggregated" (counts per short interval
 * drawn from the right distributions; see aggregated.ts) — and the request metrics they feed.
 *
 * `registerTraffic` registers the metrics component ("traffic-metrics") and the generators
 * ("traffic"), after networking. It returns the metrics, which the runner reads for the
 * `availability` and `requests` assertions and the summary's `requests`.
 */
import type { Pod } from "../api/kinds.ts";
import { networkingOf, registerNetworking } from "../network/index.ts";
import type { TrafficSpec } from "../scenario/model.ts";
import type { Component, World } from "../world/world.ts";
import { AggregatedTraffic } from "./aggregated.ts";
import { ExactTraffic } from "./exact.ts";
import { type Generator, makeGenerator, type RouteObserver } from "./generator.ts";
import { TrafficMetrics } from "./metrics.ts";
import { PodDirectory, podRuntimeOf } from "./pods.ts";
import { externalSources, type SourcePool, WorkloadSources } from "./sources.ts";

export type TrafficMode = "exact" | "aggregated";

export interface TrafficOptions {
  readonly mode: TrafficMode;
}

export const TRAFFIC_COMPONENT = "traffic";

/** The request generators of a world. */
export class TrafficGenerators implements Component {
  readonly name = TRAFFIC_COMPONENT;
  private engine: ExactTraffic | AggregatedTraffic | null = null;
  private readonly generators: Generator[] = [];
  private readonly workloadPools: WorkloadSources[] = [];
  private observer: RouteObserver | null = null;

  constructor(
    private readonly world: World,
    private readonly specs: readonly TrafficSpec[],
    private readonly metrics: TrafficMetrics,
    readonly mode: TrafficMode,
  ) {}

  /** Exact mode only: calls `observer` for every request routed to a pod (property tests, invariants). */
  observe(observer: RouteObserver): void {
    this.observer = observer;
    if (this.engine instanceof ExactTraffic) this.engine.observer = observer;
  }

  start(): void {
    if (this.specs.length === 0) return;
    const net = networkingOf(this.world) ?? registerNetworking(this.world);
    const runtime = podRuntimeOf(this.world);
    const pods = new PodDirectory(this.world);
    this.specs.forEach((spec, index) => {
      this.generators.push(
        makeGenerator(this.world, index, spec, this.metrics.target(spec.to), this.sourcesOf(spec, runtime)),
      );
    });
    pods.start();
    if (this.mode === "exact") {
      const engine = new ExactTraffic(this.world, net, pods, this.generators);
      engine.observer = this.observer;
      this.engine = engine;
      engine.start();
    } else {
      const engine = new AggregatedTraffic(this.world, net, pods, this.metrics, this.generators);
      this.engine = engine;
      engine.start();
    }
    if (this.workloadPools.length > 0) this.watchClientPods(runtime);
  }

  private sourcesOf(spec: TrafficSpec, runtime: ReturnType<typeof podRuntimeOf>): SourcePool {
    if (spec.from === "external") return externalSources();
    const pool = new WorkloadSources(this.world, spec.from, runtime);
    this.workloadPools.push(pool);
    return pool;
  }

  /** Client pods come and go: settle aggregated traffic with the old sources, then refresh them. */
  private watchClientPods(runtime: ReturnType<typeof podRuntimeOf>): void {
    const refresh = (): void => {
      if (this.engine instanceof AggregatedTraffic) this.engine.beforeChange();
      for (const pool of this.workloadPools) pool.invalidate();
    };
    this.world.store.watch((_type, object) => {
      if (object.kind === "Pod") refresh();
    });
    runtime.addListener({ onProcessState: (_pod: Pod) => refresh() });
  }
}

/**
 * Registers request metrics and generators for `specs` (registering networking too if it is not
 * yet). Returns the metrics; the generators are the "traffic" component.
 */
export function registerTraffic(world: World, specs: readonly TrafficSpec[], options: TrafficOptions): TrafficMetrics {
  registerNetworking(world);
  const metrics = world.register(new TrafficMetrics(world));
  for (const spec of specs) metrics.target(spec.to);
  world.register(new TrafficGenerators(world, specs, metrics, options.mode));
  return metrics;
}

export type { RequestCounts, TrafficBucketRow, TrafficSeriesRow } from "./metrics.ts";
export { TrafficMetrics } from "./metrics.ts";
export { EXTERNAL_SOURCES } from "./sources.ts";

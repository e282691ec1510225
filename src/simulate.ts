/**
 * Runs one scenario: builds the World, applies the manifests at time 0 in file order, runs the
 * timeline on the virtual clock, then evaluates the assertions and returns the summary with the
 * time series. Synchronous and deterministic: the same scenario and seed give the same trace hash.
 */
import { isApiError } from "./api/errors.ts";
import { FaultInjector } from "./faults/injector.ts";
import { InvariantChecker } from "./report/invariants.ts";
import { emptyRequestCounts, evaluateAssertions, type Summary, type TrafficView } from "./report/summary.ts";
import { type TimeseriesRow, WorkloadSampler } from "./report/timeseries.ts";
import { WorkloadTracker } from "./report/workloads.ts";
import { type ActionOutcome, applyObject, runAction } from "./scenario/actions.ts";
import { type Scenario, ScenarioError, type TimelineEntry } from "./scenario/model.ts";
import type { TraceMode } from "./sim/trace.ts";
import { registerTraffic, type TrafficMode } from "./traffic/index.ts";
import { type WarmUpMode, wantsWarmUp, warmUpScenario } from "./warm-up.ts";
import { registerStandardComponents } from "./world/components.ts";
import { World } from "./world/world.ts";

export interface SimulateOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Stops the run at this virtual time instead of the scenario's duration. */
  untilMs?: number;
  /** "hash" (default) hashes the trace; "off" skips it (traceHash is ""), for speed. */
  trace?: TraceMode;
  /** Also writes the trace as NDJSON to this file. */
  traceFile?: string;
  /** How requests are simulated: "auto" (default) picks exact below 200 requests/s in total. */
  trafficMode?: TrafficMode | "auto";
  /**
   * The JIT warm-up (src/warm-up.ts), at most once per process: "auto" (default) before a scenario
   * of 2,000 pods or more, "always" before any, "off" never. It never changes a result.
   */
  warmUp?: WarmUpMode;
}

export interface SimulationResult extends Summary {
  timeseries: TimeseriesRow[];
}

/** Total request rate above which "auto" traffic switches to the aggregated mode. */
export const AUTO_EXACT_MAX_RATE_PER_SECOND = 200;

let warmedUp = false;

/** Whether this process has run the JIT warm-up (for tests). */
export function hasWarmedUp(): boolean {
  return warmedUp;
}

export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  if (!warmedUp && wantsWarmUp(scenario, options.warmUp ?? "auto")) {
    warmedUp = true;
    simulate(warmUpScenario(), { trace: "off", warmUp: "off" });
  }
  const seed = options.seed ?? scenario.seed;
  const world = new World({
    seed,
    timing: scenario.timing,
    images: new Map(scenario.images),
    datacenters: [...scenario.datacenters],
    nodes: [...scenario.nodes],
    limits: { maxEvents: 50_000_000, maxTimeMs: Math.max(scenario.durationMs, options.untilMs ?? 0) },
    trace: { mode: options.trace ?? "hash", ...(options.traceFile === undefined ? {} : { file: options.traceFile }) },
  });
  registerStandardComponents(world);
  const traffic = registerTraffic(world, scenario.traffic, { mode: chooseTrafficMode(scenario, options.trafficMode) });
  const tracker = new WorkloadTracker(world);
  const invariants = new InvariantChecker(world);
  const sampler = new WorkloadSampler(world, tracker, scenario.durationMs);
  const faults = new FaultInjector(world);
  const actions: ActionOutcome[] = [];

  world.start();
  applyManifests(world, scenario);
  scheduleTimeline(world, faults, scenario.timeline, actions);
  sampler.start();
  const run = world.kernel.run(options.untilMs ?? scenario.durationMs);
  const traceHash = world.trace.finish();

  const workloads = tracker.summaries();
  const trafficView: TrafficView | undefined = scenario.traffic.length > 0 ? traffic : undefined;
  const assertions = evaluateAssertions(scenario.assertions, {
    workloads,
    traffic: trafficView,
    violations: invariants.violations,
    violationCount: invariants.violationCount,
  });
  if (run.reason === "limit-events" || run.reason === "limit-time") {
    assertions.push({
      name: "run within limits",
      passed: false,
      message: `stopped at ${run.nowMs} ms by ${run.reason} (${run.events} events)`,
    });
  }
  return {
    scenario: scenario.name,
    seed,
    traceHash,
    simulatedMs: run.nowMs,
    events: run.events,
    passed: assertions.every((each) => each.passed),
    stopReason: run.reason,
    assertions,
    invariantViolations: invariants.violations,
    requests: trafficView?.counts() ?? emptyRequestCounts(),
    workloads,
    actions,
    timeseries: [...sampler.rows(), ...traffic.timeseriesRows()],
  };
}

function chooseTrafficMode(scenario: Scenario, requested: TrafficMode | "auto" | undefined): TrafficMode {
  if (requested !== undefined && requested !== "auto") return requested;
  const totalRate = scenario.traffic.reduce((sum, spec) => sum + spec.ratePerSecond, 0);
  return totalRate <= AUTO_EXACT_MAX_RATE_PER_SECOND ? "exact" : "aggregated";
}

/** The stream's objects, created at time 0 in file order (kubectl apply -f). */
function applyManifests(world: World, scenario: Scenario): void {
  const problems = [];
  for (const { object, source } of scenario.objects) {
    try {
      applyObject(world, object);
    } catch (error) {
      if (!isApiError(error)) throw error;
      problems.push({ ...source, message: error.message });
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
}

function scheduleTimeline(
  world: World,
  faults: FaultInjector,
  timeline: readonly TimelineEntry[],
  out: ActionOutcome[],
): void {
  const run = (entry: unknown): void => {
    out.push(runAction(world, faults, (entry as TimelineEntry).action));
  };
  for (const entry of timeline) world.kernel.scheduleAt(entry.atMs, run, entry);
}

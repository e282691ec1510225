/**
 * One run of a sweep: load the scenario with the combination's overrides, simulate with the seed,
 * and keep what the comparison needs. The same function runs in piscina workers and in-process,
 * through the same loader and simulate() as `rolloutsim run`, so a seed gives the same trace hash
 * whichever way it runs.
 */
import type { Summary } from "../report/summary.ts";
import { type LoadResult, loadScenario, type Override } from "../scenario/loader.ts";
import { formatProblem, ScenarioError } from "../scenario/model.ts";
import { simulate } from "../simulate.ts";

export interface SweepJob {
  readonly file: string;
  readonly overrides: readonly Override[];
  readonly seed: number;
  readonly combination: number;
}

export interface SweepRunResult {
  readonly combination: number;
  readonly seed: number;
  readonly passed: boolean;
  readonly traceHash: string;
  readonly events: number;
  readonly simulatedMs: number;
  /** Succeeded / (succeeded + failed + rejected); null without requests. */
  readonly availability: number | null;
  /** Longest rollout (complete - start) over the workloads; Infinity if one never completed; null if none started. */
  readonly rolloutMs: number | null;
  readonly failedAssertions: readonly string[];
  /** Set when the run could not happen (bad input found late, or an internal error). */
  readonly error: string | null;
}

export function availabilityOf(summary: Summary): number | null {
  const { succeeded, failed, rejected } = summary.requests;
  const served = succeeded + failed + rejected;
  return served === 0 ? null : succeeded / served;
}

export function rolloutMsOf(summary: Summary): number | null {
  let longest: number | null = null;
  for (const workload of Object.values(summary.workloads)) {
    if (workload.rolloutStartedAtMs === null) continue;
    const took =
      workload.rolloutCompletedAtMs === null
        ? Number.POSITIVE_INFINITY
        : workload.rolloutCompletedAtMs - workload.rolloutStartedAtMs;
    longest = longest === null ? took : Math.max(longest, took);
  }
  return longest;
}

/**
 * Loaded scenarios by (file, overrides): a sweep runs the same combination over many seeds, and
 * the resolved Scenario is immutable, so each worker parses each combination once. Bounded.
 */
const loadedScenarios = new Map<string, LoadResult>();
const MAX_CACHED_SCENARIOS = 64;

function loadCached(file: string, overrides: readonly Override[]): LoadResult {
  const key = JSON.stringify([file, overrides]);
  let loaded = loadedScenarios.get(key);
  if (loaded === undefined) {
    loaded = loadScenario(file, { overrides });
    if (loadedScenarios.size >= MAX_CACHED_SCENARIOS) loadedScenarios.clear();
    loadedScenarios.set(key, loaded);
  }
  return loaded;
}

export function runSweepJob(job: SweepJob): SweepRunResult {
  const base = { combination: job.combination, seed: job.seed };
  const failedRun = (error: string): SweepRunResult => ({
    ...base,
    passed: false,
    traceHash: "",
    events: 0,
    simulatedMs: 0,
    availability: null,
    rolloutMs: null,
    failedAssertions: [],
    error,
  });
  const loaded = loadCached(job.file, job.overrides);
  if (!loaded.ok) return failedRun(loaded.problems.map(formatProblem).join("\n"));
  let summary: Summary;
  try {
    summary = simulate(loaded.scenario, { seed: job.seed });
  } catch (error) {
    if (error instanceof ScenarioError) return failedRun(error.message);
    throw error;
  }
  return {
    ...base,
    passed: summary.passed,
    traceHash: summary.traceHash,
    events: summary.events,
    simulatedMs: summary.simulatedMs,
    availability: availabilityOf(summary),
    rolloutMs: rolloutMsOf(summary),
    failedAssertions: summary.assertions.filter((each) => !each.passed).map((each) => each.name),
    error: null,
  };
}

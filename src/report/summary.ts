/**
 * The summary of a run (interfaces.md §3) and the evaluation of a scenario's assertions.
 */

import type { ActionOutcome } from "../scenario/actions.ts";
import { type Assertion, type AssertionEntry, formatRef, type ObjectRef } from "../scenario/model.ts";
import type { RequestCounts } from "../traffic/metrics.ts";
import type { InvariantViolation } from "./invariants.ts";
import type { WorkloadSummary } from "./workloads.ts";

export type { RequestCounts };

export interface AssertionResult {
  name: string;
  passed: boolean;
  message: string;
}

export interface Summary {
  scenario: string;
  seed: number;
  traceHash: string;
  simulatedMs: number;
  events: number;
  passed: boolean;
  /** Why the run ended: "until" (reached its duration) or a limit ("limit-events", "limit-time"). */
  stopReason: string;
  assertions: AssertionResult[];
  invariantViolations: InvariantViolation[];
  requests: RequestCounts;
  workloads: Record<string, WorkloadSummary>;
  /** Every timeline action with its outcome (an extension of interfaces.md §3). */
  actions: ActionOutcome[];
}

/** What assertions read about traffic; provided by the traffic metrics when traffic runs. */
export interface TrafficView {
  counts(target?: ObjectRef): RequestCounts;
  successRatio(target: ObjectRef): number | null;
  worstWindowRatio(target: ObjectRef, windowMs: number): number | null;
}

export function emptyRequestCounts(): RequestCounts {
  return { total: 0, succeeded: 0, failed: 0, rejected: 0, mirrored: 0, byImage: {}, byReason: {} };
}

export interface AssertionContext {
  workloads: Record<string, WorkloadSummary>;
  traffic: TrafficView | undefined;
  violations: readonly InvariantViolation[];
  violationCount: number;
}

const percent = (fraction: number): string => `${(fraction * 100).toFixed(2).replace(/\.?0+$/, "")}%`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3)}s`;

export function assertionName(assertion: Assertion): string {
  switch (assertion.type) {
    case "availability":
      return `availability ${formatRef(assertion.of)} >= ${percent(assertion.min)}${
        assertion.windowMs === undefined ? "" : ` (worst ${seconds(assertion.windowMs)} window)`
      }`;
    case "rolloutComplete":
      return `rolloutComplete ${formatRef(assertion.target)} within ${seconds(assertion.withinMs)}`;
    case "maxUnavailable":
      return `maxUnavailable ${formatRef(assertion.target)} <= ${assertion.max}`;
    case "maxSurge":
      return `maxSurge ${formatRef(assertion.target)} <= ${assertion.max}`;
    case "requests": {
      const bounds = [
        assertion.min === undefined ? "" : `>= ${assertion.min}`,
        assertion.max === undefined ? "" : `<= ${assertion.max}`,
      ].filter((each) => each !== "");
      return `requests ${assertion.outcome}${assertion.of === undefined ? "" : ` ${formatRef(assertion.of)}`} ${bounds.join(" and ")}`;
    }
    case "condition":
      return `condition ${formatRef(assertion.target)} ${assertion.conditionType}=${assertion.status}${
        assertion.reason === undefined ? "" : `/${assertion.reason}`
      }${assertion.withinMs === undefined ? " at end" : ` within ${seconds(assertion.withinMs)}`}`;
    case "noInvariantViolations":
      return "noInvariantViolations";
  }
}

export function evaluateAssertions(entries: readonly AssertionEntry[], context: AssertionContext): AssertionResult[] {
  const results = entries.map(({ assertion }) => ({ name: assertionName(assertion), ...evaluate(assertion, context) }));
  if (!entries.some(({ assertion }) => assertion.type === "noInvariantViolations")) {
    results.push({ name: "noInvariantViolations", ...evaluate({ type: "noInvariantViolations" }, context) });
  }
  return results;
}

function evaluate(assertion: Assertion, context: AssertionContext): { passed: boolean; message: string } {
  switch (assertion.type) {
    case "availability":
      return availability(assertion.of, assertion.min, assertion.windowMs, context.traffic);
    case "rolloutComplete":
      return rolloutComplete(assertion.target, assertion.withinMs, context);
    case "maxUnavailable": {
      const workload = context.workloads[formatRef(assertion.target)];
      if (workload === undefined) return { passed: false, message: `${formatRef(assertion.target)} was never created` };
      const observed = workload.maxUnavailableObserved;
      return { passed: observed <= assertion.max, message: `observed ${observed} unavailable at most` };
    }
    case "maxSurge": {
      const workload = context.workloads[formatRef(assertion.target)];
      if (workload === undefined) return { passed: false, message: `${formatRef(assertion.target)} was never created` };
      const observed = workload.maxSurgeObserved;
      return {
        passed: observed <= assertion.max,
        message: `observed ${observed} surge pods at most (peak ${workload.maxPods} pods)`,
      };
    }
    case "requests": {
      const counts = context.traffic?.counts(assertion.of) ?? emptyRequestCounts();
      const value = counts[assertion.outcome];
      const passed =
        (assertion.min === undefined || value >= assertion.min) &&
        (assertion.max === undefined || value <= assertion.max);
      return { passed, message: `${value} ${assertion.outcome}` };
    }
    case "condition":
      return condition(assertion, context);
    case "noInvariantViolations": {
      const first = context.violations[0];
      return first === undefined
        ? { passed: true, message: "none" }
        : {
            passed: false,
            message: `${context.violationCount} violation(s); first at ${first.atMs} ms: ${first.invariant}: ${first.message}`,
          };
    }
  }
}

function condition(
  assertion: Extract<Assertion, { type: "condition" }>,
  context: AssertionContext,
): { passed: boolean; message: string } {
  const label = formatRef(assertion.target);
  const workload = context.workloads[label];
  if (workload === undefined) return { passed: false, message: `${label} was never created` };
  if (assertion.withinMs === undefined) {
    const conditions = (workload.status.conditions ?? []) as { type: string; status: string; reason?: string }[];
    const found = conditions.find((each) => each.type === assertion.conditionType);
    const passed =
      found !== undefined &&
      found.status === assertion.status &&
      (assertion.reason === undefined || found.reason === assertion.reason);
    return {
      passed,
      message:
        found === undefined
          ? `no ${assertion.conditionType} condition`
          : `${found.type}=${found.status}/${found.reason ?? ""}`,
    };
  }
  const prefix = `${assertion.conditionType}=${assertion.status}`;
  const seen = Object.entries(workload.conditionsSeenAtMs).filter(([key]) =>
    assertion.reason === undefined
      ? key === prefix || key.startsWith(`${prefix}/`)
      : key === `${prefix}/${assertion.reason}`,
  );
  if (seen.length === 0) return { passed: false, message: "never seen since the last rollout started" };
  const firstMs = Math.min(...seen.map(([, atMs]) => atMs));
  const afterMs = firstMs - (workload.rolloutStartedAtMs ?? 0);
  return {
    passed: afterMs <= assertion.withinMs,
    message: `seen ${seconds(afterMs)} after the rollout started (at ${seconds(firstMs)})`,
  };
}

function availability(
  of: ObjectRef,
  min: number,
  windowMs: number | undefined,
  traffic: TrafficView | undefined,
): { passed: boolean; message: string } {
  if (traffic === undefined) return { passed: false, message: `no traffic is sent to ${formatRef(of)}` };
  const ratio = windowMs === undefined ? traffic.successRatio(of) : traffic.worstWindowRatio(of, windowMs);
  if (ratio === null) return { passed: false, message: `no requests reached ${formatRef(of)}` };
  return { passed: ratio >= min, message: percent(ratio) };
}

function rolloutComplete(
  target: ObjectRef,
  withinMs: number,
  context: AssertionContext,
): { passed: boolean; message: string } {
  const workload = context.workloads[formatRef(target)];
  if (workload === undefined) return { passed: false, message: `${formatRef(target)} was never created` };
  const started = workload.rolloutStartedAtMs;
  const completed = workload.rolloutCompletedAtMs;
  if (started === null || completed === null) {
    return {
      passed: false,
      message: `not complete (last rollout started at ${started === null ? "-" : seconds(started)})`,
    };
  }
  const tookMs = completed - started;
  return { passed: tookMs <= withinMs, message: `completed in ${seconds(tookMs)} (at ${seconds(completed)})` };
}

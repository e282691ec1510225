/**
 * Reading durations and distributions from objects in the store (LoadBalancer, Gateway), which
 * keep the values as the user wrote them: "2s", 0, {uniform: {min: 1s, max: 3s}},
 * {exponential: {mean: 2s}}, {lognormal: {median: 2s, sigma: 0.3}} (interfaces.md §1).
 *
 * The scenario loader validates these fields up front; here a value that still does not parse
 * falls back to the default and is reported, so a bad object never crashes a run.
 */
import { parseDurationMs } from "../sim/duration.ts";
import type { Distribution } from "../sim/random.ts";

/** A duration in ms from "250ms"/"2s", or a number of ms (as a loader that resolved it writes); undefined if neither. */
export function durationValueMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== "string") return undefined;
  const ms = parseDurationMs(value);
  return ms === null ? undefined : ms;
}

/** A distribution from a duration or one of the distribution objects; undefined if invalid. */
export function distributionValue(value: unknown): Distribution | undefined {
  const constant = durationValueMs(value);
  if (constant !== undefined) return { kind: "constant", valueMs: constant };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (isResolvedDistribution(value)) return value;
  const record = value as Record<string, Record<string, unknown> | undefined>;
  const keys = Object.keys(record);
  if (keys.length !== 1) return undefined;
  const body = record[keys[0] as string];
  if (typeof body !== "object" || body === null) return undefined;
  switch (keys[0]) {
    case "uniform": {
      const minMs = durationValueMs(body.min);
      const maxMs = durationValueMs(body.max);
      return minMs === undefined || maxMs === undefined || maxMs < minMs
        ? undefined
        : { kind: "uniform", minMs, maxMs };
    }
    case "exponential": {
      const meanMs = durationValueMs(body.mean);
      return meanMs === undefined ? undefined : { kind: "exponential", meanMs };
    }
    case "lognormal": {
      const medianMs = durationValueMs(body.median);
      const sigma = body.sigma;
      return medianMs === undefined || typeof sigma !== "number" || sigma < 0
        ? undefined
        : { kind: "lognormal", medianMs, sigma };
    }
    default:
      return undefined;
  }
}

/** A Distribution already resolved by the scenario loader ({kind: "constant", valueMs} and so on). */
function isResolvedDistribution(value: object): value is Distribution {
  const candidate = value as Partial<Record<string, unknown>>;
  switch (candidate.kind) {
    case "constant":
      return typeof candidate.valueMs === "number";
    case "uniform":
      return typeof candidate.minMs === "number" && typeof candidate.maxMs === "number";
    case "exponential":
      return typeof candidate.meanMs === "number";
    case "lognormal":
      return typeof candidate.medianMs === "number" && typeof candidate.sigma === "number";
    default:
      return false;
  }
}

/**
 * `rolloutsim sweep FILE --seeds A..B [--set key=v1,v2 ...]`: runs a scenario over seeds and the
 * grid of --set values, in parallel piscina workers, then prints a comparison per parameter
 * combination (pass rate, availability and rollout time percentiles) and with --out writes
 * sweep.csv (one row per run) and comparison.csv.
 *
 * Every combination is validated before anything runs or is written: a bad --set value is bad
 * input (exit 2), reported with the combination it came from.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { Piscina } from "piscina";
import { parse as parseYaml } from "yaml";
import { loadScenario, type Override } from "../scenario/loader.ts";
import type { Problem } from "../scenario/model.ts";
import { csv, formatMs, formatPercent, percentile, table } from "./format.ts";
import { argumentProblem, BadInput, EXIT, type ExitCode, type Io, printProblems } from "./io.ts";
import { runSweepJob, type SweepJob, type SweepRunResult } from "./sweep-job.ts";

export interface SweepOptions {
  seeds: { from: number; to: number };
  set: readonly SetOption[];
  workers?: number;
  out?: string;
  progress: boolean;
}

export interface SetOption {
  readonly path: string;
  readonly values: readonly unknown[];
}

export interface Combination {
  readonly label: string;
  readonly overrides: readonly Override[];
}

/** The most runs one sweep may ask for. */
export const MAX_SWEEP_RUNS = 100_000;

// ---- arguments ------------------------------------------------------------------------------------

/** "1..20" (inclusive). */
export function parseSeedRange(text: string): { from: number; to: number } {
  const match = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (match === null) throw new BadInput([argumentProblem("--seeds", `"${text}" is not a range like 1..20`)]);
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) {
    throw new BadInput([argumentProblem("--seeds", `"${text}": the first seed must not be greater than the last`)]);
  }
  return { from, to };
}

/** Splits "a,b,{x: 1, y: 2}" at commas outside brackets and quotes. */
function splitValues(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (const char of text) {
    if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

/** "Deployment/demo.spec.strategy.rollingUpdate.maxSurge=1,2,25%"; each value read as YAML. */
export function parseSetOption(text: string): SetOption {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new BadInput([argumentProblem("--set", `"${text}" is not key=value[,value...]`)]);
  const path = text.slice(0, equals).trim();
  const values = splitValues(text.slice(equals + 1)).map((value) => {
    try {
      return value === "" ? "" : (parseYaml(value) as unknown);
    } catch {
      throw new BadInput([argumentProblem("--set", `${path}: cannot read the value ${JSON.stringify(value)}`)]);
    }
  });
  return { path, values };
}

/** Every combination of the --set values, in the order given (the first key varies slowest). */
export function combinations(sets: readonly SetOption[]): Combination[] {
  let result: Combination[] = [{ label: "", overrides: [] }];
  const shortNames = shortKeyNames(sets.map((each) => each.path));
  sets.forEach((set, index) => {
    result = result.flatMap((base) =>
      set.values.map((value) => ({
        label: `${base.label === "" ? "" : `${base.label} `}${shortNames[index]}=${typeof value === "string" ? value : JSON.stringify(value)}`,
        overrides: [...base.overrides, { path: set.path, value }],
      })),
    );
  });
  return result.map((each) => (each.label === "" ? { ...each, label: "(as written)" } : each));
}

/** The last path segment of each key when those are unique, else the whole keys. */
function shortKeyNames(paths: readonly string[]): string[] {
  const last = paths.map(
    (path) =>
      path
        .split(/[.[\]"]+/)
        .filter((part) => part !== "")
        .pop() ?? path,
  );
  return new Set(last).size === last.length ? last : [...paths];
}

// ---- running ------------------------------------------------------------------------------------------

function validateCombinations(file: string, all: readonly Combination[]): Problem[] {
  const problems: Problem[] = [];
  for (const combination of all) {
    const loaded = loadScenario(file, { overrides: combination.overrides });
    if (loaded.ok) continue;
    const prefix = combination.overrides.length === 0 ? "" : `with ${combination.label}: `;
    problems.push(...loaded.problems.map((problem) => ({ ...problem, message: `${prefix}${problem.message}` })));
    if (combination.overrides.length === 0) break;
  }
  return problems;
}

interface Progress {
  done(result: SweepRunResult, label: string): void;
  stop(): void;
}

function createProgress(total: number, options: SweepOptions, io: Io): Progress {
  if (!options.progress) return { done: () => undefined, stop: () => undefined };
  if (io.interactive) {
    const bar = new cliProgress.SingleBar(
      { format: "sweep [{bar}] {value}/{total} runs | {eta_formatted} left", hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { done: () => bar.increment(), stop: () => bar.stop() };
  }
  let count = 0;
  return {
    done: (result, label) => {
      count++;
      const verdict = result.error !== null ? "ERROR" : result.passed ? "PASS" : "FAIL";
      io.err(`[${count}/${total}] ${label} seed=${result.seed} ${verdict}\n`);
    },
    stop: () => undefined,
  };
}

function workerFile(): string {
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./sweep-worker.${extension}`, import.meta.url).href;
}

/** Node options a worker needs to load TypeScript (under tsx the main thread's loader is not inherited). */
function workerExecArgv(): string[] {
  if (!import.meta.url.endsWith(".ts")) return [...process.execArgv];
  if (process.execArgv.some((arg) => arg.includes("tsx"))) return [...process.execArgv];
  return [...process.execArgv, "--import", import.meta.resolve("tsx")];
}

async function runJobs(
  jobs: readonly SweepJob[],
  workers: number,
  onDone: (result: SweepRunResult) => void,
): Promise<SweepRunResult[]> {
  if (workers <= 1) {
    return jobs.map((job) => {
      const result = runSweepJob(job);
      onDone(result);
      return result;
    });
  }
  const pool = new Piscina<SweepJob, SweepRunResult>({
    filename: workerFile(),
    maxThreads: workers,
    minThreads: workers,
    execArgv: workerExecArgv(),
  });
  try {
    return await Promise.all(
      jobs.map(async (job) => {
        const result = await pool.run(job);
        onDone(result);
        return result;
      }),
    );
  } finally {
    await pool.destroy();
  }
}

// ---- the comparison ---------------------------------------------------------------------------------

export interface CombinationStats {
  readonly label: string;
  readonly runs: number;
  readonly passRate: number;
  readonly availabilityP50: number | null;
  readonly availabilityP95: number | null;
  readonly availabilityMin: number | null;
  readonly rolloutP50Ms: number | null;
  readonly rolloutP95Ms: number | null;
}

export function compare(all: readonly Combination[], results: readonly SweepRunResult[]): CombinationStats[] {
  return all.map((combination, index) => {
    const runs = results.filter((each) => each.combination === index);
    const availability = runs.flatMap((each) => (each.availability === null ? [] : [each.availability]));
    const rollouts = runs.flatMap((each) => (each.rolloutMs === null ? [] : [each.rolloutMs]));
    return {
      label: combination.label,
      runs: runs.length,
      passRate: runs.length === 0 ? 0 : runs.filter((each) => each.passed).length / runs.length,
      availabilityP50: percentile(availability, 50),
      availabilityP95: percentile(availability, 95),
      availabilityMin: percentile(availability, 0),
      rolloutP50Ms: percentile(rollouts, 50),
      rolloutP95Ms: percentile(rollouts, 95),
    };
  });
}

const rolloutText = (ms: number | null): string => (ms === Number.POSITIVE_INFINITY ? "incomplete" : formatMs(ms));

export function comparisonTable(stats: readonly CombinationStats[]): string {
  const header = [
    "COMBINATION",
    "RUNS",
    "PASS RATE",
    "AVAIL P50",
    "AVAIL P95",
    "AVAIL MIN",
    "ROLLOUT P50",
    "ROLLOUT P95",
  ];
  const rows = stats.map((each) => [
    each.label,
    String(each.runs),
    formatPercent(each.passRate),
    formatPercent(each.availabilityP50),
    formatPercent(each.availabilityP95),
    formatPercent(each.availabilityMin),
    rolloutText(each.rolloutP50Ms),
    rolloutText(each.rolloutP95Ms),
  ]);
  return `${table([header, ...rows])}\n`;
}

function writeOutputs(
  out: string,
  sets: readonly SetOption[],
  all: readonly Combination[],
  results: readonly SweepRunResult[],
  stats: readonly CombinationStats[],
): void {
  mkdirSync(out, { recursive: true });
  const runRows = results.map((each) => {
    const overrides = (all[each.combination] as Combination).overrides;
    return [
      ...overrides.map((override) =>
        typeof override.value === "string" ? override.value : JSON.stringify(override.value),
      ),
      each.seed,
      each.error !== null ? "error" : each.passed,
      each.availability,
      each.rolloutMs === Number.POSITIVE_INFINITY ? "incomplete" : each.rolloutMs,
      each.events,
      each.simulatedMs,
      each.traceHash,
      each.failedAssertions.join("; "),
    ];
  });
  const header = [
    ...sets.map((each) => each.path),
    "seed",
    "passed",
    "availability",
    "rollout_ms",
    "events",
    "simulated_ms",
    "trace_hash",
    "failed_assertions",
  ];
  writeFileSync(join(out, "sweep.csv"), csv([header, ...runRows]));
  const statRows = stats.map((each) => [
    each.label,
    each.runs,
    each.passRate,
    each.availabilityP50,
    each.availabilityP95,
    each.availabilityMin,
    each.rolloutP50Ms === Number.POSITIVE_INFINITY ? "incomplete" : each.rolloutP50Ms,
    each.rolloutP95Ms === Number.POSITIVE_INFINITY ? "incomplete" : each.rolloutP95Ms,
  ]);
  const statHeader = [
    "combination",
    "runs",
    "pass_rate",
    "availability_p50",
    "availability_p95",
    "availability_min",
    "rollout_p50_ms",
    "rollout_p95_ms",
  ];
  writeFileSync(join(out, "comparison.csv"), csv([statHeader, ...statRows]));
}

export async function sweepCommand(file: string, options: SweepOptions, io: Io): Promise<ExitCode> {
  const all = combinations(options.set);
  const seedCount = options.seeds.to - options.seeds.from + 1;
  if (all.length * seedCount > MAX_SWEEP_RUNS) {
    printProblems(io, [
      argumentProblem("--seeds", `${all.length * seedCount} runs is more than the limit of ${MAX_SWEEP_RUNS}`),
    ]);
    return EXIT.badInput;
  }
  const problems = validateCombinations(file, all);
  if (problems.length > 0) {
    printProblems(io, problems);
    return EXIT.badInput;
  }
  const jobs: SweepJob[] = all.flatMap((combination, index) =>
    Array.from({ length: seedCount }, (_, offset) => ({
      file,
      overrides: combination.overrides,
      seed: options.seeds.from + offset,
      combination: index,
    })),
  );
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length));
  const progress = createProgress(jobs.length, options, io);
  let results: SweepRunResult[];
  try {
    results = await runJobs(jobs, workers, (result) =>
      progress.done(result, (all[result.combination] as Combination).label),
    );
  } finally {
    progress.stop();
  }
  const stats = compare(all, results);
  if (options.out !== undefined) writeOutputs(options.out, options.set, all, results, stats);
  const combinationCount = `${all.length} combination${all.length === 1 ? "" : "s"}`;
  io.out(
    `sweep of ${file}: ${jobs.length} runs (${combinationCount} x seeds ${options.seeds.from}..${options.seeds.to})\n`,
  );
  io.out(comparisonTable(stats));
  const errors = results.filter((each) => each.error !== null);
  for (const each of errors)
    io.err(`${(all[each.combination] as Combination).label} seed=${each.seed}: ${each.error}\n`);
  if (errors.length > 0) return EXIT.badInput;
  return results.every((each) => each.passed) ? EXIT.ok : EXIT.failed;
}

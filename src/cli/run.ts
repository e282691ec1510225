/**
 * `rolloutsim run FILE`: loads one scenario, runs it, prints the readable summary (or the summary
 * JSON), and with --out writes summary.json, timeseries.csv, the trace and the report (report.html
 * and PNG charts, src/report/index.ts). Nothing is written when the scenario is bad input.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadScenario } from "../scenario/loader.ts";
import { type Scenario, ScenarioError } from "../scenario/model.ts";
import type { SimulationResult } from "../simulate.ts";
import { formatSummary, timeseriesCsv } from "./format.ts";
import { EXIT, type ExitCode, type Io, printProblems } from "./io.ts";

export interface RunOptions {
  seed?: number;
  json?: boolean;
  out?: string;
  trace?: string;
  untilMs?: number;
}

/** Runs a loaded scenario exactly as every command does (run, test, sweep workers, the library). */
export async function runScenario(
  scenario: Scenario,
  options: { seed?: number; untilMs?: number; traceFile?: string },
): Promise<SimulationResult> {
  const { simulate } = await import("../simulate.ts");
  return simulate(scenario, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.untilMs === undefined ? {} : { untilMs: options.untilMs }),
    ...(options.traceFile === undefined ? {} : { traceFile: options.traceFile }),
  });
}

export async function runCommand(file: string, options: RunOptions, io: Io): Promise<ExitCode> {
  const loaded = loadScenario(file);
  if (!loaded.ok) {
    printProblems(io, loaded.problems);
    return EXIT.badInput;
  }
  const traceFile = options.trace ?? (options.out === undefined ? undefined : join(options.out, "trace.ndjson"));
  const created = prepareOutputs(options.out, traceFile);
  let result: SimulationResult;
  try {
    result = await runScenario(loaded.scenario, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.untilMs === undefined ? {} : { untilMs: options.untilMs }),
      ...(traceFile === undefined ? {} : { traceFile }),
    });
  } catch (error) {
    // Bad input found while applying the objects: leave nothing behind, as for any bad input.
    if (error instanceof ScenarioError) removeOutputs(created, traceFile);
    throw error;
  }
  const { timeseries, ...summary } = result;
  if (options.out !== undefined) {
    writeFileSync(join(options.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(options.out, "timeseries.csv"), timeseriesCsv(timeseries));
    const { writeReport } = await import("../report/index.ts");
    writeReport(options.out, result, loaded.scenario);
  }
  io.out(options.json === true ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, loaded.scenario));
  return summary.passed ? EXIT.ok : EXIT.failed;
}

/** Creates the output folders; returns the folders this call created. */
function prepareOutputs(out: string | undefined, traceFile: string | undefined): string[] {
  const created: string[] = [];
  for (const folder of [out, traceFile === undefined ? undefined : dirname(traceFile)]) {
    if (folder === undefined || existsSync(folder)) continue;
    mkdirSync(folder, { recursive: true });
    created.push(folder);
  }
  return created;
}

function removeOutputs(created: readonly string[], traceFile: string | undefined): void {
  if (traceFile !== undefined) rmSync(traceFile, { force: true });
  for (const folder of created) rmSync(folder, { recursive: true, force: true });
}

/**
 * The `rolloutsim` command line (interfaces.md §2), built with commander. `main` returns the exit
 * code instead of exiting, so output is flushed and tests can call it in-process.
 *
 * Exit codes: 0 all assertions hold (or the files are valid), 1 an assertion or invariant failed,
 * 2 bad input (printed as FILE:LINE:COL: path: message, no stack trace), 3 an internal error
 * (one line; ROLLOUTSIM_DEBUG=1 adds the stack). Commands are imported when used, so `check` and
 * `schema` do not load the simulator.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { loadScenario } from "../scenario/loader.ts";
import { ScenarioError } from "../scenario/model.ts";
import { scenarioJsonSchema } from "../scenario/schema.ts";
import { parseDurationMs } from "../sim/duration.ts";
import { BadInput, EXIT, type ExitCode, type Io, printProblems, processIo } from "./io.ts";

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InvalidArgumentError("expected a non-negative whole number");
  return Number(text);
}

function parseWorkers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 256)
    throw new InvalidArgumentError("expected a number of workers from 1 to 256");
  return Number(text);
}

function parseUntil(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null || ms <= 0) throw new InvalidArgumentError("expected a positive duration like 5m or 90s");
  return ms;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function checkCommand(files: readonly string[], io: Io): ExitCode {
  let valid = true;
  for (const file of files) {
    const loaded = loadScenario(file);
    if (loaded.ok) {
      io.out(
        `${file}: ok (${loaded.scenario.name}: ${loaded.scenario.objects.length} objects, ${loaded.scenario.timeline.length} timeline entries, ${loaded.scenario.assertions.length} assertions)\n`,
      );
    } else {
      valid = false;
      printProblems(io, loaded.problems);
    }
  }
  return valid ? EXIT.ok : EXIT.badInput;
}

function buildProgram(io: Io, setExit: (code: ExitCode) => void): Command {
  const program = new Command("rolloutsim")
    .description("Deterministic discrete-event simulator of Kubernetes rollouts")
    .version(version())
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .addHelpText(
      "after",
      examples([
        "rolloutsim run scenarios/rollback.yaml",
        "rolloutsim check scenarios/*.yaml",
        "rolloutsim schema > scenario.schema.json",
      ]),
    );

  program
    .command("run")
    .description("run one scenario and print its summary")
    .argument("<file>", "scenario file (YAML)")
    .option("--seed <n>", "random seed (overrides spec.seed)", parseSeed)
    .option("--json", "print the summary JSON instead of the readable summary")
    .option(
      "--out <dir>",
      "write summary.json, timeseries.csv, trace.ndjson, report.html and PNG charts into this folder",
    )
    .option("--trace <file>", "write the trace (NDJSON) to this file")
    .option("--until <duration>", "stop at this virtual time instead of spec.duration", parseUntil)
    .addHelpText(
      "after",
      examples([
        "rolloutsim run scenarios/rollback.yaml",
        "rolloutsim run scenarios/rollback.yaml --seed 7 --json > summary.json",
        "rolloutsim run scenarios/rollback.yaml --out out/rollback --until 2m",
      ]),
    )
    .action(
      async (
        file: string,
        options: { seed?: number; json?: boolean; out?: string; trace?: string; until?: number },
      ) => {
        const { runCommand } = await import("./run.ts");
        const { until, ...rest } = options;
        setExit(await runCommand(file, { ...rest, ...(until === undefined ? {} : { untilMs: until }) }, io));
      },
    );

  program
    .command("check")
    .description("validate scenario files without running them")
    .argument("<files...>", "scenario files")
    .addHelpText("after", examples(["rolloutsim check scenarios/rollback.yaml", "rolloutsim check scenarios/*.yaml"]))
    .action((files: string[]) => setExit(checkCommand(files, io)));

  program
    .command("test")
    .description("run every scenario under the paths; one test case per assertion")
    .argument("<paths...>", "scenario files or folders (searched for *.yaml scenarios)")
    .option("--junit <file>", "write JUnit XML to this file")
    .addHelpText("after", examples(["rolloutsim test scenarios/", "rolloutsim test scenarios/ --junit out/junit.xml"]))
    .action(async (paths: string[], options: { junit?: string }) => {
      const { testCommand } = await import("./test-command.ts");
      setExit(await testCommand(paths, options, io));
    });

  program
    .command("sweep")
    .description("run a scenario over seeds and parameter grids in parallel, and compare")
    .argument("<file>", "scenario file (YAML)")
    .requiredOption("--seeds <A..B>", "seeds to run, inclusive (e.g. 1..20)")
    .option("--set <key=v1,v2>", "vary a field: spec.<path> or Kind/name.<path> (repeatable)", collect, [] as string[])
    .option("--workers <n>", "worker threads (default: the number of CPUs)", parseWorkers)
    .option("--out <dir>", "write sweep.csv and comparison.csv into this folder")
    .addOption(new Option("--no-progress", "no progress bar or progress lines"))
    .addHelpText(
      "after",
      examples([
        "rolloutsim sweep scenarios/rollback.yaml --seeds 1..20",
        "rolloutsim sweep scenarios/rollback.yaml --seeds 1..10 --set Deployment/demo.spec.strategy.rollingUpdate.maxSurge=1,2,25% --out out/sweep",
        'rolloutsim sweep scenarios/rollback.yaml --seeds 1..5 --set spec.timing.watchDelay=20ms,1s --set "spec.images[\\"demo:v2\\"].errorRate=0,0.01"',
      ]),
    )
    .action(
      async (
        file: string,
        options: { seeds: string; set: string[]; workers?: number; out?: string; progress: boolean },
      ) => {
        const { sweepCommand, parseSeedRange, parseSetOption } = await import("./sweep.ts");
        const sweepOptions = {
          seeds: parseSeedRange(options.seeds),
          set: options.set.map(parseSetOption),
          progress: options.progress,
          ...(options.workers === undefined ? {} : { workers: options.workers }),
          ...(options.out === undefined ? {} : { out: options.out }),
        };
        setExit(await sweepCommand(file, sweepOptions, io));
      },
    );

  program
    .command("schema")
    .description("print the JSON Schema of the scenario format")
    .addHelpText(
      "after",
      examples([
        "rolloutsim schema > scenario.schema.json",
        "# then, first line of a scenario file:",
        "# yaml-language-server: $schema=./scenario.schema.json",
      ]),
    )
    .action(() => {
      io.out(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      setExit(EXIT.ok);
    });

  return program;
}

function reportInternalError(error: unknown, io: Io): void {
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  io.err(`rolloutsim: ${message} (internal error; please report)\n`);
  if (process.env.ROLLOUTSIM_DEBUG === "1" && error instanceof Error && error.stack !== undefined)
    io.err(`${error.stack}\n`);
}

/** Runs the command line `argv` (without "node" and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = error.code === "commander.helpDisplayed" || error.code === "commander.version";
      return informational ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof BadInput || error instanceof ScenarioError) {
      printProblems(io, error.problems);
      return EXIT.badInput;
    }
    reportInternalError(error, io);
    return EXIT.internal;
  }
}

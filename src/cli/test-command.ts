/**
 * `rolloutsim test PATH...`: runs every scenario under the paths (a folder is searched for *.yaml
 * and *.yml files whose first document is a Scenario; files given by name must be scenarios), one
 * test case per assertion, and writes JUnit XML with --junit. Bad files are reported and counted
 * as errors while the good ones still run.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { AssertionResult } from "../report/summary.ts";
import { loadScenario } from "../scenario/loader.ts";
import { formatProblem, type Problem, ScenarioError } from "../scenario/model.ts";
import { argumentProblem, EXIT, type ExitCode, type Io, printProblems } from "./io.ts";
import { runScenario } from "./run.ts";

export interface ScenarioOutcome {
  readonly file: string;
  readonly name: string;
  readonly seed: number | null;
  readonly traceHash: string;
  /** Null when the file could not be loaded or run. */
  readonly assertions: readonly AssertionResult[] | null;
  /** Bad input problems or an internal error message. */
  readonly error: { readonly kind: "bad-input" | "internal"; readonly message: string } | null;
}

const MAX_FILES = 10_000;

function isScenarioText(text: string): boolean {
  try {
    const first = Array.from(parseAllDocuments(text.slice(0, 1_000_000)))[0];
    return first?.get("kind") === "Scenario";
  } catch {
    return false;
  }
}

function walkFolder(folder: string, found: string[]): void {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (found.length >= MAX_FILES || entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walkFolder(path, found);
    else if (/\.ya?ml$/.test(entry.name) && isScenarioText(readFileSync(path, "utf8"))) found.push(path);
  }
}

/** The scenario files under the paths, in a stable order. */
export function collectScenarioFiles(paths: readonly string[]): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      problems.push(argumentProblem(path, "no such file or folder"));
      continue;
    }
    if (!isFolder) files.push(path);
    else walkFolder(path, files);
  }
  return { files: [...new Set(files)], problems };
}

async function testOne(file: string): Promise<ScenarioOutcome> {
  const loaded = loadScenario(file);
  if (!loaded.ok) {
    return {
      file,
      name: file,
      seed: null,
      traceHash: "",
      assertions: null,
      error: { kind: "bad-input", message: loaded.problems.map(formatProblem).join("\n") },
    };
  }
  const scenario = loaded.scenario;
  try {
    const result = await runScenario(scenario, {});
    return {
      file,
      name: scenario.name,
      seed: result.seed,
      traceHash: result.traceHash,
      assertions: result.assertions,
      error: null,
    };
  } catch (error) {
    const bad = error instanceof ScenarioError;
    const message = bad
      ? error.problems.map(formatProblem).join("\n")
      : `${error instanceof Error ? error.message : String(error)} (internal error; please report)`;
    return {
      file,
      name: scenario.name,
      seed: scenario.seed,
      traceHash: "",
      assertions: null,
      error: { kind: bad ? "bad-input" : "internal", message },
    };
  }
}

function report(outcome: ScenarioOutcome, io: Io): void {
  if (outcome.error !== null) {
    io.out(`ERROR ${outcome.file}\n`);
    io.err(`${outcome.error.message}\n`);
    return;
  }
  const assertions = outcome.assertions ?? [];
  const failed = assertions.filter((each) => !each.passed);
  io.out(
    `${failed.length === 0 ? "PASS " : "FAIL "} ${outcome.file} (${outcome.name}, seed ${outcome.seed}, ${assertions.length} assertions)\n`,
  );
  for (const each of failed) io.out(`      FAIL ${each.name}: ${each.message}\n`);
}

export async function testCommand(paths: readonly string[], options: { junit?: string }, io: Io): Promise<ExitCode> {
  const { files, problems } = collectScenarioFiles(paths);
  if (problems.length > 0) {
    printProblems(io, problems);
    return EXIT.badInput;
  }
  if (files.length === 0) {
    printProblems(io, [
      argumentProblem(paths.join(" "), "no scenario files found (*.yaml whose first document is kind: Scenario)"),
    ]);
    return EXIT.badInput;
  }
  const outcomes: ScenarioOutcome[] = [];
  for (const file of files) {
    const outcome = await testOne(file);
    report(outcome, io);
    outcomes.push(outcome);
  }
  if (options.junit !== undefined) writeFileSync(options.junit, junitXml(outcomes));
  const cases = outcomes.flatMap((each) => each.assertions ?? []);
  const failedCount = cases.filter((each) => !each.passed).length;
  const errors = outcomes.filter((each) => each.error !== null);
  io.out(
    `\n${cases.length - failedCount} passed, ${failedCount} failed, ${errors.length} errors in ${outcomes.length} scenarios\n`,
  );
  if (errors.some((each) => each.error?.kind === "internal")) return EXIT.internal;
  if (errors.length > 0) return EXIT.badInput;
  return failedCount > 0 ? EXIT.failed : EXIT.ok;
}

// ---- JUnit XML ----------------------------------------------------------------------------------

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .split("")
    .filter((char) => !isControlCharacter(char))
    .join("");
}

/** XML 1.0 allows no control characters but tab, newline and carriage return. */
function isControlCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
}

function suiteXml(outcome: ScenarioOutcome): string {
  const name = escapeXml(outcome.name);
  const file = escapeXml(outcome.file);
  if (outcome.error !== null) {
    const message = escapeXml(outcome.error.message);
    const type = outcome.error.kind === "bad-input" ? "BadInput" : "InternalError";
    return [
      `  <testsuite name="${name}" file="${file}" tests="1" failures="0" errors="1">`,
      `    <testcase classname="${name}" name="load and run" file="${file}">`,
      `      <error type="${type}" message="${escapeXml(outcome.error.message.split("\n")[0] ?? "")}">${message}</error>`,
      "    </testcase>",
      "  </testsuite>",
    ].join("\n");
  }
  const assertions = outcome.assertions ?? [];
  const failures = assertions.filter((each) => !each.passed).length;
  const cases = assertions.map((each) => {
    const open = `    <testcase classname="${name}" name="${escapeXml(each.name)}" file="${file}"`;
    if (each.passed) return `${open}>\n      <system-out>${escapeXml(each.message)}</system-out>\n    </testcase>`;
    return `${open}>\n      <failure type="AssertionFailed" message="${escapeXml(each.message)}">${escapeXml(each.message)}</failure>\n    </testcase>`;
  });
  return [
    `  <testsuite name="${name}" file="${file}" tests="${assertions.length}" failures="${failures}" errors="0">`,
    "    <properties>",
    `      <property name="seed" value="${outcome.seed ?? ""}"/>`,
    `      <property name="traceHash" value="${escapeXml(outcome.traceHash)}"/>`,
    "    </properties>",
    ...cases,
    "  </testsuite>",
  ].join("\n");
}

/** JUnit XML: one testsuite per scenario, one testcase per assertion. */
export function junitXml(outcomes: readonly ScenarioOutcome[]): string {
  const tests = outcomes.reduce((sum, each) => sum + (each.assertions?.length ?? 1), 0);
  const failures = outcomes.reduce((sum, each) => sum + (each.assertions ?? []).filter((a) => !a.passed).length, 0);
  const errors = outcomes.filter((each) => each.error !== null).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rolloutsim" tests="${tests}" failures="${failures}" errors="${errors}">`,
    ...outcomes.map(suiteXml),
    "</testsuites>",
    "",
  ].join("\n");
}

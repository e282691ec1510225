/**
 * The same scenario and seed give the same trace hash whichever way they run: `run`, `test`,
 * `sweep` (in piscina worker threads) and simulate() in-process.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/loader.ts";
import { simulate } from "../../src/simulate.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TINY = join(ROOT, "test", "fixtures", "cli", "tiny.yaml");
const scratch = mkdtempSync(join(tmpdir(), "rolloutsim-determinism-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function rolloutsim(...args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "rolloutsim.mjs"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout };
}

function inProcessHash(seed?: number): string {
  const loaded = loadScenario(TINY);
  if (!loaded.ok) throw new Error("tiny.yaml should load");
  return simulate(loaded.scenario, seed === undefined ? {} : { seed }).traceHash;
}

function sweepRows(out: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(join(out, "sweep.csv"), "utf8").trimEnd().split("\n");
  const names = (header as string).split(",");
  return rows.map((row) => Object.fromEntries(row.split(",").map((cell, index) => [names[index] as string, cell])));
}

describe("one seed, one trace hash", () => {
  it("run, sweep workers and simulate() agree", () => {
    const run = rolloutsim("run", TINY, "--seed", "3", "--json");
    expect(run.status).toBe(0);
    const runHash = (JSON.parse(run.stdout) as { traceHash: string }).traceHash;
    expect(runHash).toMatch(/^[0-9a-f]{64}$/);

    const out = join(scratch, "sweep");
    const sweep = rolloutsim(
      "sweep",
      TINY,
      "--seeds",
      "3..4",
      "--workers",
      "2",
      "--no-progress",
      "--set",
      "Deployment/web.spec.replicas=2,3",
      "--out",
      out,
    );
    expect(sweep.status).toBe(0);
    const rows = sweepRows(out);
    expect(rows.map((row) => [row["Deployment/web.spec.replicas"], row.seed])).toEqual([
      ["2", "3"],
      ["2", "4"],
      ["3", "3"],
      ["3", "4"],
    ]);
    expect(rows[0]?.trace_hash).toBe(runHash);
    expect(rows[1]?.trace_hash).not.toBe(runHash);
    expect(rows[2]?.trace_hash).not.toBe(runHash);
    expect(inProcessHash(3)).toBe(runHash);
  });

  it("test uses the scenario's own seed, like run without --seed", () => {
    const junit = join(scratch, "junit.xml");
    expect(rolloutsim("test", TINY, "--junit", junit).status).toBe(0);
    const property = /<property name="traceHash" value="([0-9a-f]{64})"\/>/.exec(readFileSync(junit, "utf8"));
    expect(property?.[1]).toBe(inProcessHash());
    const run = rolloutsim("run", TINY, "--json");
    expect((JSON.parse(run.stdout) as { traceHash: string }).traceHash).toBe(property?.[1]);
  });
});

/**
 * The command line in-process (main() with captured output) and its pure helpers: help texts,
 * argument errors, internal errors (exit 3), sweep arguments and comparison, JUnit XML, CSV.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csv, percentile, table } from "../../src/cli/format.ts";
import type { Io } from "../../src/cli/io.ts";
import { main } from "../../src/cli/program.ts";
import { combinations, compare, comparisonTable, parseSeedRange, parseSetOption } from "../../src/cli/sweep.ts";
import type { SweepRunResult } from "../../src/cli/sweep-job.ts";
import { escapeXml, junitXml } from "../../src/cli/test-command.ts";

const CLI = join(import.meta.dirname, "..", "fixtures", "cli");

function capture(overrides: Partial<Io> = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    interactive: false,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    ...overrides,
  };
  return io;
}

describe("main()", () => {
  it.each(["run", "check", "test", "sweep", "schema"])(
    "shows help with examples for %s and exits 0",
    async (command) => {
      const io = capture();
      expect(await main([command, "--help"], io)).toBe(0);
      expect(io.stdout).toContain(`Usage: rolloutsim ${command}`);
      expect(io.stdout).toContain("Examples:");
    },
  );

  it.each([
    [["run", "x.yaml", "--seed", "abc"], "expected a non-negative whole number"],
    [["run", "x.yaml", "--until", "soon"], "expected a positive duration"],
    [["sweep", "x.yaml"], "required option '--seeds <A..B>' not specified"],
    [["sweep", "x.yaml", "--seeds", "1..2", "--workers", "0"], "expected a number of workers"],
    [["frobnicate"], "unknown command 'frobnicate'"],
    [[], "Usage: rolloutsim"],
  ])("exits 2 on %j", async (argv, message) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr).toContain(message);
  });

  it("prints sweep argument problems as problems", async () => {
    const io = capture();
    expect(await main(["sweep", join(CLI, "tiny.yaml"), "--seeds", "9..1"], io)).toBe(2);
    expect(io.stderr).toBe('--seeds: "9..1": the first seed must not be greater than the last\n');
  });

  it("reports an internal error in one line with exit 3", async () => {
    const io = capture({
      out: () => {
        throw new Error("disk on fire\nsecond line");
      },
    });
    expect(await main(["schema"], io)).toBe(3);
    expect(io.stderr).toBe("rolloutsim: disk on fire (internal error; please report)\n");
  });

  it("checks files in-process like the binary", async () => {
    const io = capture();
    expect(await main(["check", join(CLI, "tiny.yaml")], io)).toBe(0);
    expect(io.stdout).toMatch(/tiny\.yaml: ok \(tiny: 2 objects, 1 timeline entries, 1 assertions\)/);
  });
});

describe("sweep arguments", () => {
  it("reads seed ranges", () => {
    expect(parseSeedRange("1..20")).toEqual({ from: 1, to: 20 });
    expect(parseSeedRange("7..7")).toEqual({ from: 7, to: 7 });
    expect(() => parseSeedRange("1-20")).toThrow(/not a range/);
  });

  it("reads --set values as YAML scalars, keeping commas inside brackets", () => {
    expect(parseSetOption("Deployment/demo.spec.strategy.rollingUpdate.maxSurge=1,25%,0")).toEqual({
      path: "Deployment/demo.spec.strategy.rollingUpdate.maxSurge",
      values: [1, "25%", 0],
    });
    expect(parseSetOption("spec.timing.watchDelay=20ms,{uniform: {min: 1s, max: 2s}}")).toEqual({
      path: "spec.timing.watchDelay",
      values: ["20ms", { uniform: { min: "1s", max: "2s" } }],
    });
    expect(() => parseSetOption("spec.seed")).toThrow(/key=value/);
  });

  it("builds every combination, first key slowest", () => {
    const all = combinations([
      { path: "Deployment/demo.spec.strategy.rollingUpdate.maxSurge", values: [1, 2] },
      { path: "Deployment/demo.spec.strategy.rollingUpdate.maxUnavailable", values: [0, "25%"] },
    ]);
    expect(all.map((each) => each.label)).toEqual([
      "maxSurge=1 maxUnavailable=0",
      "maxSurge=1 maxUnavailable=25%",
      "maxSurge=2 maxUnavailable=0",
      "maxSurge=2 maxUnavailable=25%",
    ]);
    expect(all[3]?.overrides).toEqual([
      { path: "Deployment/demo.spec.strategy.rollingUpdate.maxSurge", value: 2 },
      { path: "Deployment/demo.spec.strategy.rollingUpdate.maxUnavailable", value: "25%" },
    ]);
    expect(combinations([])).toEqual([{ label: "(as written)", overrides: [] }]);
  });

  it("compares combinations by pass rate and percentiles", () => {
    const run = (
      combination: number,
      seed: number,
      passed: boolean,
      availability: number | null,
      rolloutMs: number | null,
    ): SweepRunResult => ({
      combination,
      seed,
      passed,
      traceHash: "",
      events: 1,
      simulatedMs: 1,
      availability,
      rolloutMs,
      failedAssertions: [],
      error: null,
    });
    const stats = compare(
      [
        { label: "a", overrides: [] },
        { label: "b", overrides: [] },
      ],
      [run(0, 1, true, 1, 10_000), run(0, 2, false, 0.9, Number.POSITIVE_INFINITY), run(1, 1, true, null, null)],
    );
    expect(stats).toEqual([
      {
        label: "a",
        runs: 2,
        passRate: 0.5,
        availabilityP50: 0.9,
        availabilityP95: 1,
        availabilityMin: 0.9,
        rolloutP50Ms: 10_000,
        rolloutP95Ms: Number.POSITIVE_INFINITY,
      },
      {
        label: "b",
        runs: 1,
        passRate: 1,
        availabilityP50: null,
        availabilityP95: null,
        availabilityMin: null,
        rolloutP50Ms: null,
        rolloutP95Ms: null,
      },
    ]);
    const printed = comparisonTable(stats);
    expect(printed).toContain("incomplete");
    expect(printed.split("\n")[1]).toMatch(/^ {2}a\s+2\s+50\.00%\s+90\.00%\s+100\.00%\s+90\.00%\s+10s\s+incomplete$/);
  });
});

describe("formats", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).toBe(1);
  });

  it("quotes CSV cells that need it", () => {
    expect(csv([["a,b", 'say "hi"', null, 3]])).toBe('"a,b","say ""hi""",,3\n');
  });

  it("aligns table columns", () => {
    expect(
      table(
        [
          ["A", "BB"],
          ["ccc", "d"],
        ],
        "",
      ),
    ).toBe("A    BB\nccc  d");
  });

  it("escapes JUnit XML and counts cases, failures and errors", () => {
    expect(escapeXml('<a & "b">\u0001')).toBe("&lt;a &amp; &quot;b&quot;&gt;");
    const xml = junitXml([
      {
        file: "a.yaml",
        name: "a",
        seed: 1,
        traceHash: "h",
        assertions: [
          { name: "x <= 1", passed: false, message: "2" },
          { name: "y", passed: true, message: "ok" },
        ],
        error: null,
      },
      {
        file: "b.yaml",
        name: "b.yaml",
        seed: null,
        traceHash: "",
        assertions: null,
        error: { kind: "bad-input", message: "b.yaml:1:1: kind: is required" },
      },
    ]);
    expect(xml).toContain('<testsuites name="rolloutsim" tests="3" failures="1" errors="1">');
    expect(xml).toContain('<failure type="AssertionFailed" message="2">2</failure>');
    expect(xml).toContain('<error type="BadInput" message="b.yaml:1:1: kind: is required">');
  });
});

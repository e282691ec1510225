/**
 * The `rolloutsim` command as users run it: `node bin/rolloutsim.mjs ...` in a child process.
 * Exit codes (0 ok, 1 failed assertion, 2 bad input), the problem format on stderr, no stack
 * traces, nothing written to --out on bad input, and the files --out writes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "test", "fixtures", "cli");
const BAD = join(ROOT, "test", "fixtures", "bad");
const scratch = mkdtempSync(join(tmpdir(), "rolloutsim-cli-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function rolloutsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "rolloutsim.mjs"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ROLLOUTSIM_DEBUG: "" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PROBLEM_LINE = /^[^:\n]+:\d+:\d+: (\S+: )?\S.*$/;
const STACK_LINE = /^\s+at /m;

describe("rolloutsim check", () => {
  it("exits 0 for valid files", () => {
    const result = rolloutsim("check", join(CLI, "tiny.yaml"), join(CLI, "tiny-failing.yaml"));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("tiny.yaml: ok (tiny:");
    expect(result.stderr).toBe("");
  });

  it("exits 2 and prints FILE:LINE:COL: path: message for every problem", () => {
    const files = ["negative-replicas", "unknown-object-field", "unsupported-kind"].map((name) =>
      join(BAD, `${name}.yaml`),
    );
    const result = rolloutsim("check", ...files);
    expect(result.status).toBe(2);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      `${files[0]}:22:13: Deployment/demo.spec.replicas: must not be negative`,
      `${files[1]}:22:3: Deployment/demo.spec.replcas: unknown field "replcas"; did you mean "replicas"?`,
      `${files[2]}:34:7: StatefulSet/web.kind: the StatefulSet kind is not supported yet by this version of rolloutsim`,
    ]);
    for (const line of lines) expect(line).toMatch(PROBLEM_LINE);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it("exits 2 for a missing file, without a stack trace", () => {
    const result = rolloutsim("check", join(CLI, "missing.yaml"));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${join(CLI, "missing.yaml")}: cannot read the file: no such file\n`);
  });
});

describe("usage", () => {
  it("prints the JSON Schema", () => {
    const result = rolloutsim("schema");
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout) as { $defs: Record<string, unknown> };
    expect(Object.keys(schema.$defs)).toContain("Scenario");
  });

  it("exits 2 on an unknown option, without a stack trace", () => {
    const result = rolloutsim("run", join(CLI, "tiny.yaml"), "--bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe("rolloutsim run", () => {
  it("exits 2 on bad input and writes nothing to --out", () => {
    const out = join(scratch, "bad-run");
    const result = rolloutsim("run", join(BAD, "negative-replicas.yaml"), "--out", out);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(PROBLEM_LINE);
    expect(result.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  it("exits 0 when the assertions hold, and --out writes the summary, time series and trace", () => {
    const out = join(scratch, "tiny-run");
    const result = rolloutsim("run", join(CLI, "tiny.yaml"), "--json", "--out", out);
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    const written = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Record<string, unknown>;
    expect(written).toEqual(printed);
    expect(Object.keys(written)).toEqual(
      expect.arrayContaining([
        "scenario",
        "seed",
        "traceHash",
        "simulatedMs",
        "events",
        "passed",
        "assertions",
        "invariantViolations",
        "requests",
        "workloads",
      ]),
    );
    expect(written).toMatchObject({ scenario: "tiny", seed: 5, simulatedMs: 60_000, passed: true });
    expect(written).not.toHaveProperty("timeseries");
    expect(readFileSync(join(out, "timeseries.csv"), "utf8").split("\n")[0]).toBe("t_ms,series,metric,value");
    const trace = readFileSync(join(out, "trace.ndjson"), "utf8").trimEnd().split("\n");
    expect(trace.length).toBeGreaterThan(10);
    expect(JSON.parse(trace[0] as string)).toHaveProperty("t");
  });

  it("exits 1 when an assertion fails, and says which", () => {
    const result = rolloutsim("run", join(CLI, "tiny-failing.yaml"));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("FAIL  requests total >= 1");
    expect(result.stdout).toContain("FAILED: 2 of 3 assertions hold");
  });
});

describe("rolloutsim test", () => {
  it("runs every scenario under a folder (skipping included manifests) and writes JUnit XML", () => {
    const junit = join(scratch, "junit.xml");
    const result = rolloutsim("test", CLI, "--junit", junit);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`PASS  ${join(CLI, "tiny.yaml")}`);
    expect(result.stdout).toContain(`FAIL  ${join(CLI, "tiny-failing.yaml")}`);
    expect(result.stdout).not.toContain("service.yaml");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuites name="rolloutsim" tests="5" failures="1" errors="0">');
    expect(xml).toContain('<testcase classname="tiny-failing" name="requests total &gt;= 1"');
  });

  it("exits 2 when a scenario is bad input", () => {
    const result = rolloutsim("test", join(BAD, "negative-replicas.yaml"));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Deployment/demo.spec.replicas: must not be negative");
  });
});

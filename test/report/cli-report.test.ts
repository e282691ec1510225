/**
 * `rolloutsim run --out DIR` as users run it (a child process): the report files next to
 * summary.json, and the same bytes from two separate processes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SCENARIO = join(ROOT, "scenarios", "rolling-update-surge1-unavail0.yaml");
const scratch = mkdtempSync(join(tmpdir(), "rolloutsim-cli-report-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(out: string): number | null {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "rolloutsim.mjs"), "run", SCENARIO, "--out", out], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ROLLOUTSIM_DEBUG: "" },
  });
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`);
  return result.status;
}

describe("rolloutsim run --out", () => {
  it("writes report.html and pods.png next to summary.json, identical across processes", () => {
    const first = join(scratch, "first");
    const second = join(scratch, "second");
    expect(run(first)).toBe(0);
    expect(run(second)).toBe(0);
    for (const file of ["summary.json", "timeseries.csv", "trace.ndjson", "report.html", "pods.png"]) {
      expect(existsSync(join(first, file)), file).toBe(true);
    }
    expect(existsSync(join(first, "requests.png"))).toBe(false);
    const html = readFileSync(join(first, "report.html"), "utf8");
    const summary = JSON.parse(readFileSync(join(first, "summary.json"), "utf8")) as {
      scenario: string;
      traceHash: string;
      assertions: { name: string }[];
    };
    expect(html).toContain(`<title>rolloutsim: ${summary.scenario}</title>`);
    expect(html).toContain(`sha256:${summary.traceHash}`);
    for (const assertion of summary.assertions)
      expect(html).toContain(assertion.name.replace(/>/g, "&gt;").replace(/</g, "&lt;"));
    expect(html).toMatch(/<svg[\s>]/);
    expect(html).not.toMatch(/<script/i);
    const png = readFileSync(join(first, "pods.png"));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(20_000);
    for (const file of ["report.html", "pods.png"]) {
      expect(readFileSync(join(second, file)).equals(readFileSync(join(first, file))), file).toBe(true);
    }
  });
});

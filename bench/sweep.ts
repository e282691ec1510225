/**
 * Sweep scaling: the same 200-seed sweep of a bundled scenario with 1 worker and with 2 workers,
 * each as a fresh `rolloutsim sweep` process (issue target: about twice as fast with 2).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SweepBenchResult {
  workers: number;
  wallMs: number;
  csv: string;
}

export function benchSweep(
  file: string,
  seeds: string,
  workers: number,
  extraArgs: readonly string[] = [],
): SweepBenchResult {
  const out = mkdtempSync(join(tmpdir(), "rolloutsim-sweep-"));
  const start = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      "bin/rolloutsim.mjs",
      "sweep",
      file,
      "--seeds",
      seeds,
      "--workers",
      String(workers),
      "--no-progress",
      "--out",
      out,
      ...extraArgs,
    ],
    { encoding: "utf8" },
  );
  const wallMs = performance.now() - start;
  if (child.status !== 0 && child.status !== 1) throw new Error(`sweep failed (${child.status}): ${child.stderr}`);
  return { workers, wallMs, csv: readFileSync(join(out, "sweep.csv"), "utf8") };
}

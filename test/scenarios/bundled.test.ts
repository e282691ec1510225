/**
 * Every scenario under scenarios/ loads, runs and meets its own assertions; runs are
 * deterministic (same seed, same trace hash) and seeds matter where randomness is involved.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/loader.ts";
import type { Scenario } from "../../src/scenario/model.ts";
import { simulate } from "../../src/simulate.ts";

const SCENARIO_DIR = "scenarios";
const files = readdirSync(SCENARIO_DIR)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

function load(file: string): Scenario {
  const result = loadScenario(join(SCENARIO_DIR, file));
  if (!result.ok)
    throw new Error(result.problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message}`).join("\n"));
  return result.scenario;
}

describe("bundled scenarios", () => {
  it("there are scenarios to run", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)("%s passes its assertions", (file) => {
    const result = simulate(load(file));
    const failed = result.assertions.filter((a) => !a.passed);
    expect(failed).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.assertions.length).toBeGreaterThan(1);
  });

  it.each(files)("%s is deterministic: the same seed gives the same trace hash", (file) => {
    const scenario = load(file);
    const first = simulate(scenario);
    const second = simulate(scenario);
    expect(first.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.traceHash).toBe(first.traceHash);
    expect(second.events).toBe(first.events);
  });
});

describe("seeds", () => {
  it("a different seed changes the trace when start-up times are random", () => {
    const scenario = load("rolling-update-surge1-unavail0.yaml");
    const random: Scenario = {
      ...scenario,
      images: new Map(
        [...scenario.images].map(([name, profile]) => [
          name,
          { ...profile, startup: { kind: "lognormal", medianMs: 5000, sigma: 0.3 } as const },
        ]),
      ),
    };
    const hashes = new Set([1, 2, 3].map((seed) => simulate(random, { seed }).traceHash));
    expect(hashes.size).toBe(3);
    expect(simulate(random, { seed: 2 }).traceHash).toBe(simulate(random, { seed: 2 }).traceHash);
  });
});

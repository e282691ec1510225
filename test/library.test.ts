import { describe, expect, it } from "vitest";
import * as rolloutsim from "../src/index.ts";

describe("library API", () => {
  it("loads, validates and runs a scenario through the public entry point", () => {
    const loaded = rolloutsim.loadScenario("scenarios/rolling-update-surge2-unavail2.yaml");
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const result = rolloutsim.simulate(loaded.scenario, { seed: 3 });
    expect(result.seed).toBe(3);
    expect(result.passed).toBe(true);
    expect(result.workloads["Deployment/demo"]?.maxPods).toBe(6);
    expect(result.timeseries.length).toBeGreaterThan(0);
  });

  it("returns problems instead of throwing for bad input", () => {
    const parsed = rolloutsim.parseScenario(
      "apiVersion: rolloutsim/v1\nkind: Scenario\nmetadata: {name: x}\nspec: {}\n",
      "x.yaml",
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map(rolloutsim.formatProblem).join("\n")).toMatch(/^x\.yaml:\d+:\d+: .*duration/m);
  });

  it("exports Kubernetes' fencepost helper and the arbitraries", () => {
    expect(rolloutsim.resolveFenceposts("25%", "25%", 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(typeof rolloutsim.arbitraries.rolloutScenario).toBe("function");
  });
});

/**
 * The scenario shown in the README is a working scenario: it parses and its assertions hold.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../src/scenario/loader.ts";
import { simulate } from "../src/simulate.ts";

describe("README", () => {
  it("shows a scenario that loads and passes", () => {
    const readme = readFileSync("README.md", "utf8");
    const example = /```yaml\n(apiVersion: rolloutsim\/v1[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const parsed = parseScenario(example as string, "README.md");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const result = simulate(parsed.scenario);
    expect(result.assertions.filter((a) => !a.passed)).toEqual([]);
    expect(result.workloads["Deployment/demo"]?.rolloutCompletedAtMs).not.toBeNull();
  });
});

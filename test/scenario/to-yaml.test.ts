/**
 * scenarioToYaml writes a generated (or shrunk) scenario as a file that loads back to the same run.
 */
import { test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { parseScenario } from "../../src/scenario/loader.ts";
import { scenarioToYaml } from "../../src/scenario/to-yaml.ts";
import { simulate } from "../../src/simulate.ts";
import { rolloutScenario } from "../../src/testing/arbitraries.ts";

describe("scenarioToYaml", () => {
  test.prop([rolloutScenario({ faults: true })], { numRuns: 15, seed: 11 })(
    "round-trips a generated scenario: it loads and replays with the same trace hash",
    (scenario) => {
      const text = scenarioToYaml(scenario);
      const parsed = parseScenario(text, "replay.yaml");
      if (!parsed.ok) throw new Error(`${text}\n${JSON.stringify(parsed.problems, null, 2)}`);
      expect(parsed.scenario.nodes.map((n) => [n.name, n.capacity])).toEqual(
        scenario.nodes.map((n) => [n.name, n.capacity]),
      );
      expect(parsed.scenario.timeline.map((e) => [e.atMs, e.action.type])).toEqual(
        scenario.timeline.map((e) => [e.atMs, e.action.type]),
      );
      expect(simulate(parsed.scenario, { trace: "hash" }).traceHash).toBe(
        simulate(scenario, { trace: "hash" }).traceHash,
      );
    },
  );
});

/**
 * Seed 002's three rolling-update examples (4 replicas): maxSurge 1 / maxUnavailable 0 takes about
 * four pod start-up times, 2 / 2 about one, 0 / 2 about two. Pod counts stay within
 * replicas + maxSurge and availability within replicas − maxUnavailable.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/loader.ts";
import type { Scenario } from "../../src/scenario/model.ts";
import { simulate } from "../../src/simulate.ts";
import { defined } from "../helpers/defined.ts";

function load(file: string): Scenario {
  const result = loadScenario(`scenarios/${file}`);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.scenario;
}

/** How long one pod takes from creation to Ready: measured from the initial rollout at time 0. */
function podStartupMs(scenario: Scenario): number {
  const result = simulate(scenario);
  const workload = defined(result.workloads["Deployment/demo"], "Deployment/demo summary");
  // The first rollout creates all 4 pods at once, so it takes one start-up time (plus the
  // controllers' reaction), and the v2 pods pay the same image pull as the v1 pods did.
  const firstReadyMs = result.timeseries.find(
    (row) => row.series === "Deployment/demo" && row.metric === "available" && row.value === 4,
  )?.tMs;
  expect(firstReadyMs).toBeDefined();
  expect(workload.rolloutCompletedAtMs).not.toBeNull();
  return firstReadyMs as number;
}

const cases = [
  { file: "rolling-update-surge1-unavail0.yaml", surge: 1, unavailable: 0, startups: 4 },
  { file: "rolling-update-surge2-unavail2.yaml", surge: 2, unavailable: 2, startups: 1 },
  { file: "rolling-update-surge0-unavail2.yaml", surge: 0, unavailable: 2, startups: 2 },
];

describe("seed 002 rolling updates", () => {
  it.each(cases)("$file: about $startups start-up time(s), within surge and unavailability", (c) => {
    const scenario = load(c.file);
    const startupMs = podStartupMs(scenario);
    const result = simulate(scenario);
    const workload = defined(result.workloads["Deployment/demo"], "Deployment/demo summary");
    const durationMs = (workload.rolloutCompletedAtMs as number) - (workload.rolloutStartedAtMs as number);
    const startups = durationMs / startupMs;
    expect(startups).toBeGreaterThan(c.startups * 0.75);
    expect(startups).toBeLessThan(c.startups * 1.35);
    expect(workload.maxPods).toBe(4 + c.surge);
    expect(workload.minAvailable).toBe(4 - c.unavailable);
    expect(workload.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
  });

  it("orders the three strategies: 2/2 fastest, then 0/2, then 1/0", () => {
    const took = cases.map((c) => {
      const workload = defined(simulate(load(c.file)).workloads["Deployment/demo"], "Deployment/demo summary");
      return (workload.rolloutCompletedAtMs as number) - (workload.rolloutStartedAtMs as number);
    });
    expect(took[1]).toBeLessThan(took[2] as number);
    expect(took[2]).toBeLessThan(took[0] as number);
  });
});

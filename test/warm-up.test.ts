/**
 * The JIT warm-up (src/warm-up.ts): which scenarios get it, that the warm-up itself is a complete
 * rolling update, and that running it first changes nothing in a result.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../src/scenario/loader.ts";
import type { Scenario } from "../src/scenario/model.ts";
import { hasWarmedUp, simulate } from "../src/simulate.ts";
import { requestedPods, WARM_UP_MIN_PODS, wantsWarmUp, warmUpScenario } from "../src/warm-up.ts";
import { defined } from "./helpers/defined.ts";

function load(file: string): Scenario {
  const result = loadScenario(`scenarios/${file}`);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.scenario;
}

function withReplicas(scenario: Scenario, replicas: number): Scenario {
  return {
    ...scenario,
    objects: scenario.objects.map((entry) =>
      entry.object.kind === "Deployment"
        ? { ...entry, object: { ...entry.object, spec: { ...(entry.object.spec as object), replicas } } }
        : entry,
    ),
  };
}

describe("JIT warm-up", () => {
  it("counts the pods a scenario asks for: replicas summed, or a larger scale action", () => {
    const scenario = load("large-rollout.yaml");
    const deployments = scenario.objects.filter((entry) => entry.object.kind === "Deployment");
    expect(deployments.length).toBe(1);
    const replicas = (defined(deployments[0], "deployment").object.spec as { replicas: number }).replicas;
    expect(requestedPods(scenario)).toBe(replicas);
    const twoWorkloads: Scenario = {
      ...scenario,
      objects: [...scenario.objects, ...deployments],
    };
    expect(requestedPods(twoWorkloads)).toBe(2 * replicas);
    const scaledUp: Scenario = {
      ...scenario,
      timeline: [
        ...scenario.timeline,
        {
          atMs: 1000,
          source: { file: "t", line: 0, column: 0, path: "" },
          action: { type: "scale", target: { kind: "Deployment", namespace: "default", name: "x" }, replicas: 5000 },
        },
      ],
    };
    expect(requestedPods(scaledUp)).toBe(5000);
  });

  it("is wanted from WARM_UP_MIN_PODS pods on in auto mode, always or never otherwise", () => {
    const scenario = load("rolling-update-surge2-unavail2.yaml");
    expect(wantsWarmUp(scenario, "auto")).toBe(false);
    expect(wantsWarmUp(withReplicas(scenario, WARM_UP_MIN_PODS - 1), "auto")).toBe(false);
    expect(wantsWarmUp(withReplicas(scenario, WARM_UP_MIN_PODS), "auto")).toBe(true);
    expect(wantsWarmUp(withReplicas(scenario, WARM_UP_MIN_PODS), "off")).toBe(false);
    expect(wantsWarmUp(scenario, "always")).toBe(true);
  });

  it("is a complete rolling update with readiness probes, a Service and no invariant violations", () => {
    const result = simulate(warmUpScenario(), { warmUp: "off" });
    expect(result.passed).toBe(true);
    const workload = defined(result.workloads["Deployment/warm-up"], "warm-up workload");
    expect(workload.rolloutCompletedAtMs).not.toBeNull();
    expect(workload.status?.updatedReplicas).toBe(20);
    // Pods were replaced (old ones deleted), which is what the warm-up is for.
    expect(workload.maxPods).toBeGreaterThan(20);
    expect(result.invariantViolations).toEqual([]);
  });

  it("runs once per process and changes nothing in a result", () => {
    const scenario = load("chaos-rollout.yaml");
    const without = simulate(scenario, { warmUp: "off" });
    expect(hasWarmedUp()).toBe(false);
    const withWarmUp = simulate(scenario, { warmUp: "always" });
    expect(hasWarmedUp()).toBe(true);
    expect(withWarmUp.traceHash).toBe(without.traceHash);
    expect(withWarmUp).toEqual(without);
  });
});

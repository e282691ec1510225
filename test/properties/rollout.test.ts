/**
 * Rollout invariants over generated clusters, Deployments, strategies and image behaviours
 * (fast-check). A failing case is printed as a scenario file that `rolloutsim run` replays.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { Deployment } from "../../src/api/kinds.ts";
import { resolveFenceposts } from "../../src/controllers/deployment/util.ts";
import type { Scenario } from "../../src/scenario/model.ts";
import { scenarioToYaml } from "../../src/scenario/to-yaml.ts";
import { simulate } from "../../src/simulate.ts";
import { rolloutScenario } from "../../src/testing/arbitraries.ts";
import { defined } from "../helpers/defined.ts";

function deploymentOf(scenario: Scenario): Deployment {
  return defined(scenario.objects[0], "scenario's first object").object as unknown as Deployment;
}

/** The fenceposts Kubernetes holds a RollingUpdate to. */
function bounds(scenario: Scenario): { replicas: number; surge: number; unavailable: number } {
  const spec = defined(deploymentOf(scenario).spec, "Deployment spec");
  const replicas = spec.replicas ?? 1;
  if (spec.strategy?.type === "Recreate") return { replicas, surge: 0, unavailable: replicas };
  const rolling = spec.strategy?.rollingUpdate ?? {};
  const { surge, unavailable } = resolveFenceposts(rolling.maxSurge, rolling.maxUnavailable, replicas);
  return { replicas, surge, unavailable: Math.min(unavailable, replicas) };
}

const replay = (scenario: Scenario): string => `replay with this scenario:\n${scenarioToYaml(scenario)}`;

describe("rollout invariants", () => {
  test.prop([rolloutScenario()], { numRuns: 40, seed: 4242 })(
    "never more than replicas + maxSurge pods, never fewer than replicas - maxUnavailable available",
    (scenario) => {
      const result = simulate(scenario, { trace: "off" });
      const workload = defined(result.workloads["Deployment/app"], "Deployment/app summary");
      const { replicas, surge, unavailable } = bounds(scenario);
      expect(workload.maxPods, replay(scenario)).toBeLessThanOrEqual(replicas + surge);
      if (workload.minAvailable !== null) {
        expect(workload.minAvailable, replay(scenario)).toBeGreaterThanOrEqual(replicas - unavailable);
      }
      expect(result.invariantViolations, replay(scenario)).toEqual([]);
    },
  );

  test.prop([rolloutScenario({ v2AlwaysReady: true })], { numRuns: 30, seed: 7 })(
    "a release that becomes ready completes when the cluster has room for it",
    (scenario) => {
      const spec = defined(deploymentOf(scenario).spec, "Deployment spec");
      const cpuMilli = Number.parseInt(
        String(defined(spec.template.spec?.containers[0]?.resources?.requests?.cpu, "container CPU request")),
        10,
      );
      const { replicas, surge } = bounds(scenario);
      // Room for the surge on every node count: total requests fit in the smallest half of the cluster.
      const clusterMilli = scenario.nodes.reduce((sum, node) => sum + node.capacity.cpuMilli, 0);
      const podsRoom = scenario.nodes.reduce((sum, node) => sum + node.capacity.pods, 0);
      fc.pre((replicas + surge) * cpuMilli * 2 <= clusterMilli && (replicas + surge) * 2 <= podsRoom);
      const result = simulate(scenario, { trace: "off" });
      const workload = defined(result.workloads["Deployment/app"], "Deployment/app summary");
      expect(workload.rolloutCompletedAtMs, replay(scenario)).not.toBeNull();
      expect(workload.status, replay(scenario)).toMatchObject({
        replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
      });
    },
  );

  test.prop([rolloutScenario({ faults: true })], { numRuns: 30, seed: 99 })(
    "with node crashes and controller outages the run finishes with no invariant violation, deterministically",
    (scenario) => {
      const first = simulate(scenario);
      expect(first.stopReason, replay(scenario)).toBe("until");
      expect(first.invariantViolations, replay(scenario)).toEqual([]);
      expect(simulate(scenario).traceHash, replay(scenario)).toBe(first.traceHash);
    },
  );
});

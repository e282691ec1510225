/**
 * rolloutsim's library API (interfaces.md §5): load and validate scenarios, run them, and generate
 * scenarios for property tests. Everything here is synchronous and deterministic.
 */

// Kubernetes' deployment helpers, under Kubernetes' names.
export {
  getProportion,
  isSaturated,
  maxSurge,
  maxUnavailable,
  minAvailable,
  newRSNewReplicas,
  resolveFenceposts,
} from "./controllers/deployment/util.ts";
export type { InvariantViolation } from "./report/invariants.ts";
export type { AssertionResult, RequestCounts, Summary } from "./report/summary.ts";
export type { TimeseriesRow } from "./report/timeseries.ts";
export type { WorkloadSummary } from "./report/workloads.ts";
// Scenarios: load, validate, write back.
export { type LoadResult, loadScenario, parseScenario } from "./scenario/loader.ts";
export {
  type Action,
  type Assertion,
  type FaultSpec,
  formatProblem,
  formatRef,
  type ObjectRef,
  type Problem,
  type Scenario,
  ScenarioError,
  type TimelineEntry,
  type TrafficSpec,
} from "./scenario/model.ts";
export { type ScenarioDocumentInput, scenarioJsonSchema } from "./scenario/schema.ts";
export { scenarioToYaml } from "./scenario/to-yaml.ts";
// Running.
export { type SimulateOptions, type SimulationResult, simulate } from "./simulate.ts";
export { WARM_UP_MIN_PODS, type WarmUpMode } from "./warm-up.ts";
// Property-test arbitraries (fast-check).
export * as arbitraries from "./testing/arbitraries.ts";

// Building blocks for custom simulations.
export { DEFAULT_IMAGE_PROFILE, DEFAULT_TIMING, type ImageProfile, type TimingConfig } from "./world/config.ts";
export { type Component, World } from "./world/world.ts";

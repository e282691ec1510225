/**
 * The kube-scheduler's default plugins, as pure functions over a node's running totals
 * (pkg/scheduler/framework/plugins/...; default weights from apis/config/v1/default_plugins.go):
 *
 * Filters, in plugin order (the first failing plugin gives the node's reasons):
 *   NodeUnschedulable, TaintToleration, NodeAffinity (nodeSelector + required affinity),
 *   NodeResourcesFit (pods count, cpu, memory).
 * Scores (0..100 each, then weighted): NodeResourcesFit LeastAllocated ×1,
 *   NodeResourcesBalancedAllocation ×1, PodTopologySpread ×2 (the system default constraints:
 *   hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway), NodeAffinity preferred terms ×2,
 *   TaintToleration PreferNoSchedule ×3.
 *
 * Left out: ImageLocality (nodes do not report images), InterPodAffinity, NodePorts, volumes,
 * preemption, pod priority. Spreading counts pods by their controller owner's uid, which for
 * ReplicaSet-owned pods equals the default selector (service ∧ ReplicaSet selectors).
 */
import type {
  Container,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from "kubernetes-types/core/v1.js";
import { parseCpuMilli, parseMemoryBytes } from "../api/quantity.ts";
import {
  findUntoleratedTaint,
  TAINT_UNSCHEDULABLE,
  tolerationsTolerateTaint,
  withDefaultTolerations,
} from "./taints.ts";

/** Requests a pod without them is scored as having (pkg/scheduler/util/pod_resources.go). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
export const MAX_NODE_SCORE = 100;

export interface PodRequests {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  /** With the scoring defaults for containers that request nothing. */
  readonly nonZeroCpuMilli: number;
  readonly nonZeroMemoryBytes: number;
}

/** A container's request for a resource; limits stand in (API defaulting copies them). */
function containerRequest(container: Container, resource: "cpu" | "memory"): number | undefined {
  const value = container.resources?.requests?.[resource] ?? container.resources?.limits?.[resource];
  if (value === undefined) return undefined;
  const parsed = resource === "cpu" ? parseCpuMilli(String(value)) : parseMemoryBytes(String(value));
  return parsed ?? 0;
}

/** Sum over containers, then the max with each init container (computePodResourceRequest). */
export function podRequests(spec: PodSpec | undefined): PodRequests {
  let cpu = 0;
  let memory = 0;
  let nonZeroCpu = 0;
  let nonZeroMemory = 0;
  for (const container of spec?.containers ?? []) {
    const c = containerRequest(container, "cpu");
    const m = containerRequest(container, "memory");
    cpu += c ?? 0;
    memory += m ?? 0;
    nonZeroCpu += c ?? DEFAULT_MILLI_CPU_REQUEST;
    nonZeroMemory += m ?? DEFAULT_MEMORY_REQUEST;
  }
  for (const container of spec?.initContainers ?? []) {
    const c = containerRequest(container, "cpu");
    const m = containerRequest(container, "memory");
    cpu = Math.max(cpu, c ?? 0);
    memory = Math.max(memory, m ?? 0);
    nonZeroCpu = Math.max(nonZeroCpu, c ?? DEFAULT_MILLI_CPU_REQUEST);
    nonZeroMemory = Math.max(nonZeroMemory, m ?? DEFAULT_MEMORY_REQUEST);
  }
  return { cpuMilli: cpu, memoryBytes: memory, nonZeroCpuMilli: nonZeroCpu, nonZeroMemoryBytes: nonZeroMemory };
}

const INTEGER = /^[+-]?\d+$/;

/** One label requirement of a node selector term (component-helpers nodeaffinity). */
export function nodeSelectorRequirementMatches(
  requirement: NodeSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const bound = values[0];
      if (value === undefined || values.length !== 1 || bound === undefined) return false;
      if (!INTEGER.test(value) || !INTEGER.test(bound)) return false;
      return requirement.operator === "Gt" ? Number(value) > Number(bound) : Number(value) < Number(bound);
    }
    default:
      return false;
  }
}

/** A term matches if all its expressions and fields do; an empty term matches nothing. */
export function nodeSelectorTermMatches(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const requirement of expressions) if (!nodeSelectorRequirementMatches(requirement, labels)) return false;
  for (const field of fields) {
    if (field.key !== "metadata.name") return false;
    if (!nodeSelectorRequirementMatches({ ...field, key: "name" }, { name: nodeName })) return false;
  }
  return true;
}

/** nodeSelector (every label equal) and required node affinity (terms ORed). */
export function podMatchesNodeAffinity(
  spec: PodSpec | undefined,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  const selector = spec?.nodeSelector;
  if (selector !== undefined) {
    for (const key in selector) if (labels[key] !== selector[key]) return false;
  }
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return required.nodeSelectorTerms.some((term) => nodeSelectorTermMatches(term, labels, nodeName));
}

/** Sum of the weights of the preferred node affinity terms the node matches. */
export function preferredAffinityWeight(
  spec: PodSpec | undefined,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): number {
  let total = 0;
  for (const term of spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (term.weight !== 0 && nodeSelectorTermMatches(term.preference, labels, nodeName)) total += term.weight;
  }
  return total;
}

/** A node's labels and taints: what the non-resource filters look at. */
export interface NodeMeta {
  readonly name: string;
  labels: Readonly<Record<string, string>>;
  /** NoSchedule and NoExecute taints (including those implied by a not-Ready condition). */
  taints: readonly Taint[];
  preferNoScheduleTaints: readonly Taint[];
  unschedulable: boolean;
}

/** A node's meta plus its running totals (what filterNode needs). */
export interface NodeTotals extends NodeMeta {
  allocatableCpuMilli: number;
  allocatableMemoryBytes: number;
  allocatablePods: number;
  requestedCpuMilli: number;
  requestedMemoryBytes: number;
  nonZeroCpuMilli: number;
  nonZeroMemoryBytes: number;
  pods: number;
}

/** What the filters need to know about the pod being scheduled. */
export interface PodToPlace {
  readonly spec: PodSpec | undefined;
  readonly requests: PodRequests;
  readonly tolerations: readonly Toleration[];
  /** The pod has a nodeSelector or required node affinity (the NodeAffinity filter can fail). */
  readonly constrained: boolean;
}

export function podToPlace(spec: PodSpec | undefined, defaultTolerationSeconds: number): PodToPlace {
  return {
    spec,
    requests: podRequests(spec),
    tolerations: withDefaultTolerations(spec?.tolerations, defaultTolerationSeconds),
    constrained:
      spec?.nodeSelector !== undefined ||
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined,
  };
}

export const REASON_UNSCHEDULABLE = "node(s) were unschedulable";
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_TOO_MANY_PODS = "Too many pods";
export const REASON_INSUFFICIENT_CPU = "Insufficient cpu";
export const REASON_INSUFFICIENT_MEMORY = "Insufficient memory";

const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" };
const NO_SCHEDULE_OR_EXECUTE = (taint: Taint): boolean => taint.effect === "NoSchedule" || taint.effect === "NoExecute";

/** NodeUnschedulable, TaintToleration and NodeAffinity filters: the failing reason, or null. */
export function nodePredicateFailure(node: NodeMeta, pod: PodToPlace): string | null {
  if (node.unschedulable && !tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT))
    return REASON_UNSCHEDULABLE;
  if (node.taints.length > 0) {
    const taint = findUntoleratedTaint(node.taints, pod.tolerations, NO_SCHEDULE_OR_EXECUTE);
    if (taint !== undefined) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
  }
  if (pod.constrained && !podMatchesNodeAffinity(pod.spec, node.labels, node.name)) return REASON_AFFINITY;
  return null;
}

/** NodeResourcesFit's Filter (fit.go fitsRequest): every insufficient resource is a reason; null if it fits. */
export function resourceFitFailure(
  freePods: number,
  freeCpuMilli: number,
  freeMemoryBytes: number,
  requests: PodRequests,
): string[] | null {
  const reasons: string[] = [];
  if (freePods < 1) reasons.push(REASON_TOO_MANY_PODS);
  if (requests.cpuMilli > 0 && requests.cpuMilli > freeCpuMilli) reasons.push(REASON_INSUFFICIENT_CPU);
  if (requests.memoryBytes > 0 && requests.memoryBytes > freeMemoryBytes) reasons.push(REASON_INSUFFICIENT_MEMORY);
  return reasons.length === 0 ? null : reasons;
}

/**
 * Runs the filters, in plugin order, on one node: null if the pod fits, else the failing plugin's
 * reasons. `extra` is room already promised to other pods (used when waking unschedulable pods).
 */
export function filterNode(
  node: NodeTotals,
  pod: PodToPlace,
  extra: { cpuMilli: number; memoryBytes: number; pods: number } = NO_EXTRA,
): readonly string[] | null {
  const failure = nodePredicateFailure(node, pod);
  if (failure !== null) return [failure];
  return resourceFitFailure(
    node.allocatablePods - node.pods - extra.pods,
    node.allocatableCpuMilli - node.requestedCpuMilli - extra.cpuMilli,
    node.allocatableMemoryBytes - node.requestedMemoryBytes - extra.memoryBytes,
    pod.requests,
  );
}

const NO_EXTRA = { cpuMilli: 0, memoryBytes: 0, pods: 0 };

/** leastRequestedScore: (capacity - requested) * 100 / capacity, integer; 0 when over capacity. */
export function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** NodeResourcesFit score, LeastAllocated over cpu and memory (weights 1, 1), with non-zero requests incl. the pod. */
export function leastAllocatedScore(
  cpuRequested: number,
  cpuAllocatable: number,
  memoryRequested: number,
  memoryAllocatable: number,
): number {
  // × 0.5 is exactly / 2; it keeps V8 from speculating an integer quotient (a deopt at the first odd sum).
  return Math.floor(
    (leastRequested(cpuRequested, cpuAllocatable) + leastRequested(memoryRequested, memoryAllocatable)) * 0.5,
  );
}

/** NodeResourcesBalancedAllocation: (1 - std of the cpu/memory fractions) * 100, with actual requests incl. the pod. */
export function balancedAllocationScore(
  cpuRequested: number,
  cpuAllocatable: number,
  memoryRequested: number,
  memoryAllocatable: number,
): number {
  if (cpuAllocatable === 0 || memoryAllocatable === 0) return MAX_NODE_SCORE;
  const cpu = cpuRequested >= cpuAllocatable ? 1 : cpuRequested / cpuAllocatable;
  const memory = memoryRequested >= memoryAllocatable ? 1 : memoryRequested / memoryAllocatable;
  return Math.trunc((1 - Math.abs(cpu - memory) / 2) * MAX_NODE_SCORE);
}

/** Number of PreferNoSchedule taints the pod does not tolerate (tolerations with that or no effect). */
export function intolerablePreferNoSchedule(node: NodeMeta, tolerations: readonly Toleration[]): number {
  let count = 0;
  for (const taint of node.preferNoScheduleTaints) {
    const tolerated = tolerations.some(
      (toleration) =>
        (toleration.effect === undefined || toleration.effect === "" || toleration.effect === "PreferNoSchedule") &&
        tolerationsTolerateTaint([toleration], taint),
    );
    if (!tolerated) count++;
  }
  return count;
}

/** helper.DefaultNormalizeScore: scale to 0..100 by the maximum; `reverse` flips. Mutates `scores`. */
export function defaultNormalizeScore(scores: Float64Array, length: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  if (max === 0) {
    if (reverse) for (let i = 0; i < length; i++) scores[i] = MAX_NODE_SCORE;
    return;
  }
  for (let i = 0; i < length; i++) {
    const scaled = Math.trunc((MAX_NODE_SCORE * (scores[i] as number)) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - scaled : scaled;
  }
}

/** PodTopologySpread's scoreForCount: count · weight + (maxSkew − 1). */
export function spreadScoreForCount(count: number, maxSkew: number, weight: number): number {
  return count * weight + (maxSkew - 1);
}

/** topologyNormalizingWeight: log(domains + 2). */
export function topologyNormalizingWeight(domains: number): number {
  return Math.log(domains + 2);
}

/** PodTopologySpread's NormalizeScore for one node: MaxNodeScore · (max + min − raw) / max, integer; 100 when max is 0. */
export function normalizeSpreadScore(raw: number, min: number, max: number): number {
  return max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - raw)) / max);
}

/** numFeasibleNodesToFind with the adaptive percentageOfNodesToScore (schedule_one.go). */
export function numFeasibleNodesToFind(allNodes: number): number {
  const minFeasibleNodesToFind = 100;
  if (allNodes < minFeasibleNodesToFind) return allNodes;
  let percentage = 50 - Math.trunc(allNodes / 125);
  if (percentage < 5) percentage = 5;
  const count = Math.trunc((allNodes * percentage) / 100);
  return count < minFeasibleNodesToFind ? minFeasibleNodesToFind : count;
}

/**
 * FitError.Error(): "0/N nodes are available: " then "count reason" pairs sorted as strings,
 * joined by ", ", and a final ".".
 */
export function unschedulableMessage(allNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (allNodes === 0) return "no nodes available to schedule pods";
  const parts = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return parts.length === 0
    ? `0/${allNodes} nodes are available.`
    : `0/${allNodes} nodes are available: ${parts.join(", ")}.`;
}

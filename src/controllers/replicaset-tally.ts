/**
 * Running counts of the pods a ReplicaSet (or ReplicationController) owns, kept up to date from
 * the pod watch events, so that a sync costs O(1) instead of a pass over every pod
 * (calculateStatus and claimPods in Kubernetes walk the whole list each time; at 10,000 pods and
 * thousands of syncs that pass dominated a rollout).
 *
 * A tally covers the pods in the cache whose controller reference names one owner uid, and
 * counts them exactly as a full pass would: active pods whose labels match the selector are
 * "claimed"; of those, the ones whose labels also match the template's are fully labeled, the
 * ready ones are ready, and the ready times are kept sorted to count the available ones at any
 * instant. Active owned pods that no longer match are kept aside for release. The claimed pods
 * themselves are kept too, with their number per node and (once a sync ranked them) their
 * deletion facts, for the syncs that choose which to delete. Counts depend on the selector and
 * template labels they were made with (the basis); a tally whose basis changed is rebuilt.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import type { Pod } from "../api/kinds.ts";
import { isPodActive, podCondition } from "../api/pod.ts";
import { matchesSelector } from "../api/selector.ts";
import { type DeletionCandidate, type PodDeletionFacts, timestampMs } from "./controller-utils.ts";

export type Labels = Readonly<Record<string, string>> | undefined;

/** Replicas, fully labeled, ready and available counts (the numbers of a ReplicaSet status). */
export interface PodCounts {
  replicas: number;
  fullyLabeled: number;
  ready: number;
  available: number;
}

/** A ready pod without lastTransitionTime is never available when minReadySeconds > 0. */
const NEVER = Number.POSITIVE_INFINITY;

/** A claimed pod as a deletion candidate: its facts are computed by the first sync that ranks it. */
class ClaimedPod implements DeletionCandidate {
  facts: PodDeletionFacts | undefined = undefined;

  constructor(readonly pod: Pod) {}
}

export class ReplicaSetPodTally {
  /**
   * The claimed pods (owned, active, matching), by uid (one pod per name at a time, so the same
   * entries and order as by "namespace/name", without building a key per event). An entry is
   * replaced whenever its pod changes, so its facts always describe its pod.
   */
  readonly claimed = new Map<string, DeletionCandidate>();
  fullyLabeled = 0;
  ready = 0;
  /** Owned, active pods whose labels no longer match the selector, by uid. */
  readonly unmatched = new Map<string, Pod>();
  /**
   * Ready-since times (virtual ms) of the claimed ready pods, ascending; only kept once a count
   * with minReadySeconds > 0 asked for it (without it, available = ready and no times are needed).
   */
  private readySinceMs: number[] | undefined = undefined;
  /** Claimed pods per node name ("" for unscheduled): the ranks of getPodsToDelete. */
  private readonly perNode = new Map<string, number>();
  /** The last labels matched against the selector, and the answer (pods of a template share one labels object). */
  private lastLabels: Labels | null = null;
  private lastLabelsMatch = false;

  /**
   * @param selectorSource the object's spec.selector as stored (its identity marks the basis)
   * @param selector the label selector it stands for
   * @param templateLabels spec.template.metadata.labels as stored
   */
  constructor(
    readonly selectorSource: unknown,
    readonly selector: LabelSelector | undefined,
    readonly templateLabels: Labels,
  ) {}

  /** True if this tally was made with these (same objects, as immer keeps unchanged parts). */
  hasBasis(selectorSource: unknown, templateLabels: Labels): boolean {
    return this.selectorSource === selectorSource && this.templateLabels === templateLabels;
  }

  add(pod: Pod): void {
    this.apply(pod, 1);
  }

  remove(pod: Pod): void {
    this.apply(pod, -1);
  }

  /**
   * remove(previous) then add(pod), for a new version of the same pod. Most updates (binding,
   * status, readiness) keep the labels object, so the pod stays claimed or unmatched and stays
   * (or not) fully labeled; only its entry, node and readiness are moved. The entry still moves to
   * the end, as remove + add would move it.
   */
  replace(previous: Pod, pod: Pod): void {
    if (!sameClaimBasis(previous, pod)) {
      this.remove(previous);
      this.add(pod);
      return;
    }
    const uid = pod.metadata.uid;
    if (!this.matches(pod.metadata.labels)) {
      this.unmatched.delete(uid);
      this.unmatched.set(uid, pod);
      return;
    }
    this.claimed.delete(uid);
    this.claimed.set(uid, new ClaimedPod(pod));
    const previousNode = previous.spec?.nodeName ?? "";
    const node = pod.spec?.nodeName ?? "";
    if (node !== previousNode) {
      this.countOnNode(previousNode, -1);
      this.countOnNode(node, 1);
    }
    // The same conditions list: the same readiness (most updates change the containers' states).
    if (previous.status?.conditions === pod.status?.conditions) return;
    const previousReadySince = readySinceMs(previous);
    const readySince = readySinceMs(pod);
    if (readySince === previousReadySince) return;
    this.countReadiness(previousReadySince, -1);
    this.countReadiness(readySince, 1);
  }

  /** Claimed pods on `nodeName` ("" for unscheduled ones). */
  podsOnNode(nodeName: string): number {
    return this.perNode.get(nodeName) ?? 0;
  }

  /** The counts at `nowMs`: available = ready since strictly before now − minReady (IsPodAvailable). */
  counts(minReadyMs: number, nowMs: number): PodCounts {
    const available = minReadyMs <= 0 ? this.ready : countBelow(this.readyTimes(), nowMs - minReadyMs);
    return { replicas: this.claimed.size, fullyLabeled: this.fullyLabeled, ready: this.ready, available };
  }

  /** The sorted ready-since times, built from the claimed pods the first time they are needed. */
  private readyTimes(): number[] {
    if (this.readySinceMs === undefined) {
      const times: number[] = [];
      for (const { pod } of this.claimed.values()) {
        const readySince = readySinceMs(pod);
        if (readySince !== undefined) times.push(readySince);
      }
      this.readySinceMs = times.sort((a, b) => a - b);
    }
    return this.readySinceMs;
  }

  private matches(labels: Labels): boolean {
    if (labels !== this.lastLabels) {
      this.lastLabels = labels;
      this.lastLabelsMatch = matchesSelector(this.selector, labels);
    }
    return this.lastLabelsMatch;
  }

  private apply(pod: Pod, sign: 1 | -1): void {
    if (!isPodActive(pod)) return;
    const key = pod.metadata.uid;
    if (!this.matches(pod.metadata.labels)) {
      if (sign > 0) this.unmatched.set(key, pod);
      else this.unmatched.delete(key);
      return;
    }
    if (sign > 0) this.claimed.set(key, new ClaimedPod(pod));
    else this.claimed.delete(key);
    this.countOnNode(pod.spec?.nodeName ?? "", sign);
    if (hasTemplateLabels(pod.metadata.labels, this.templateLabels)) this.fullyLabeled += sign;
    this.countReadiness(readySinceMs(pod), sign);
  }

  /** Counts a claimed pod on `node` in or out. */
  private countOnNode(node: string, sign: 1 | -1): void {
    const onNode = (this.perNode.get(node) ?? 0) + sign;
    if (onNode === 0) this.perNode.delete(node);
    else this.perNode.set(node, onNode);
  }

  /** Counts a claimed pod's readiness in or out (`readySince` undefined: not ready). */
  private countReadiness(readySince: number | undefined, sign: 1 | -1): void {
    if (readySince === undefined) return;
    this.ready += sign;
    const times = this.readySinceMs;
    if (times === undefined) return;
    if (sign > 0) insertSorted(times, readySince);
    else removeSorted(times, readySince);
  }
}

/**
 * Two versions of a pod that the tally files alike apart from node and readiness: same uid, both
 * active, and the same labels object (so the same selector and template match).
 */
function sameClaimBasis(previous: Pod, pod: Pod): boolean {
  return (
    previous.metadata.uid === pod.metadata.uid &&
    previous.metadata.labels === pod.metadata.labels &&
    isPodActive(previous) &&
    isPodActive(pod)
  );
}

/** The pod's Ready=True lastTransitionTime in virtual ms, NEVER if unset; undefined if not ready. */
function readySinceMs(pod: Pod): number | undefined {
  const ready = podCondition(pod, "Ready");
  if (ready?.status !== "True") return undefined;
  return ready.lastTransitionTime === undefined ? NEVER : timestampMs(ready.lastTransitionTime);
}

/** The template's labels (a map selector) match the pod's; no template labels match everything. */
export function hasTemplateLabels(podLabels: Labels, templateLabels: Labels): boolean {
  if (podLabels === templateLabels || templateLabels === undefined) return true;
  for (const key in templateLabels) if (podLabels?.[key] !== templateLabels[key]) return false;
  return true;
}

/**
 * The counts over an explicit list of pods, as calculateStatus computes them, assuming they are
 * claimed: replicas, fully labeled, ready, and available at `nowMs` (strictly after
 * lastTransitionTime + minReady).
 */
export function countPods(pods: readonly Pod[], templateLabels: Labels, minReadyMs: number, nowMs: number): PodCounts {
  const counts: PodCounts = { replicas: pods.length, fullyLabeled: 0, ready: 0, available: 0 };
  for (const pod of pods) {
    if (hasTemplateLabels(pod.metadata.labels, templateLabels)) counts.fullyLabeled++;
    const readySince = readySinceMs(pod);
    if (readySince === undefined) continue;
    counts.ready++;
    if (minReadyMs <= 0 || readySince + minReadyMs < nowMs) counts.available++;
  }
  return counts;
}

/** Index of the first element >= value (lower bound). */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function countBelow(sorted: readonly number[], limit: number): number {
  return lowerBound(sorted, limit);
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}

function removeSorted(sorted: number[], value: number): void {
  const index = lowerBound(sorted, value);
  if (sorted[index] !== value) throw new Error(`tally: ready time ${value} was never counted`);
  sorted.splice(index, 1);
}

/**
 * Taints and tolerations, shared by the scheduler's TaintToleration filter and the node lifecycle
 * controller's taint manager (staging/src/k8s.io/api/core/v1/toleration.go ToleratesTaint,
 * pkg/apis/core/v1/helper/helpers.go, plugin/pkg/admission/defaulttolerationseconds/admission.go).
 */
import type { Taint, Toleration } from "kubernetes-types/core/v1.js";

export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/**
 * Toleration.ToleratesTaint: an empty effect matches every effect, an empty key (with Exists)
 * every key; operator Exists ignores the value, Equal (or empty) compares it.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== "" && toleration.effect !== taint.effect) return false;
  if (toleration.key !== undefined && toleration.key !== "" && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (tolerations === undefined) return false;
  for (const toleration of tolerations) if (toleratesTaint(toleration, taint)) return true;
  return false;
}

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  if (taints === undefined) return undefined;
  for (const taint of taints) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** GetMatchingTolerations: whether every taint is tolerated, and the first toleration used for each. */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations?.find((toleration) => toleratesTaint(toleration, taint));
    if (match === undefined) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}

/**
 * getMinTolerationTime (taint_manager.go) in ms: the smallest tolerationSeconds among the
 * tolerations used; -1 means tolerated forever (none sets it); a value <= 0 means evict now (0).
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  let min = -1;
  for (const toleration of used) {
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    if (seconds <= 0) return 0;
    if (min < 0 || seconds * 1000 < min) min = seconds * 1000;
  }
  return min;
}

/**
 * The DefaultTolerationSeconds admission plugin: pods that do not already tolerate
 * not-ready/unreachable NoExecute (an empty key or empty effect counts) get `Exists` tolerations
 * for them with tolerationSeconds = `seconds`. Our store has no admission chain, so the scheduler
 * and the taint manager apply it when they read a pod. Returns the input when nothing is added.
 */
export function withDefaultTolerations(
  tolerations: readonly Toleration[] | undefined,
  seconds: number,
): readonly Toleration[] {
  let notReady = false;
  let unreachable = false;
  for (const toleration of tolerations ?? []) {
    const anyKey = toleration.key === undefined || toleration.key === "";
    const noExecute = toleration.effect === undefined || toleration.effect === "" || toleration.effect === "NoExecute";
    if (!noExecute) continue;
    if (anyKey || toleration.key === TAINT_NOT_READY) notReady = true;
    if (anyKey || toleration.key === TAINT_UNREACHABLE) unreachable = true;
  }
  if (notReady && unreachable) return tolerations ?? [];
  const added: Toleration[] = [...(tolerations ?? [])];
  if (!notReady)
    added.push({ key: TAINT_NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
  if (!unreachable)
    added.push({ key: TAINT_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
  return added;
}

export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** True if two taint lists hold the same key/value/effect triples in the same order. */
export function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Taint;
    const y = b[i] as Taint;
    if (x.key !== y.key || x.effect !== y.effect || (x.value ?? "") !== (y.value ?? "")) return false;
  }
  return true;
}

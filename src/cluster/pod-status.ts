/**
 * The kubelet's pod condition generators (pkg/kubelet/status/generate.go; kubernetes-semantics.md
 * §5.4) and the merge of kubelet-owned conditions into a pod's status (status_manager.go: a
 * condition's lastTransitionTime moves only when its status changes; conditions the kubelet does
 * not own, such as readiness gates set by a load balancer controller, are kept as they are).
 * The generators return shared frozen conditions for the common outcomes (they run at every
 * status write), so callers must not modify what they get.
 */
import type { Container, ContainerStatus, PodCondition, PodSpec } from "kubernetes-types/core/v1.js";

export const UNKNOWN_CONTAINER_STATUSES = "UnknownContainerStatuses";
export const POD_COMPLETED = "PodCompleted";
export const POD_FAILED = "PodFailed";
export const CONTAINERS_NOT_READY = "ContainersNotReady";
export const READINESS_GATES_NOT_READY = "ReadinessGatesNotReady";

/** A generated condition, before timestamps. */
export interface GeneratedCondition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason?: string;
  readonly message?: string;
}

/** Go's fmt %s of a []string: "[a b]". */
function goList(names: readonly string[]): string {
  return `[${names.join(" ")}]`;
}

const CONTAINERS_READY: GeneratedCondition = Object.freeze({ type: "ContainersReady", status: "True" });
const POD_READY: GeneratedCondition = Object.freeze({ type: "Ready", status: "True" });
const FAILED_CONTAINERS_READY: GeneratedCondition = Object.freeze({
  type: "ContainersReady",
  status: "False",
  reason: POD_FAILED,
});
const COMPLETED_CONTAINERS_READY: GeneratedCondition = Object.freeze({
  type: "ContainersReady",
  status: "False",
  reason: POD_COMPLETED,
});

/** ContainersReady when exactly one container, this one, is unready: by container name (few), built once. */
const oneUnreadyByName = new Map<string, GeneratedCondition>();
/** The Ready copy of each shared (frozen) ContainersReady condition, built once. */
const readyCopies = new WeakMap<GeneratedCondition, GeneratedCondition>();

function terminalContainersReady(phase: string | undefined): GeneratedCondition {
  return phase === "Failed" ? FAILED_CONTAINERS_READY : COMPLETED_CONTAINERS_READY;
}

function notReady(unknown: readonly string[] | undefined, unready: readonly string[] | undefined): GeneratedCondition {
  const messages: string[] = [];
  if (unknown !== undefined) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready !== undefined) messages.push(`containers with unready status: ${goList(unready)}`);
  return { type: "ContainersReady", status: "False", reason: CONTAINERS_NOT_READY, message: messages.join(", ") };
}

function oneUnready(name: string): GeneratedCondition {
  let condition = oneUnreadyByName.get(name);
  if (condition === undefined) {
    condition = Object.freeze(notReady(undefined, [name]));
    oneUnreadyByName.set(name, condition);
  }
  return condition;
}

/** ContainersReady as the pod's Ready condition (a copy with type Ready). */
function readyCopy(containersReady: GeneratedCondition): GeneratedCondition {
  // Looked up before Object.isFrozen (a call into the runtime): only frozen conditions have a copy.
  let copy = readyCopies.get(containersReady);
  if (copy !== undefined) return copy;
  if (!Object.isFrozen(containersReady)) return { ...containersReady, type: "Ready" };
  copy = Object.freeze({ ...containersReady, type: "Ready" });
  readyCopies.set(containersReady, copy);
  return copy;
}

/** GenerateContainersReadyCondition. `containerStatuses` undefined means the kubelet knows none. */
export function generateContainersReadyCondition(
  spec: PodSpec | undefined,
  containerStatuses: readonly ContainerStatus[] | undefined,
  phase: string | undefined,
): GeneratedCondition {
  if (containerStatuses === undefined) {
    return { type: "ContainersReady", status: "False", reason: UNKNOWN_CONTAINER_STATUSES };
  }
  let unknown: string[] | undefined;
  // The first unready name alone; the list only once there is a second (one is the common case).
  let firstUnready: string | undefined;
  let unready: string[] | undefined;
  const containers = spec?.containers;
  if (containers !== undefined) {
    for (let c = 0; c < containers.length; c++) {
      const container = containers[c] as Container;
      let status: ContainerStatus | undefined;
      for (let i = 0; i < containerStatuses.length; i++) {
        const each = containerStatuses[i] as ContainerStatus;
        if (each.name === container.name) {
          status = each;
          break;
        }
      }
      if (status === undefined) {
        unknown ??= [];
        unknown.push(container.name);
      } else if (!status.ready) {
        if (firstUnready === undefined) firstUnready = container.name;
        else {
          unready ??= [firstUnready];
          unready.push(container.name);
        }
      }
    }
  }
  if (phase === "Succeeded" && unknown === undefined) return terminalContainersReady(phase);
  if (phase === "Failed") return terminalContainersReady(phase);
  if (firstUnready !== undefined) {
    if (unknown === undefined && unready === undefined) return oneUnready(firstUnready);
    return notReady(unknown, unready ?? [firstUnready]);
  }
  if (unknown !== undefined) return notReady(unknown, undefined);
  return CONTAINERS_READY;
}

/**
 * GeneratePodReadyCondition: Ready copies ContainersReady unless that is True; then every
 * readiness gate's condition must be present and True.
 */
export function generatePodReadyCondition(
  spec: PodSpec | undefined,
  conditions: readonly PodCondition[] | undefined,
  containerStatuses: readonly ContainerStatus[] | undefined,
  phase: string | undefined,
  containersReady: GeneratedCondition = generateContainersReadyCondition(spec, containerStatuses, phase),
): GeneratedCondition {
  if (containersReady.status !== "True") return readyCopy(containersReady);
  const gates = spec?.readinessGates;
  if (gates === undefined || gates.length === 0) return POD_READY;
  const messages: string[] = [];
  for (const gate of gates) {
    const condition = conditions?.find((each) => each.type === gate.conditionType);
    if (condition === undefined) {
      messages.push(
        `corresponding condition of pod readiness gate ${JSON.stringify(gate.conditionType)} does not exist.`,
      );
    } else if (condition.status !== "True") {
      messages.push(
        `the status of pod readiness gate ${JSON.stringify(gate.conditionType)} is not "True", but ${condition.status}`,
      );
    }
  }
  if (messages.length > 0) {
    return { type: "Ready", status: "False", reason: READINESS_GATES_NOT_READY, message: messages.join(", ") };
  }
  return POD_READY;
}

/**
 * Merges generated conditions into `existing`: a new type is appended; a status change sets
 * lastTransitionTime to `nowStamp`; a reason or message change keeps it. Returns the new list
 * (the entries it made are frozen; the list is not), or null when nothing would change.
 */
export function mergeConditions(
  existing: readonly PodCondition[] | undefined,
  generated: readonly GeneratedCondition[],
  nowStamp: string,
): PodCondition[] | null {
  let merged: PodCondition[] | null = null;
  for (let g = 0; g < generated.length; g++) {
    const condition = generated[g] as GeneratedCondition;
    const list = merged ?? existing;
    let index = -1;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        if ((list[i] as PodCondition).type === condition.type) {
          index = i;
          break;
        }
      }
    }
    const old = index < 0 ? undefined : (list?.[index] as PodCondition);
    if (
      old !== undefined &&
      old.status === condition.status &&
      old.reason === condition.reason &&
      old.message === condition.message
    ) {
      continue;
    }
    const next = stampedCondition(
      condition,
      old !== undefined && old.status === condition.status ? old.lastTransitionTime : nowStamp,
    );
    merged ??= existing === undefined ? [] : [...existing];
    if (old === undefined) merged.push(next);
    else merged[index] = next;
  }
  return merged;
}

/**
 * The last stamped copy of each shared (frozen) generated condition. Pods that make the same
 * transition within the same second share it, as they share the generated condition: both are
 * frozen, and the copy depends on nothing else.
 */
const lastStampedCopies = new WeakMap<GeneratedCondition, PodCondition>();

/** The generated condition with its lastTransitionTime (frozen; shared while the stamp is the same second). */
function stampedCondition(condition: GeneratedCondition, lastTransitionTime: string | undefined): PodCondition {
  // Looked up before Object.isFrozen (a call into the runtime): only frozen conditions have a copy.
  const last = lastStampedCopies.get(condition);
  if (last !== undefined && last.lastTransitionTime === lastTransitionTime) return last;
  if (last === undefined && !Object.isFrozen(condition)) return newStampedCondition(condition, lastTransitionTime);
  const stamped = newStampedCondition(condition, lastTransitionTime);
  lastStampedCopies.set(condition, stamped);
  return stamped;
}

/**
 * A frozen copy of the condition with its lastTransitionTime: keys type, status, [reason,]
 * [message,] lastTransitionTime, each shape written as one literal (adding keys one by one
 * would grow the object's property storage).
 */
function newStampedCondition(condition: GeneratedCondition, lastTransitionTime: string | undefined): PodCondition {
  const { type, status, reason, message } = condition;
  let stamped: PodCondition;
  if (reason === undefined) {
    stamped =
      message === undefined ? { type, status, lastTransitionTime } : { type, status, message, lastTransitionTime };
  } else {
    stamped =
      message === undefined
        ? { type, status, reason, lastTransitionTime }
        : { type, status, reason, message, lastTransitionTime };
  }
  return Object.freeze(stamped);
}

/** Structural equality of JSON values (objects, arrays, primitives). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], other[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  // for-in rather than Object.keys: no key arrays (JSON objects have no inherited keys).
  let count = 0;
  for (const key in left) {
    if (!jsonEqual(left[key], right[key])) return false;
    count++;
  }
  return count === keyCount(right);
}

/** Object.keys(object).length for a JSON object, without building the key array. */
export function keyCount(object: object): number {
  let count = 0;
  for (const _ in object) count++;
  return count;
}

/**
 * What the kubelets tell the data plane about the processes behind pods. The store shows what the
 * API knows (conditions, phases); this shows what is actually running on a node at this instant,
 * which is what decides whether a request sent to a pod IP is served, refused or reset.
 */
import type { Pod } from "../api/kinds.ts";

/** A pod's application process, as the node sees it. */
export type ProcessState =
  /** No process (not started yet, or node down). Connections are refused. */
  | "absent"
  /** The process runs and accepts connections, maybe not ready yet. */
  | "running"
  /** SIGTERM was delivered: the process finishes in-flight requests, refuses new ones. */
  | "draining"
  /** The process exited or was killed. Connections are refused; in-flight ones were reset. */
  | "stopped";

export interface PodRuntimeListener {
  /** Called on every transition, synchronously, at the virtual time it happens. */
  onProcessState(pod: Pod, state: ProcessState, nowMs: number): void;
}

/** Implemented by the kubelets component (name "kubelet"). */
export interface PodRuntime {
  /** The current process state of the pod with this uid ("absent" if unknown). */
  processState(podUid: string): ProcessState;
  addListener(listener: PodRuntimeListener): void;
}

export const KUBELET_COMPONENT = "kubelet";

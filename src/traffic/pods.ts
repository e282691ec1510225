/**
 * What traffic needs to know about the pods requests are sent to: the process state the kubelet
 * reports (running / draining / stopped / absent, src/cluster/runtime.ts), the image that serves
 * (its error rate and service time) and the pod's datacenter. One record per pod uid, kept up to
 * date from the kubelet's transitions and the store's pod updates (an in-place upgrade changes the
 * image of the same pod).
 */
import type { Pod } from "../api/kinds.ts";
import { KUBELET_COMPONENT, type PodRuntime, type ProcessState } from "../cluster/runtime.ts";
import type { Backend } from "../network/dataplane.ts";
import { type Distribution, meanMs } from "../sim/random.ts";
import type { Component, World } from "../world/world.ts";

export interface PodInfo {
  readonly uid: string;
  image: string | undefined;
  datacenter: string | undefined;
  errorRate: number;
  serviceTime: Distribution;
  meanServiceMs: number;
  state: ProcessState;
  /** The last stretch of time the process was running: [runningFromMs, runningUntilMs). */
  runningFromMs: number;
  runningUntilMs: number;
  /** Exact mode: the requests this pod is serving. */
  inFlight: Set<unknown> | null;
}

/** Called before a pod's record changes (state or image), and after its state changed. */
export interface PodDirectoryListener {
  beforePodChange(info: PodInfo): void;
  afterStateChange(info: PodInfo, previous: ProcessState): void;
}

/** The kubelet component, which must implement PodRuntime. */
export function podRuntimeOf(world: World): PodRuntime {
  const runtime = world.component<Component & Partial<PodRuntime>>(KUBELET_COMPONENT);
  if (runtime?.processState === undefined || runtime.addListener === undefined) {
    throw new Error(`traffic needs the "${KUBELET_COMPONENT}" component (PodRuntime) to know which pods serve`);
  }
  return runtime as PodRuntime;
}

/** The image of the pod's first container, as running (status) or else as specified. */
export function servingImage(pod: Pod): string | undefined {
  const container = pod.spec?.containers?.[0];
  if (container === undefined) return undefined;
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === container.name);
  return status?.image ?? container.image;
}

export class PodDirectory {
  private readonly infos = new Map<string, PodInfo>();
  private readonly datacenterByNode = new Map<string, string>();
  private readonly listeners: PodDirectoryListener[] = [];
  private runtime: PodRuntime | null = null;

  constructor(private readonly world: World) {
    for (const node of world.config.nodes) this.datacenterByNode.set(node.name, node.datacenter);
  }

  start(): void {
    this.runtime = podRuntimeOf(this.world);
    this.runtime.addListener({ onProcessState: (pod, state) => this.onProcessState(pod, state) });
    this.world.store.watch((type, object) => {
      if (type === "MODIFIED" && object.kind === "Pod") this.onPodUpdate(object as Pod);
    });
  }

  addListener(listener: PodDirectoryListener): void {
    this.listeners.push(listener);
  }

  /** The record of the pod behind a backend, made on first use. */
  info(backend: Backend): PodInfo {
    const existing = this.infos.get(backend.podUid);
    if (existing !== undefined) return existing;
    const pod = this.world.store.get<Pod>("Pod", backend.namespace, backend.podName);
    return this.create(
      backend.podUid,
      pod !== undefined && pod.metadata.uid === backend.podUid ? pod : undefined,
      backend.nodeName,
    );
  }

  private create(uid: string, pod: Pod | undefined, nodeName: string | undefined): PodInfo {
    const state = (this.runtime as PodRuntime).processState(uid);
    const info: PodInfo = {
      uid,
      image: undefined,
      datacenter: this.datacenterByNode.get(pod?.spec?.nodeName ?? nodeName ?? ""),
      errorRate: 0,
      serviceTime: { kind: "constant", valueMs: 0 },
      meanServiceMs: 0,
      state,
      runningFromMs: state === "running" ? Number.NEGATIVE_INFINITY : 0,
      runningUntilMs: state === "running" ? Number.POSITIVE_INFINITY : 0,
      inFlight: null,
    };
    this.setImage(info, pod === undefined ? undefined : servingImage(pod));
    this.infos.set(uid, info);
    return info;
  }

  private setImage(info: PodInfo, image: string | undefined): void {
    const profile = this.world.image(image ?? "");
    info.image = image;
    info.errorRate = profile.errorRate;
    info.serviceTime = profile.serviceTime;
    info.meanServiceMs = meanMs(profile.serviceTime);
  }

  private onProcessState(pod: Pod, state: ProcessState): void {
    const info = this.infos.get(pod.metadata.uid) ?? this.create(pod.metadata.uid, pod, undefined);
    if (info.state === state) return;
    for (const listener of this.listeners) listener.beforePodChange(info);
    const previous = info.state;
    const nowMs = this.world.nowMs;
    info.state = state;
    if (state === "running") {
      info.runningFromMs = nowMs;
      info.runningUntilMs = Number.POSITIVE_INFINITY;
    } else if (previous === "running") {
      info.runningUntilMs = nowMs;
    }
    for (const listener of this.listeners) listener.afterStateChange(info, previous);
  }

  private onPodUpdate(pod: Pod): void {
    const info = this.infos.get(pod.metadata.uid);
    if (info === undefined) return;
    const image = servingImage(pod);
    const datacenter = this.datacenterByNode.get(pod.spec?.nodeName ?? "") ?? info.datacenter;
    if (image === info.image && datacenter === info.datacenter) return;
    for (const listener of this.listeners) listener.beforePodChange(info);
    this.setImage(info, image);
    info.datacenter = datacenter;
  }
}

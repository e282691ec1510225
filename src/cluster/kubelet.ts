/**
 * The kubelets of every node, as one component (name "kubelet"; per-node state in Maps, one
 * component for speed). It implements PodRuntime for the data plane and the fault hooks
 * (setImagePullFailing, crashContainer); the nodes component tells it when a machine goes down.
 *
 * A pod bound to a live node (seen through world.cache) goes through, after the kubelet's pod
 * workers and runtime manager (pkg/kubelet/kubelet.go, kuberuntime/kuberuntime_manager.go):
 * 1. sandbox: a pod IP from the node's podCIDR (host-local IPAM); status Pending with hostIP,
 *    podIP(s), startTime, containers waiting ContainerCreating;
 * 2. containers in spec order, each: image (pulled once per node and cached; pulls serialized
 *    per node; timing.imagePull) then create/start (timing.containerStart) → running. A failed
 *    pull (imagePullFailure fault) shows ErrImagePull, then ImagePullBackOff, and is retried with
 *    the kubelet's back-off (10 s doubling to 300 s);
 * 3. the application becomes healthy world.image(image).startup after its start. Readiness: with
 *    a readinessProbe, on the probe worker's schedule (container-timing.ts) — only the probe that
 *    turns the result to Success is scheduled, never a timer per period; without one, ready at
 *    start. An image with ready:false never becomes ready (probe or not: the lead's model);
 * 4. crashAfter: the container exits with an error; restartPolicy Always/OnFailure restarts it with
 *    CrashLoopBackOff (first restart at once, then 10 s doubling to 5 min; flowcontrol.Backoff);
 * 5. deletion (§5.2): preStop hook (counting against the grace), SIGTERM (process "draining"),
 *    exit after world.image(image).shutdown or SIGKILL at the remaining grace (never under 2 s),
 *    terminal status, release of the IP, then the final DELETE (grace 0, uid precondition).
 * Pod Ready = ContainersReady ∧ every readiness gate True (§5.4, pod-status.ts), recomputed when a
 * gate condition changes in the cache. Status writes go through world.store.setStatus only when
 * something changed. Every process transition is told to the PodRuntime listeners.
 *
 * Node down: its processes are gone at once ("absent"), the kubelet ignores its pods and writes
 * nothing. Node up: the kubelet posts Ready=True, finishes pods that were deleted meanwhile and
 * restarts the others in a new sandbox (new IP, restartCount + 1).
 *
 * Deviation, for speed: Lease renewals are not store writes. The kubelet renews every
 * timing.nodeHeartbeatMs from when it started; leaseRenewTimeMs() computes the last renewal, and
 * the node lifecycle controller reads it directly (through the node's nodeLease()) instead of
 * watching Lease objects.
 * Not modelled: liveness and startup probes, init containers, ephemeral containers, pod-level
 * resource accounting (eviction), the kubelet's periodic resync, Normal events (Pulling, Pulled,
 * Created, Started, Killing), which would only cost trace lines.
 */
import type { Container, ContainerStatus, PodCondition, PodStatus } from "kubernetes-types/core/v1.js";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/kinds.ts";
import { objectKey, shallowCopy, toTimestamp } from "../api/object.ts";
import { isPodTerminal, podCondition } from "../api/pod.ts";
import type { WatchEventType } from "../api/store.ts";
import { type RandomStream, sampleMs } from "../sim/random.ts";
import { type Component, INDEX_PODS_BY_NODE, type World } from "../world/world.ts";
import { formatGoDuration, preStopDurationMs, readinessSuccessMs } from "./container-timing.ts";
import { PodIpAllocator } from "./ip-allocator.ts";
import {
  type ContainerRecord,
  containerStatus,
  containerStatusUnchanged,
  exitInfo,
  lastRenewalMs,
  type NodeRuntime,
  PodRecord,
  type PullJob,
  podPhase,
  processStateOf,
  renewalBeforeMs,
} from "./kubelet-records.ts";
import type { NodeLease } from "./node-lifecycle.ts";
import {
  kubeletNodeConditions,
  layoutNodes,
  NODE_NAMESPACE,
  NODES_COMPONENT,
  type NodeStateListener,
  type NodesComponent,
} from "./nodes.ts";
import {
  type GeneratedCondition,
  generateContainersReadyCondition,
  generatePodReadyCondition,
  mergeConditions,
} from "./pod-status.ts";
import { KUBELET_COMPONENT, type PodRuntime, type PodRuntimeListener, type ProcessState } from "./runtime.ts";

/** kuberuntime_manager.go minimumGracePeriodInSeconds. */
export const MIN_GRACE_SECONDS = 2;
/** How long ErrImagePull shows before the kubelet's next sync reports ImagePullBackOff. */
export const IMAGE_PULL_ERROR_DISPLAY_MS = 1000;
/** Retry period when the node's pod CIDR has no free address (the pod worker's back-off). */
export const SANDBOX_RETRY_MS = 10_000;

const INITIALIZED: GeneratedCondition = Object.freeze({ type: "Initialized", status: "True" });
const SCHEDULED: GeneratedCondition = Object.freeze({ type: "PodScheduled", status: "True" });

export class Kubelet implements Component, PodRuntime, NodeStateListener {
  readonly name = KUBELET_COMPONENT;
  private readonly nodes = new Map<string, NodeRuntime>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly listeners: PodRuntimeListener[] = [];
  private readonly failingImages = new Set<string>();
  private readonly streams: Record<"pull" | "start" | "startup" | "shutdown" | "crash", RandomStream>;

  constructor(private readonly world: World) {
    this.streams = {
      pull: world.random("kubelet/imagePull"),
      start: world.random("kubelet/containerStart"),
      startup: world.random("kubelet/startup"),
      shutdown: world.random("kubelet/shutdown"),
      crash: world.random("kubelet/crash"),
    };
  }

  start(): void {
    const nodes = this.world.component<NodesComponent>(NODES_COMPONENT);
    const infos =
      nodes === undefined
        ? layoutNodes(
            this.world.config.nodes,
            this.world.config.datacenters.map((dc) => dc.name),
          )
        : [...nodes.nodes()];
    for (const info of infos) {
      this.nodes.set(info.name, {
        info,
        allocator: new PodIpAllocator(info.podCIDR),
        hostIPs: Object.freeze([Object.freeze({ ip: info.internalIP })]),
        images: new Set(),
        pulls: new Map(),
        pullFreeAtMs: 0,
        down: nodes?.isNodeDown(info.name) ?? false,
        upSinceMs: this.world.nowMs,
        lastRenewMs: this.world.nowMs,
        downAtMs: this.world.nowMs,
        partitioned: false,
        lease: null,
      });
    }
    nodes?.addListener(this);
    this.world.cache.on("Pod", (type, object, previous) =>
      this.onPod(type, object as Pod, previous as Pod | undefined),
    );
  }

  // ---- PodRuntime and fault hooks ----

  processState(podUid: string): ProcessState {
    return this.pods.get(podUid)?.process ?? "absent";
  }

  addListener(listener: PodRuntimeListener): void {
    this.listeners.push(listener);
  }

  /** The pod's IP while its sandbox exists. */
  podIP(podUid: string): string | undefined {
    return this.pods.get(podUid)?.ip ?? undefined;
  }

  /** True while every container runs an application past its startup (able to serve well). */
  isHealthy(podUid: string): boolean {
    const record = this.pods.get(podUid);
    if (record === undefined || record.process !== "running") return false;
    return record.containers.every((container) => container.hasProcess && container.healthyAtMs <= this.world.nowMs);
  }

  /** The imagePullFailure fault: pulls of `image` fail while set. */
  setImagePullFailing(image: string, failing: boolean): void {
    if (failing) this.failingImages.add(image);
    else this.failingImages.delete(image);
  }

  /** The podCrash fault: the pod's first running container exits with an error. */
  crashContainer(podUid: string): void {
    const record = this.pods.get(podUid);
    const container = record?.containers.find((each) => each.stage === "running");
    if (record === undefined || container === undefined || record.node.down) return;
    this.cancelTimers(container);
    this.crash(container);
  }

  /** The node's last Lease renewal (in memory; see the file comment), or undefined for an unknown node. */
  leaseRenewTimeMs(nodeName: string): number | undefined {
    return this.nodeLease(nodeName)?.renewTimeMs();
  }

  /**
   * The node's Lease, which the caller may keep (the node lifecycle controller does, so its pass
   * over every node needs no lookup by name): a node's runtime lasts the whole run.
   */
  nodeLease(nodeName: string): NodeLease | undefined {
    const node = this.nodes.get(nodeName);
    if (node === undefined) return undefined;
    node.lease ??= new KubeletLease(node, this.world);
    return node.lease;
  }

  private renewalBefore(node: NodeRuntime, atMs: number): number {
    return renewalBeforeMs(node, atMs, this.world.config.timing.nodeHeartbeatMs);
  }

  // ---- watch handling ----

  private onPod(type: WatchEventType, pod: Pod, previous: Pod | undefined): void {
    const nodeName = pod.spec?.nodeName;
    // Not bound to a node: nothing for a kubelet to do (checked before the record lookup, not needed then).
    if (nodeName === undefined && type !== "DELETED") return;
    const record = this.pods.get(pod.metadata.uid);
    // A partitioned kubelet's watch is cut: it catches up from the cache when the partition heals.
    if (record?.node.partitioned === true) return;
    if (type === "DELETED") {
      if (record !== undefined) this.podGone(record, pod);
      return;
    }
    const node =
      record !== undefined && record.node.info.name === nodeName ? record.node : this.nodes.get(nodeName as string);
    if (node === undefined || node.down || node.partitioned) return;
    if (record === undefined) {
      if (!isPodTerminal(pod)) this.admit(node, pod);
      return;
    }
    this.podUpdated(record, pod, previous);
  }

  private podUpdated(record: PodRecord, pod: Pod, previous: Pod | undefined): void {
    record.pod = pod;
    if (pod.metadata.deletionTimestamp !== undefined) {
      if (!record.terminating) this.beginTermination(record);
      else this.shortenGrace(record);
      return;
    }
    if (record.terminating || record.terminalPhase !== null) return;
    if (previous === undefined || previous.spec !== pod.spec) this.applySpecChanges(record);
    if (this.readyConditionStale(record, pod, previous)) this.writeStatus(record);
  }

  /**
   * The cached pod's Ready condition differs from what the kubelet would write: a readiness gate
   * moved, or someone (MarkPodsNotReady) overwrote it. Only looked at when conditions changed.
   */
  private readyConditionStale(record: PodRecord, pod: Pod, previous: Pod | undefined): boolean {
    if (previous !== undefined && previous.status?.conditions === pod.status?.conditions) return false;
    const current = podCondition(pod, "Ready");
    const gates = pod.spec?.readinessGates;
    if (gates === undefined || gates.length === 0) {
      return current === undefined || current.status !== (allContainersReady(record) ? "True" : "False");
    }
    const statuses = record.containers.map((container) => ({
      name: container.name,
      ready: container.ready,
    })) as ContainerStatus[];
    const wanted = generatePodReadyCondition(pod.spec, pod.status?.conditions, statuses, podPhase(record));
    return (
      current === undefined ||
      current.status !== wanted.status ||
      current.reason !== wanted.reason ||
      current.message !== wanted.message
    );
  }

  // ---- pod start ----

  private admit(node: NodeRuntime, pod: Pod): void {
    const record = new PodRecord(node, pod, this.world.nowMs);
    this.pods.set(record.uid, record);
    if (pod.metadata.deletionTimestamp !== undefined) {
      record.terminating = true;
      this.finishTermination(record);
      return;
    }
    const sandboxReady = this.ensureSandbox(record);
    this.writeStatus(record);
    if (sandboxReady) this.advanceStartup(record);
  }

  /** Gives the pod an IP (RunPodSandbox + CNI ADD); false, with a retry scheduled, when none is free. */
  private ensureSandbox(record: PodRecord): boolean {
    if (record.ip !== null) return true;
    record.ip = record.node.allocator.allocate();
    if (record.ip !== null) return true;
    const cidr = record.node.info.podCIDR;
    this.world.recordEvent(
      record.pod,
      "Warning",
      "FailedCreatePodSandBox",
      `Failed to create pod sandbox: failed to allocate for range 0: no IP addresses available in range set: ${cidr}`,
    );
    record.sandboxTimer = this.world.kernel.schedule(SANDBOX_RETRY_MS, this.sandboxRetry, record);
    return false;
  }

  private readonly sandboxRetry = (arg: unknown): void => {
    const record = arg as PodRecord;
    record.sandboxTimer = 0;
    if (record.terminating || record.node.down || !this.ensureSandbox(record)) return;
    this.writeStatus(record);
    this.advanceStartup(record);
  };

  /** The pod's start loop: containers in spec order, each attempt finishing before the next begins. */
  private advanceStartup(record: PodRecord): void {
    if (record.terminating || record.node.down || record.ip === null) return;
    while (record.startCursor < record.containers.length) {
      const container = record.containers[record.startCursor] as ContainerRecord;
      if (container.stage === "waiting") {
        this.startContainer(container);
        return;
      }
      if (container.stage === "pulling" || container.stage === "creating") return;
      record.startCursor++;
    }
  }

  /** An attempt to start `container` finished (running or failed): the start loop moves on. */
  private attemptDone(container: ContainerRecord): void {
    const record = container.pod;
    if (record.startCursor !== container.index) return;
    record.startCursor++;
    this.advanceStartup(record);
  }

  private containerSpec(container: ContainerRecord): Container | undefined {
    return container.pod.pod.spec?.containers[container.index];
  }

  /** EnsureImageExists, then create and start (kuberuntime_container.go startContainer). */
  private startContainer(container: ContainerRecord): void {
    const node = container.pod.node;
    const policy = this.containerSpec(container)?.imagePullPolicy ?? "IfNotPresent";
    const present = node.images.has(container.image);
    if (policy === "Never" && !present) {
      container.stage = "pull-error";
      container.waitingReason = "ErrImageNeverPull";
      container.waitingMessage = `Container image "${container.image}" is not present with pull policy of Never`;
      this.writeStatus(container.pod);
      this.attemptDone(container);
      return;
    }
    if (present && policy !== "Always") {
      this.createContainer(container);
      return;
    }
    this.requestPull(container, present);
  }

  private requestPull(container: ContainerRecord, present: boolean): void {
    const node = container.pod.node;
    let job = node.pulls.get(container.image);
    if (job === undefined) {
      const startMs = Math.max(this.world.nowMs, node.pullFreeAtMs);
      const doneMs = startMs + (present ? 0 : sampleMs(this.world.config.timing.imagePull, this.streams.pull));
      node.pullFreeAtMs = doneMs;
      job = { image: container.image, node, waiters: [], timer: 0 };
      job.timer = this.world.kernel.scheduleAt(doneMs, this.pullDone, job);
      node.pulls.set(container.image, job);
    }
    job.waiters.push(container);
    container.pullJob = job;
    container.stage = "pulling";
  }

  private readonly pullDone = (arg: unknown): void => {
    const job = arg as PullJob;
    job.node.pulls.delete(job.image);
    const failed = this.failingImages.has(job.image);
    if (!failed) job.node.images.add(job.image);
    for (const container of job.waiters) {
      if (container.pullJob !== job) continue; // abandoned (pod deleted, image changed)
      container.pullJob = null;
      if (failed) this.pullFailed(container);
      else this.createContainer(container);
    }
  };

  private pullFailed(container: ContainerRecord): void {
    const nowMs = this.world.nowMs;
    container.pullBackoff.next(nowMs, nowMs);
    container.lastPullFailureMs = nowMs;
    container.stage = "pull-error";
    container.waitingReason = "ErrImagePull";
    container.waitingMessage = `failed to pull and unpack image "${container.image}": failed to resolve reference "${container.image}": not found`;
    this.world.recordEvent(
      container.pod.pod,
      "Warning",
      "Failed",
      `Failed to pull image "${container.image}": ${container.waitingMessage}`,
    );
    container.timer = this.world.kernel.schedule(IMAGE_PULL_ERROR_DISPLAY_MS, this.showPullBackoff, container);
    this.writeStatus(container.pod);
    this.attemptDone(container);
  }

  private readonly showPullBackoff = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.stage = "pull-backoff";
    container.waitingReason = "ImagePullBackOff";
    container.waitingMessage = `Back-off pulling image "${container.image}"`;
    const retryAtMs = container.lastPullFailureMs + container.pullBackoff.currentMs;
    container.timer = this.world.kernel.scheduleAt(retryAtMs, this.retryPull, container);
    this.writeStatus(container.pod);
  };

  private readonly retryPull = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.timer = 0;
    this.startContainer(container);
  };

  private createContainer(container: ContainerRecord): void {
    container.stage = "creating";
    container.imagePulled = true;
    const delayMs = sampleMs(this.world.config.timing.containerStart, this.streams.start);
    container.timer = this.world.kernel.schedule(delayMs, this.containerStarted, container);
  }

  private readonly containerStarted = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.timer = 0;
    this.markRunning(container);
    this.writeStatus(container.pod);
    this.updateProcess(container.pod);
    this.attemptDone(container);
  };

  private markRunning(container: ContainerRecord): void {
    const nowMs = this.world.nowMs;
    if (container.runs > 0) container.restartCount++;
    container.runs++;
    container.stage = "running";
    container.startedAtMs = nowMs;
    container.exitedProcess = false;
    container.waitingReason = "ContainerCreating";
    container.waitingMessage = undefined;
    const profile = this.world.image(container.image);
    container.healthyAtMs = profile.ready
      ? nowMs + sampleMs(profile.startup, this.streams.startup)
      : Number.POSITIVE_INFINITY;
    this.scheduleReadiness(container, container.healthyAtMs, profile.ready);
    if (profile.crashAfter !== null) {
      container.timer = this.world.kernel.schedule(
        sampleMs(profile.crashAfter, this.streams.crash),
        this.crashDue,
        container,
      );
    }
  }

  /** Only the probe that turns the result to Success is scheduled (container-timing.ts). */
  private scheduleReadiness(container: ContainerRecord, healthyAtMs: number, imageReady: boolean): void {
    const probe = this.containerSpec(container)?.readinessProbe;
    if (probe === undefined) {
      container.ready = imageReady;
      return;
    }
    container.ready = false;
    const readyAtMs = readinessSuccessMs(container.pod.workerStartMs, container.startedAtMs, healthyAtMs, probe);
    if (readyAtMs <= this.world.nowMs) container.ready = true;
    else if (Number.isFinite(readyAtMs))
      container.probeTimer = this.world.kernel.scheduleAt(readyAtMs, this.probeSucceeded, container);
  }

  private readonly probeSucceeded = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.probeTimer = 0;
    container.ready = true;
    this.writeStatus(container.pod);
  };

  // ---- crashes and restarts ----

  private readonly crashDue = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.timer = 0;
    this.world.kernel.cancel(container.probeTimer);
    container.probeTimer = 0;
    this.crash(container);
  };

  /** The process exits with an error; restart per restartPolicy with CrashLoopBackOff (doBackOff). */
  private crash(container: ContainerRecord): void {
    const record = container.pod;
    const nowMs = this.world.nowMs;
    this.recordExit(container, 1, "Error");
    const policy = record.pod.spec?.restartPolicy ?? "Always";
    if (policy === "Never") {
      container.stage = "exited";
      this.afterExitWithoutRestart(record);
      return;
    }
    if (container.crashBackoff.inBackOffSince(nowMs, nowMs)) {
      const delayMs = container.crashBackoff.currentMs;
      container.stage = "backoff";
      container.waitingReason = "CrashLoopBackOff";
      container.waitingMessage = `back-off ${formatGoDuration(delayMs)} restarting failed container=${container.name} pod=${record.name}_${record.namespace}(${record.uid})`;
      container.timer = this.world.kernel.schedule(delayMs, this.restartDue, container);
      this.world.recordEvent(
        record.pod,
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${container.name} in pod ${record.name}_${record.namespace}(${record.uid})`,
      );
    } else {
      container.crashBackoff.next(nowMs, nowMs);
      container.stage = "waiting";
      container.waitingReason = "ContainerCreating";
      container.waitingMessage = undefined;
      this.startContainer(container);
    }
    this.writeStatus(record);
    this.updateProcess(record);
  }

  private readonly restartDue = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.timer = 0;
    container.crashBackoff.next(container.lastExit?.finishedAtMs ?? this.world.nowMs, this.world.nowMs);
    container.waitingReason = "ContainerCreating";
    container.waitingMessage = undefined;
    this.startContainer(container);
  };

  private recordExit(
    container: ContainerRecord,
    exitCode: number,
    reason: string,
    message?: string,
    finishedAtMs = this.world.nowMs,
  ): void {
    container.priorExit = container.lastExit;
    container.lastExit = exitInfo(container, exitCode, reason, message, finishedAtMs);
    container.ready = false;
    container.exitedProcess = true;
  }

  /** restartPolicy Never: once no container runs or can start, the pod is terminal. */
  private afterExitWithoutRestart(record: PodRecord): void {
    const settled = record.containers.every((container) => container.stage === "exited");
    if (settled) {
      record.terminalPhase = record.containers.every((container) => container.lastExit?.exitCode === 0)
        ? "Succeeded"
        : "Failed";
      this.releaseSandbox(record);
    }
    this.writeStatus(record);
    this.updateProcess(record);
  }

  /** A container whose image changed in the spec is killed (with its preStop hook) and started again. */
  private applySpecChanges(record: PodRecord): void {
    const containers = record.pod.spec?.containers ?? [];
    for (const container of record.containers) {
      const image = containers[container.index]?.image;
      if (image === undefined || image === container.image) continue;
      container.image = image;
      this.restartForNewImage(record, container);
    }
  }

  private restartForNewImage(record: PodRecord, container: ContainerRecord): void {
    switch (container.stage) {
      case "running":
        this.cancelTimers(container);
        this.stopContainer(container, record.pod.spec?.terminationGracePeriodSeconds ?? 30, true);
        this.updateProcess(record);
        return;
      case "prestop":
      case "stopping":
        container.restartAfterStop = true;
        return;
      case "pulling":
      case "creating":
      case "pull-error":
      case "pull-backoff":
      case "backoff":
        this.cancelTimers(container);
        container.stage = "waiting";
        container.waitingReason = "ContainerCreating";
        container.waitingMessage = undefined;
        this.startContainer(container);
        this.writeStatus(record);
        return;
      default:
        return; // waiting: the start loop will use the new image; exited/dead/lost: not restarted
    }
  }

  // ---- termination (§5.2) ----

  private beginTermination(record: PodRecord): void {
    record.terminating = true;
    this.world.kernel.cancel(record.sandboxTimer);
    record.sandboxTimer = 0;
    record.graceSec =
      record.pod.metadata.deletionGracePeriodSeconds ??
      record.pod.spec?.terminationGracePeriodSeconds ??
      MIN_GRACE_SECONDS;
    for (const container of record.containers) {
      if (container.stage === "prestop" || container.stage === "stopping") {
        container.restartAfterStop = false;
        continue;
      }
      this.cancelTimers(container);
      if (container.stage === "running") this.stopContainer(container, record.graceSec, false);
      else container.stage = container.runs > 0 ? "exited" : "dead";
    }
    this.updateProcess(record);
    if (!anyProcess(record)) this.finishTermination(record);
  }

  /** killContainer: preStop first (its whole seconds count against the grace), then SIGTERM with at least 2 s. */
  private stopContainer(container: ContainerRecord, graceSec: number, restartAfter: boolean): void {
    container.restartAfterStop = restartAfter;
    const spec = this.containerSpec(container);
    const preStopMs = spec === undefined ? null : preStopDurationMs(spec);
    if (preStopMs !== null && graceSec > 0) {
      const hookMs = Math.min(preStopMs, graceSec * 1000);
      container.killGraceSec = Math.max(graceSec - Math.floor(hookMs / 1000), MIN_GRACE_SECONDS);
      container.stage = "prestop";
      container.timer = this.world.kernel.schedule(hookMs, this.preStopDone, container);
      return;
    }
    container.killGraceSec = Math.max(graceSec, MIN_GRACE_SECONDS);
    this.sigterm(container);
  }

  private readonly preStopDone = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    container.timer = 0;
    this.sigterm(container);
    this.updateProcess(container.pod);
  };

  /** SIGTERM: the process drains and exits after the image's shutdown time, or is killed at the grace. */
  private sigterm(container: ContainerRecord): void {
    container.stage = "stopping";
    this.world.kernel.cancel(container.probeTimer);
    container.probeTimer = 0;
    const profile = this.world.config.images.get(container.image);
    const exitMs = sampleMs(
      profile === undefined ? this.world.config.timing.containerStop : profile.shutdown,
      this.streams.shutdown,
    );
    const killMs = container.killGraceSec * 1000;
    const graceful = exitMs <= killMs;
    const delayMs = graceful ? exitMs : killMs;
    container.pendingExit = {
      exitCode: graceful ? 0 : 137,
      reason: graceful ? "Completed" : "Error",
      atMs: this.world.nowMs + delayMs,
    };
    container.timer = this.world.kernel.schedule(delayMs, this.processExited, container);
  }

  private readonly processExited = (arg: unknown): void => {
    const container = arg as ContainerRecord;
    const record = container.pod;
    container.timer = 0;
    const exit = container.pendingExit ?? { exitCode: 137, reason: "Error", atMs: this.world.nowMs };
    container.pendingExit = null;
    this.recordExit(container, exit.exitCode, exit.reason);
    container.stage = "exited";
    if (container.restartAfterStop && !record.terminating) {
      container.restartAfterStop = false;
      container.stage = "waiting";
      container.waitingReason = "ContainerCreating";
      this.startContainer(container);
    }
    this.updateProcess(record);
    if (!record.terminating) {
      this.writeStatus(record);
      return;
    }
    if (!anyProcess(record)) this.finishTermination(record);
  };

  /** A later delete with a shorter grace: preStop hooks end now, kills come no later than the new grace. */
  private shortenGrace(record: PodRecord): void {
    const graceSec = record.pod.metadata.deletionGracePeriodSeconds;
    if (graceSec === undefined || graceSec >= record.graceSec || record.finished) return;
    record.graceSec = graceSec;
    const killAtMs = this.world.nowMs + Math.max(graceSec, MIN_GRACE_SECONDS) * 1000;
    for (const container of record.containers) {
      if (container.stage === "prestop") {
        this.world.kernel.cancel(container.timer);
        container.killGraceSec = Math.max(graceSec, MIN_GRACE_SECONDS);
        this.sigterm(container);
      } else if (
        container.stage === "stopping" &&
        container.pendingExit !== null &&
        container.pendingExit.atMs > killAtMs
      ) {
        this.world.kernel.cancel(container.timer);
        container.pendingExit = { exitCode: 137, reason: "Error", atMs: killAtMs };
        container.timer = this.world.kernel.scheduleAt(killAtMs, this.processExited, container);
      }
    }
    this.updateProcess(record);
  }

  /** Every container has stopped: terminal status, sandbox (IP) released, then the final delete. */
  private finishTermination(record: PodRecord): void {
    if (!record.finished) {
      record.finished = true;
      record.terminalPhase = terminatedPhase(record);
      for (const container of record.containers) container.ready = false;
      this.releaseSandbox(record);
      this.updateProcess(record);
      this.writeStatus(record);
    }
    if (record.gone) {
      this.dropRecord(record);
      return;
    }
    this.sendFinalDelete(record);
  }

  /** status_manager.go: DELETE with grace 0 and the uid as precondition (finalizers may keep the object). */
  private sendFinalDelete(record: PodRecord): void {
    if (record.gone || record.node.down || record.node.partitioned) return;
    try {
      this.world.store.delete("Pod", record.namespace, record.name, { gracePeriodSeconds: 0, uid: record.uid });
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
  }

  /** The object left the API. */
  private podGone(record: PodRecord, last: Pod): void {
    record.gone = true;
    record.pod = last;
    if (record.node.down || record.finished) {
      this.dropRecord(record);
      return;
    }
    // Removed from the API (a force delete): what still runs is killed with no grace left (≥ 2 s).
    record.pod = { ...last, metadata: { ...last.metadata, deletionGracePeriodSeconds: 0 } };
    if (!record.terminating) this.beginTermination(record);
    else this.shortenGrace(record);
  }

  private dropRecord(record: PodRecord): void {
    for (const container of record.containers) this.cancelTimers(container);
    this.world.kernel.cancel(record.sandboxTimer);
    this.releaseSandbox(record);
    this.pods.delete(record.uid);
    this.setProcess(record, "absent");
  }

  private releaseSandbox(record: PodRecord): void {
    if (record.ip === null) return;
    record.node.allocator.release(record.ip);
    record.ip = null;
  }

  private cancelTimers(container: ContainerRecord): void {
    this.world.kernel.cancel(container.timer);
    this.world.kernel.cancel(container.probeTimer);
    container.timer = 0;
    container.probeTimer = 0;
    container.pullJob = null;
  }

  // ---- partitions from the control plane ----

  /**
   * Cuts the node off from the API server (or reconnects it). While cut off, its processes keep
   * running and serving, but the kubelet misses every API change, writes nothing, and its Lease
   * stops renewing, so the node lifecycle controller marks it NotReady and, after the toleration,
   * evicts its pods in the API. On reconnecting, the kubelet relists: it posts Ready, reports each
   * pod's status, finishes pods deleted meanwhile and starts pods bound to it meanwhile.
   */
  setNodePartitioned(name: string, partitioned: boolean): void {
    const node = this.nodes.get(name);
    if (node === undefined || node.partitioned === partitioned) return;
    const nowMs = this.world.nowMs;
    if (partitioned) {
      node.lastRenewMs = node.down ? node.lastRenewMs : this.renewalBefore(node, nowMs);
      node.partitioned = true;
      return;
    }
    node.partitioned = false;
    if (node.down) return;
    node.upSinceMs = nowMs;
    this.postNodeReady(node);
    this.relist(node);
  }

  /** Brings the node's records in line with the API after a partition. */
  private relist(node: NodeRuntime): void {
    for (const record of this.podsOn(node)) {
      const cached = this.world.cache.getByKey<Pod>("Pod", objectKey(record.namespace, record.name));
      if (cached?.metadata.uid !== record.uid) {
        this.podGone(record, record.pod);
        continue;
      }
      const previous = record.pod;
      this.podUpdated(record, cached, previous);
      if (record.finished) this.sendFinalDelete(record);
      else this.writeStatus(record);
    }
    for (const pod of [...this.world.cache.byIndex<Pod>(INDEX_PODS_BY_NODE, node.info.name)]) {
      if (!this.pods.has(pod.metadata.uid) && !isPodTerminal(pod)) this.admit(node, pod);
    }
  }

  /**
   * The node's pod records, in admission order (a copy). Searched for rather than kept per node:
   * it is needed only when a machine or its link goes down or up, while every admission and drop
   * would pay for a per-node map.
   */
  private podsOn(node: NodeRuntime): PodRecord[] {
    const records: PodRecord[] = [];
    for (const record of this.pods.values()) if (record.node === node) records.push(record);
    return records;
  }

  // ---- machines going down and up ----

  onNodeDown(name: string, down: boolean, nowMs: number): void {
    const node = this.nodes.get(name);
    if (node === undefined || node.down === down) return;
    if (down) this.machineCrashed(node, nowMs);
    else this.machineStarted(node, nowMs);
  }

  private machineCrashed(node: NodeRuntime, nowMs: number): void {
    node.lastRenewMs = this.renewalBefore(node, nowMs);
    node.downAtMs = nowMs;
    node.down = true;
    for (const job of node.pulls.values()) this.world.kernel.cancel(job.timer);
    node.pulls.clear();
    node.pullFreeAtMs = nowMs;
    for (const record of this.podsOn(node)) {
      this.world.kernel.cancel(record.sandboxTimer);
      record.sandboxTimer = 0;
      for (const container of record.containers) {
        const hadProcess = container.hasProcess;
        this.cancelTimers(container);
        container.exitedProcess = false;
        container.pendingExit = null;
        if (hadProcess) container.stage = "lost";
      }
      this.setProcess(record, "absent");
    }
  }

  private machineStarted(node: NodeRuntime, nowMs: number): void {
    const downAtMs = node.downAtMs;
    node.down = false;
    node.upSinceMs = nowMs;
    node.pullFreeAtMs = nowMs;
    this.postNodeReady(node);
    for (const record of this.podsOn(node)) {
      const cached = this.world.cache.getByKey<Pod>("Pod", objectKey(record.namespace, record.name));
      if (cached?.metadata.uid !== record.uid) this.dropRecord(record);
    }
    for (const pod of [...this.world.cache.byIndex<Pod>(INDEX_PODS_BY_NODE, node.info.name)]) {
      const record = this.pods.get(pod.metadata.uid);
      if (record !== undefined) {
        record.pod = pod;
        this.recoverAfterReboot(record, downAtMs);
      } else if (!isPodTerminal(pod)) {
        this.admit(node, pod);
      }
    }
  }

  /** The kubelet posts its node status on start: Ready=True again (setters.go). */
  private postNodeReady(node: NodeRuntime): void {
    const current = this.world.store.get<Node>("Node", NODE_NAMESPACE, node.info.name);
    if (current === undefined) return;
    const nowMs = this.world.nowMs;
    const wanted = kubeletNodeConditions(nowMs);
    const existing = current.status?.conditions ?? [];
    const merged = wanted.map((condition) => {
      const old = existing.find((each) => each.type === condition.type);
      return old !== undefined && old.status === condition.status
        ? { ...condition, lastTransitionTime: old.lastTransitionTime }
        : condition;
    });
    const others = existing.filter((each) => !wanted.some((condition) => condition.type === each.type));
    this.world.store.patch<Node>("Node", NODE_NAMESPACE, node.info.name, (draft) => {
      draft.status ??= {};
      draft.status.conditions = [...others, ...merged];
    });
  }

  /** After a reboot: deleted pods are finished; the others restart every container in a new sandbox. */
  private recoverAfterReboot(record: PodRecord, downAtMs: number): void {
    if (record.finished || record.terminalPhase !== null) {
      if (record.finished) this.sendFinalDelete(record);
      return;
    }
    const deleting = record.terminating || record.pod.metadata.deletionTimestamp !== undefined;
    const never = (record.pod.spec?.restartPolicy ?? "Always") === "Never";
    for (const container of record.containers) {
      if (container.stage !== "lost") continue;
      if (deleting) {
        const message = "The container could not be located when the pod was terminated";
        this.recordExit(container, 137, "ContainerStatusUnknown", message, downAtMs);
      } else {
        this.recordExit(container, 255, "Unknown", undefined, downAtMs);
      }
      container.exitedProcess = false;
      container.stage = "exited";
    }
    if (deleting) {
      record.terminating = true;
      for (const container of record.containers) container.stage = container.lastExit === null ? "dead" : "exited";
      this.finishTermination(record);
      return;
    }
    for (const container of record.containers) {
      if (never && container.stage === "exited") continue;
      container.stage = "waiting";
      container.ready = false;
      container.waitingReason = "ContainerCreating";
      container.waitingMessage = undefined;
    }
    this.releaseSandbox(record);
    record.workerStartMs = this.world.nowMs;
    record.startCursor = 0;
    if (never && record.containers.every((container) => container.stage === "exited")) {
      this.afterExitWithoutRestart(record);
      return;
    }
    const sandboxReady = this.ensureSandbox(record);
    this.writeStatus(record);
    if (sandboxReady) this.advanceStartup(record);
  }

  // ---- status and process state ----

  private updateProcess(record: PodRecord): void {
    this.setProcess(record, processStateOf(record));
  }

  private setProcess(record: PodRecord, state: ProcessState): void {
    if (record.process === state) return;
    record.process = state;
    if (this.listeners.length === 0) return; // the lookup below is for them only
    const stored = this.world.store.getByKey<Pod>("Pod", record.key);
    const pod = stored !== undefined && stored.metadata.uid === record.uid ? stored : record.pod;
    const nowMs = this.world.nowMs;
    for (const listener of this.listeners) listener.onProcessState(pod, state, nowMs);
  }

  /** Writes the kubelet's view of the pod status (the fields it owns), only when something changed. */
  private writeStatus(record: PodRecord): void {
    if (record.node.down || record.node.partitioned || record.gone) return;
    const current = this.world.store.getByKey<Pod>("Pod", record.key);
    if (current === undefined || current.metadata.uid !== record.uid) return;
    const next = this.renderStatus(record, current);
    if (next === null) return;
    try {
      this.world.store.setStatus("Pod", record.namespace, record.name, next);
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
  }

  /**
   * The whole new status (deep-frozen, unchanged parts shared with the stored one, so the store's
   * immer has nothing to copy or freeze), or null when the stored status already says it all.
   */
  private renderStatus(record: PodRecord, current: Pod): PodStatus | null {
    const status: PodStatus = current.status ?? {};
    const next = shallowCopy(status) as Record<string, unknown>;
    const phase = podPhase(record);
    const hostIP = record.node.info.internalIP;
    let changed = false;
    if (status.phase !== phase) {
      next.phase = phase;
      changed = true;
    }
    if (status.hostIP !== hostIP) {
      next.hostIP = hostIP;
      next.hostIPs = record.node.hostIPs;
      changed = true;
    }
    if (record.ip !== null && status.podIP !== record.ip) {
      next.podIP = record.ip;
      next.podIPs = Object.freeze([Object.freeze({ ip: record.ip })]);
      changed = true;
    }
    if (status.startTime === undefined) {
      next.startTime = toTimestamp(record.startTimeMs);
      changed = true;
    }
    const containerStatuses = this.containerStatuses(record, status.containerStatuses);
    if (containerStatuses !== status.containerStatuses) {
      next.containerStatuses = containerStatuses;
      changed = true;
    }
    const conditions = this.conditions(record, current, containerStatuses, phase);
    if (conditions !== null) {
      // Not deepFreeze: mergeConditions froze the entries it made, the others come from the store.
      record.writtenConditions = Object.freeze(conditions);
      next.conditions = record.writtenConditions;
      changed = true;
    }
    return changed ? Object.freeze(next as PodStatus) : null;
  }

  /** The containerStatuses array, reusing the stored one (or its entries) where nothing changed. */
  private containerStatuses(record: PodRecord, stored: readonly ContainerStatus[] | undefined): ContainerStatus[] {
    const containers = record.containers;
    // Built only from the first entry that differs; null while the stored array still says it all.
    let statuses: ContainerStatus[] | null = stored !== undefined && stored.length === containers.length ? null : [];
    for (let index = 0; index < containers.length; index++) {
      const container = containers[index] as ContainerRecord;
      const old = stored?.[index];
      if (old !== undefined && containerStatusUnchanged(old, container)) {
        statuses?.push(old);
        continue;
      }
      statuses ??= firstEntries(stored as readonly ContainerStatus[], index);
      statuses.push(containerStatus(container));
    }
    return statuses === null ? (stored as ContainerStatus[]) : (Object.freeze(statuses) as ContainerStatus[]);
  }

  /** Initialized, Ready and ContainersReady (and PodScheduled if missing) merged in; null if unchanged. */
  private conditions(
    record: PodRecord,
    current: Pod,
    containerStatuses: readonly ContainerStatus[],
    phase: string,
  ): PodCondition[] | null {
    const spec = current.spec;
    const containersReady = generateContainersReadyCondition(spec, containerStatuses, phase);
    const generated: GeneratedCondition[] = [
      INITIALIZED,
      generatePodReadyCondition(spec, record.pod.status?.conditions, containerStatuses, phase, containersReady),
      containersReady,
    ];
    const existing = current.status?.conditions;
    // A list the kubelet merged holds PodScheduled (kept or added), so only others' lists are searched.
    const ours = existing !== undefined && existing === record.writtenConditions;
    if (!ours && podCondition(current, "PodScheduled") === undefined) {
      generated.push(SCHEDULED);
    }
    return mergeConditions(existing, generated, toTimestamp(this.world.nowMs));
  }
}

/** A node's Lease, renewed by its kubelet every timing.nodeHeartbeatMs while it runs and is connected. */
class KubeletLease implements NodeLease {
  constructor(
    private readonly node: NodeRuntime,
    private readonly world: World,
  ) {}

  renewTimeMs(): number {
    return lastRenewalMs(this.node, this.world.nowMs, this.world.config.timing.nodeHeartbeatMs);
  }
}

/** A copy of the first `count` entries (a loop: slice on a frozen array takes V8's slow path). */
function firstEntries<T>(entries: readonly T[], count: number): T[] {
  const copy: T[] = [];
  for (let index = 0; index < count; index++) copy.push(entries[index] as T);
  return copy;
}

/** A process of some container of the pod is alive. */
function anyProcess(record: PodRecord): boolean {
  const containers = record.containers;
  // The loop steps past every container it reads, even the first with a process: a one-container
  // pod then gives the optimized code feedback for the step before the first pod without one.
  let alive = false;
  for (let i = 0; i < containers.length && !alive; i++) alive = (containers[i] as ContainerRecord).hasProcess;
  return alive;
}

/** Every container is ready (the Ready condition without readiness gates). */
function allContainersReady(record: PodRecord): boolean {
  for (const container of record.containers) if (!container.ready) return false;
  return true;
}

/** Succeeded when at least one container ran and every one that ran exited 0, else Failed. */
function terminatedPhase(record: PodRecord): "Succeeded" | "Failed" {
  let ran = false;
  for (const container of record.containers) {
    const exit = container.lastExit;
    if (exit === null) continue;
    if (exit.exitCode !== 0) return "Failed";
    ran = true;
  }
  return ran ? "Succeeded" : "Failed";
}

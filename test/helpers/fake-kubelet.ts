/**
 * A test-only stand-in for the kubelet (component "kubelet", PodRuntime): tests drive process
 * states by hand, or let it do the few kubelet duties the networking tests need:
 *
 * - `startPod` creates a running, ready pod with an IP (ContainersReady=True, Ready computed from
 *   readiness gates as §5.4 says);
 * - Ready is recomputed whenever a readiness gate condition changes;
 * - on deletion (deletionTimestamp): preStop sleep (spec lifecycle.preStop.sleep.seconds), then
 *   SIGTERM (draining), the image's shutdown later the process stops, then the final delete with
 *   grace 0 and the uid precondition — not waiting for finalizers, as the real kubelet does not.
 */
import type { PodCondition } from "kubernetes-types/core/v1.js";
import type { Pod } from "../../src/api/kinds.ts";
import { toTimestamp } from "../../src/api/object.ts";
import { podCondition } from "../../src/api/pod.ts";
import {
  KUBELET_COMPONENT,
  type PodRuntime,
  type PodRuntimeListener,
  type ProcessState,
} from "../../src/cluster/runtime.ts";
import type { Component, World } from "../../src/world/world.ts";

export interface StartPodOptions {
  name: string;
  ip: string;
  labels?: Record<string, string>;
  node?: string;
  image?: string;
  readinessGates?: string[];
  preStopSleepSeconds?: number;
  terminationGracePeriodSeconds?: number;
  /** Process state to start in (default running). */
  state?: ProcessState;
  ready?: boolean;
}

export class FakeKubelet implements Component, PodRuntime {
  readonly name = KUBELET_COMPONENT;
  private readonly states = new Map<string, ProcessState>();
  private readonly listeners: PodRuntimeListener[] = [];
  private readonly terminating = new Set<string>();
  /** SIGTERM → exit, in ms. */
  shutdownMs = 100;
  /** Every transition, in order: [timeMs, pod name, state]. */
  readonly transitions: [number, string, ProcessState][] = [];

  constructor(private readonly world: World) {}

  start(): void {
    this.world.store.watch((type, object) => {
      if (object.kind !== "Pod" || type === "DELETED") return;
      const pod = object as Pod;
      if (pod.metadata.deletionTimestamp !== undefined && !this.terminating.has(pod.metadata.uid))
        this.beginTermination(pod);
      this.world.kernel.schedule(0, () => this.syncReady(pod.metadata.namespace, pod.metadata.name));
    });
  }

  processState(podUid: string): ProcessState {
    return this.states.get(podUid) ?? "absent";
  }

  addListener(listener: PodRuntimeListener): void {
    this.listeners.push(listener);
  }

  /** Sets a pod's process state and tells the listeners (as a kubelet transition would). */
  setState(pod: Pod, state: ProcessState): void {
    const current = this.world.store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name) ?? pod;
    if (this.processState(pod.metadata.uid) === state) return;
    this.states.set(pod.metadata.uid, state);
    this.transitions.push([this.world.nowMs, pod.metadata.name, state]);
    for (const listener of this.listeners) listener.onProcessState(current, state, this.world.nowMs);
  }

  startPod(options: StartPodOptions): Pod {
    const nowStamp = toTimestamp(this.world.nowMs);
    const ready = options.ready ?? true;
    const conditions: PodCondition[] = [
      { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: nowStamp },
      {
        type: "Ready",
        status: ready && (options.readinessGates ?? []).length === 0 ? "True" : "False",
        lastTransitionTime: nowStamp,
      },
    ];
    const pod = this.world.store.create<Pod>({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: options.name, namespace: "default", labels: options.labels ?? { app: "demo" } },
      spec: {
        nodeName: options.node ?? "dca-1",
        terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 30,
        containers: [
          {
            name: "app",
            image: options.image ?? "demo:v1",
            ...(options.preStopSleepSeconds === undefined
              ? {}
              : { lifecycle: { preStop: { sleep: { seconds: options.preStopSleepSeconds } } } }),
          },
        ],
        ...(options.readinessGates === undefined
          ? {}
          : { readinessGates: options.readinessGates.map((conditionType) => ({ conditionType })) }),
      },
      status: { phase: "Running", podIP: options.ip, conditions },
    });
    this.setState(pod, options.state ?? "running");
    return pod;
  }

  /** Sets a condition on the pod (as the kubelet or a test would). */
  setCondition(name: string, type: string, status: "True" | "False"): void {
    this.world.store.patch<Pod>("Pod", "default", name, (draft) => {
      const conditions = (draft.status?.conditions ?? []) as PodCondition[];
      const condition = conditions.find((each) => each.type === type);
      if (condition === undefined) conditions.push({ type, status });
      else condition.status = status;
    });
  }

  /** Ready = ContainersReady and every readiness gate True (kubernetes-semantics.md §5.4). */
  private syncReady(namespace: string, name: string): void {
    const pod = this.world.store.get<Pod>("Pod", namespace, name);
    if (pod === undefined) return;
    const containersReady = podCondition(pod, "ContainersReady")?.status === "True";
    const gatesTrue = (pod.spec?.readinessGates ?? []).every(
      (gate) => podCondition(pod, gate.conditionType)?.status === "True",
    );
    const want = containersReady && gatesTrue ? "True" : "False";
    if (podCondition(pod, "Ready")?.status === want) return;
    this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
      const conditions = (draft.status?.conditions ?? []) as PodCondition[];
      const ready = conditions.find((each) => each.type === "Ready");
      if (ready === undefined)
        conditions.push({ type: "Ready", status: want, lastTransitionTime: toTimestamp(this.world.nowMs) });
      else {
        ready.status = want;
        ready.lastTransitionTime = toTimestamp(this.world.nowMs);
      }
    });
  }

  /** preStop sleep, SIGTERM, exit, final delete (§5.2); finalizers delay none of it. */
  private beginTermination(pod: Pod): void {
    this.terminating.add(pod.metadata.uid);
    const preStopMs = (pod.spec?.containers?.[0]?.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    const { namespace, name, uid } = pod.metadata;
    this.world.kernel.schedule(preStopMs, () => {
      this.setState(pod, "draining");
      this.world.kernel.schedule(this.shutdownMs, () => {
        this.setState(pod, "stopped");
        const current = this.world.store.get<Pod>("Pod", namespace, name);
        if (current === undefined || current.metadata.uid !== uid) return;
        this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
          draft.status = { ...(draft.status ?? {}), phase: "Succeeded" };
        });
        if (this.world.store.get("Pod", namespace, name) !== undefined) {
          this.world.store.delete("Pod", namespace, name, { gracePeriodSeconds: 0, uid });
        }
      });
    });
  }
}

export function registerFakeKubelet(world: World): FakeKubelet {
  return world.register(new FakeKubelet(world));
}

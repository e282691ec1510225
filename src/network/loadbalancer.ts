/**
 * External load balancers (`rolloutsim/v1 LoadBalancer`) and the controller that feeds them pod
 * IPs, after the CafeDeployment talk's graceful-shutdown protocol (workload-anchors.md §1.8; the
 * same pattern as KusionStack's PodOpsLifecycle and the AWS Load Balancer Controller's pod
 * readiness gates).
 *
 * ```yaml
 * apiVersion: rolloutsim/v1
 * kind: LoadBalancer
 * metadata: {name: demo-lb}
 * spec:
 *   service: demo                      # its pods are the Service's selector; or
 *   selector: {matchLabels: {app: demo}}  # a label selector of its own
 *   registrationDelay: 1s              # default timing.lbRegistration (a duration or distribution)
 *   deregistrationDelay: 1s            # default timing.lbDeregistration
 *   drainTime: 1s                      # after deregistration, before the finalizer goes (default 1s)
 *   readinessGate: rolloutsim.io/lb-ready   # condition type it sets True when registered (default)
 *   finalizer: lb.rolloutsim.io/demo-lb     # default lb.rolloutsim.io/<name>
 * ```
 *
 * The protocol, per (load balancer, pod):
 *
 *   none ──pod ready to register──► registering ──registrationDelay──► registered
 *     ▲      (finalizer added)                                          (routed; gate True)
 *     │                                                                     │ hold requested, pod
 *     │                                                                     │ deleting, not selected,
 *     │                                                                     ▼ containers not ready
 *   (finalizer removed) ◄──drainTime── draining ◄──deregistrationDelay── deregistering
 *                                      (not routed)                       (still routed)
 *
 * "Ready to register": the pod has an IP, is not terminal or being deleted, its containers are
 * ready (ContainersReady=True; Ready=True when the kubelet reports no ContainersReady), and no
 * hold is requested. A hold is the gate condition set to anything but True with a reason this
 * controller does not write — which is what a workload does before an upgrade or deletion
 * (`requestGracefulRemoval` in graceful.ts). The controller's own reasons are Registered (True)
 * and Deregistered / AwaitingRegistration (False).
 *
 * Pods that list the gate in spec.readinessGates only become Ready once registered
 * (kubernetes-semantics.md §5.4), so a rolling update cannot outrun the load balancer. The
 * finalizer keeps a pod object (and so its IP) from going away while the balancer may still send
 * to it. A finalizer does NOT delay the kubelet: a deleted pod gets its preStop hook and SIGTERM at
 * once (§5.2), so with a plain Deployment requests still arrive at a draining process until the
 * deregistration takes effect; see graceful.ts for what protects them.
 *
 * Timers model the external balancer applying changes; every API write (finalizers, the gate) is
 * made in `sync`, so a `controllerDown` fault stops the writes but not the balancer itself.
 */
import type { Draft } from "immer";
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import type { Pod, Service } from "../api/kinds.ts";
import type { KObject } from "../api/object.ts";
import { objectKey, splitKey } from "../api/object.ts";
import { isPodReady, isPodTerminal, podCondition } from "../api/pod.ts";
import { matchesSelector } from "../api/selector.ts";
import { Controller, type SyncResult } from "../controllers/controller.ts";
import type { EventId } from "../sim/event-queue.ts";
import { type Distribution, type RandomStream, sampleMs } from "../sim/random.ts";
import type { World } from "../world/world.ts";
import { addFinalizer, hasFinalizer, hasReadinessGate, removeFinalizer, setPodCondition } from "./conditions.ts";
import { type Backend, pickUniform } from "./dataplane.ts";
import { serviceSelector } from "./endpoints.ts";
import { distributionValue, durationValueMs } from "./spec-values.ts";

export const LOADBALANCER_CONTROLLER = "loadbalancer-controller";
/** The readiness gate condition type a LoadBalancer sets True once a pod is registered. */
export const DEFAULT_LB_READINESS_GATE = "rolloutsim.io/lb-ready";
/** Finalizer prefix; the default finalizer of LoadBalancer `x` is `lb.rolloutsim.io/x`. */
export const LB_FINALIZER_PREFIX = "lb.rolloutsim.io/";
export const DEFAULT_DRAIN_MS = 1000;

/** Gate condition reasons written by this controller; any other non-True reason is a workload's hold. */
export const REASON_REGISTERED = "Registered";
export const REASON_DEREGISTERED = "Deregistered";
export const REASON_AWAITING_REGISTRATION = "AwaitingRegistration";
const CONTROLLER_REASONS = new Set([REASON_REGISTERED, REASON_DEREGISTERED, REASON_AWAITING_REGISTRATION]);

export interface LoadBalancerSpec {
  service?: string;
  selector?: LabelSelector;
  registrationDelay?: unknown;
  deregistrationDelay?: unknown;
  drainTime?: unknown;
  readinessGate?: string;
  finalizer?: string;
}

export interface LoadBalancer extends KObject {
  readonly spec?: LoadBalancerSpec;
}

/** A LoadBalancer's spec with defaults applied. */
export interface LoadBalancerSettings {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly service: string | undefined;
  readonly selector: LabelSelector | undefined;
  readonly registration: Distribution;
  readonly deregistration: Distribution;
  readonly drainMs: number;
  readonly readinessGate: string;
  readonly finalizer: string;
}

export type TargetState = "registering" | "registered" | "deregistering" | "draining" | "drained";

interface Target {
  readonly lbKey: string;
  readonly podKey: string;
  readonly podUid: string;
  readonly backend: Backend;
  /** The finalizer and gate of the balancer when the target was made (a deleted balancer has no spec to read). */
  readonly finalizer: string;
  readonly readinessGate: string;
  state: TargetState;
  timer: EventId;
}

/** What the balancer sends new connections to, replaced whenever it changes. */
export interface LoadBalancerRoutes {
  readonly key: string;
  readonly version: number;
  readonly backends: readonly Backend[];
}

export type LoadBalancerListener = (lbKey: string) => void;

export function loadBalancerSettings(lb: LoadBalancer, world: World): LoadBalancerSettings {
  const spec = lb.spec ?? {};
  const timing = world.config.timing;
  return {
    key: objectKey(lb.metadata.namespace, lb.metadata.name),
    namespace: lb.metadata.namespace,
    name: lb.metadata.name,
    service: spec.service,
    selector: spec.selector,
    registration: distributionValue(spec.registrationDelay) ?? timing.lbRegistration,
    deregistration: distributionValue(spec.deregistrationDelay) ?? timing.lbDeregistration,
    drainMs: durationValueMs(spec.drainTime) ?? DEFAULT_DRAIN_MS,
    readinessGate: spec.readinessGate ?? DEFAULT_LB_READINESS_GATE,
    finalizer: spec.finalizer ?? `${LB_FINALIZER_PREFIX}${lb.metadata.name}`,
  };
}

/** True if a workload asked to take the pod out of rotation (the gate held not-True by someone else). */
export function holdRequested(pod: Pod, readinessGate: string): boolean {
  const condition = podCondition(pod, readinessGate);
  if (condition === undefined || condition.status === "True") return false;
  return !CONTROLLER_REASONS.has(condition.reason ?? "");
}

/** ContainersReady=True (or Ready=True when the kubelet reports no ContainersReady). */
export function containersReady(pod: Pod): boolean {
  const condition = podCondition(pod, "ContainersReady");
  return condition === undefined ? isPodReady(pod) : condition.status === "True";
}

export function readyToRegister(pod: Pod, settings: LoadBalancerSettings): boolean {
  if (pod.metadata.deletionTimestamp !== undefined || isPodTerminal(pod)) return false;
  if (pod.status?.podIP === undefined || pod.status.podIP === "") return false;
  return containersReady(pod) && !holdRequested(pod, settings.readinessGate);
}

export class LoadBalancerController extends Controller {
  private readonly targets = new Map<string, Map<string, Target>>();
  private readonly routesByLb = new Map<string, LoadBalancerRoutes>();
  private readonly settingsCache = new WeakMap<KObject, LoadBalancerSettings>();
  private readonly streams = new Map<string, RandomStream>();
  private readonly routedUids = new Map<string, number>();
  private readonly beforeChange: LoadBalancerListener[] = [];
  private readonly afterChange: LoadBalancerListener[] = [];
  private nextVersion = 1;
  private readonly registeredDue = (target: unknown): void => this.onRegistered(target as Target);
  private readonly deregisteredDue = (target: unknown): void => this.onDeregistered(target as Target);
  private readonly drainedDue = (target: unknown): void => this.onDrained(target as Target);

  constructor(world: World) {
    super(world, LOADBALANCER_CONTROLLER);
  }

  start(): void {
    const cache = this.world.cache;
    cache.on("Pod", (_type, pod) => {
      if (cache.count("LoadBalancer") > 0 || this.targets.size > 0) this.enqueue(pod);
    });
    cache.on("LoadBalancer", (type, lb) => {
      if (type === "DELETED") this.tearDown(objectKey(lb.metadata.namespace, lb.metadata.name));
      this.enqueuePodsIn(lb.metadata.namespace);
    });
    cache.on("Service", (_type, service) => {
      for (const lb of cache.list<LoadBalancer>("LoadBalancer")) {
        if (lb.metadata.namespace === service.metadata.namespace && lb.spec?.service === service.metadata.name) {
          this.enqueuePodsIn(lb.metadata.namespace);
          return;
        }
      }
    });
  }

  // ---- what the balancers route to --------------------------------------------------------------

  onBeforeChange(listener: LoadBalancerListener): void {
    this.beforeChange.push(listener);
  }

  onAfterChange(listener: LoadBalancerListener): void {
    this.afterChange.push(listener);
  }

  routes(lbKey: string): LoadBalancerRoutes | undefined {
    return this.routesByLb.get(lbKey);
  }

  /** The IPs LoadBalancer `lbKey` sends new connections to, in pod-name order. */
  routedIps(lbKey: string): string[] {
    return (this.routesByLb.get(lbKey)?.backends ?? []).map((backend) => backend.ip);
  }

  /** True if some balancer still routes to the pod with this uid. */
  isRouted(podUid: string): boolean {
    return (this.routedUids.get(podUid) ?? 0) > 0;
  }

  /** The state of a pod at a balancer, or undefined when it is not a target there. */
  targetState(lbKey: string, podUid: string): TargetState | undefined {
    for (const target of this.targets.get(lbKey)?.values() ?? []) if (target.podUid === podUid) return target.state;
    return undefined;
  }

  stream(lbKey: string): RandomStream {
    let stream = this.streams.get(lbKey);
    if (stream === undefined) {
      stream = this.world.random(`loadbalancer/${lbKey}/route`);
      this.streams.set(lbKey, stream);
    }
    return stream;
  }

  /** A backend for a new connection through the balancer (uniform); undefined: none registered. */
  route(lbKey: string): Backend | undefined {
    const backends = this.routesByLb.get(lbKey)?.backends;
    if (backends === undefined || backends.length === 0) return undefined;
    return pickUniform(backends, this.stream(lbKey));
  }

  /** The settings of a LoadBalancer as this controller sees it (from the cache). */
  settingsOf(lb: LoadBalancer): LoadBalancerSettings {
    let settings = this.settingsCache.get(lb);
    if (settings === undefined) {
      settings = loadBalancerSettings(lb, this.world);
      this.settingsCache.set(lb, settings);
    }
    return settings;
  }

  // ---- reconcile ----------------------------------------------------------------------------------

  protected sync(podKey: string): SyncResult {
    const { namespace, name } = splitKey(podKey);
    const pod = this.world.cache.get<Pod>("Pod", namespace, name);
    const lbs = [...this.world.cache.list<LoadBalancer>("LoadBalancer")]
      .filter((lb) => lb.metadata.namespace === namespace)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const lb of lbs) this.reconcile(this.settingsOf(lb), podKey, pod);
    return undefined;
  }

  private reconcile(settings: LoadBalancerSettings, podKey: string, pod: Pod | undefined): void {
    let target = this.targets.get(settings.key)?.get(podKey);
    if (target !== undefined && pod !== undefined && target.podUid !== pod.metadata.uid) {
      // The pod was replaced by a new one with the same name; the old one is gone.
      this.forget(target);
      target = undefined;
    }
    if (target?.state === "drained") {
      this.release(target);
      target = undefined;
    }
    const wanted = pod !== undefined && this.selects(settings, pod) && readyToRegister(pod, settings);
    if (target === undefined) {
      if (wanted) this.startRegistration(settings, pod as Pod, podKey);
      return;
    }
    if (!wanted) {
      if (target.state === "registering") this.cancelRegistration(target);
      else if (target.state === "registered") this.startDeregistration(settings, target);
      return;
    }
    if (target.state === "registered") this.markRegistered(settings, pod as Pod);
  }

  private selects(settings: LoadBalancerSettings, pod: Pod): boolean {
    if (pod.metadata.namespace !== settings.namespace) return false;
    if (settings.selector !== undefined) return matchesSelector(settings.selector, pod.metadata.labels);
    if (settings.service === undefined) return false;
    const service = this.world.cache.get<Service>("Service", settings.namespace, settings.service);
    const selector = service === undefined ? undefined : serviceSelector(service);
    return selector !== undefined && matchesSelector(selector, pod.metadata.labels);
  }

  /**
   * Adds the finalizer with an optimistic update based on the pod as this controller saw it: if a
   * workload wrote a hold since, the update conflicts and the sync is retried (it then sees the
   * hold). A finalizer that lands is therefore older than any later hold, and a workload that sees
   * its hold sees the finalizer too — no registration can slip past `gracefulRemovalDone`.
   */
  private startRegistration(settings: LoadBalancerSettings, pod: Pod, podKey: string): void {
    if (!hasFinalizer(pod, settings.finalizer))
      this.world.store.update(pod, (draft) => addFinalizer(draft, settings.finalizer));
    const target: Target = {
      lbKey: settings.key,
      podKey,
      podUid: pod.metadata.uid,
      backend: backendOf(pod, this.world),
      finalizer: settings.finalizer,
      readinessGate: settings.readinessGate,
      state: "registering",
      timer: 0,
    };
    this.targetsOf(settings.key).set(podKey, target);
    target.timer = this.world.kernel.schedule(
      sampleMs(settings.registration, this.delayStream(settings.key)),
      this.registeredDue,
      target,
    );
    this.traceTarget(target);
  }

  private cancelRegistration(target: Target): void {
    // The balancer never routed to it: no deregistration or drain is needed.
    this.world.kernel.cancel(target.timer);
    this.release(target);
  }

  private startDeregistration(settings: LoadBalancerSettings, target: Target): void {
    target.state = "deregistering";
    target.timer = this.world.kernel.schedule(
      sampleMs(settings.deregistration, this.delayStream(settings.key)),
      this.deregisteredDue,
      target,
    );
    this.traceTarget(target);
  }

  /** Sets the gate True on a registered pod that lists it (or already carries the condition). */
  private markRegistered(settings: LoadBalancerSettings, pod: Pod): void {
    const gate = settings.readinessGate;
    const condition = podCondition(pod, gate);
    if (condition?.status === "True" || (condition === undefined && !hasReadinessGate(pod, gate))) return;
    this.patchPod(pod, (draft) => {
      if (!holdRequested(draft as Pod, gate)) setPodCondition(draft, gate, "True", REASON_REGISTERED, this.world.nowMs);
    });
  }

  /** Drops the target and its finalizer; a pod still holding the gate True gets it set False. */
  private release(target: Target): void {
    this.forget(target);
    const current = this.world.store.get<Pod>("Pod", ...splitPodKey(target.podKey));
    if (current === undefined || current.metadata.uid !== target.podUid) return;
    const gate = target.readinessGate;
    const lowerGate =
      podCondition(current, gate)?.status === "True" && current.metadata.deletionTimestamp === undefined;
    if (!hasFinalizer(current, target.finalizer) && !lowerGate) return;
    this.patchPod(current, (draft) => {
      removeFinalizer(draft, target.finalizer);
      if (lowerGate) setPodCondition(draft, gate, "False", REASON_DEREGISTERED, this.world.nowMs);
    });
  }

  // ---- the balancer applying changes (timers) ----------------------------------------------------------

  private onRegistered(target: Target): void {
    if (target.state !== "registering") return;
    this.changeRoutes(target, "registered");
    this.queue.add(target.podKey);
  }

  private onDeregistered(target: Target): void {
    if (target.state !== "deregistering") return;
    const settings = this.currentSettings(target.lbKey);
    this.changeRoutes(target, "draining");
    target.timer = this.world.kernel.schedule(settings?.drainMs ?? 0, this.drainedDue, target);
  }

  private onDrained(target: Target): void {
    if (target.state !== "draining") return;
    target.state = "drained";
    this.traceTarget(target);
    this.queue.add(target.podKey);
  }

  private changeRoutes(target: Target, state: TargetState): void {
    for (const listener of this.beforeChange) listener(target.lbKey);
    const wasRouted = isRoutedState(target.state);
    target.state = state;
    const routed = isRoutedState(state);
    if (wasRouted !== routed) this.countRouted(target.podUid, routed ? 1 : -1);
    this.rebuildRoutes(target.lbKey);
    this.traceTarget(target);
    for (const listener of this.afterChange) listener(target.lbKey);
  }

  // ---- bookkeeping ---------------------------------------------------------------------------------------

  private forget(target: Target): void {
    this.world.kernel.cancel(target.timer);
    const targets = this.targets.get(target.lbKey);
    if (targets?.get(target.podKey) === target) targets.delete(target.podKey);
    if (isRoutedState(target.state)) {
      for (const listener of this.beforeChange) listener(target.lbKey);
      this.countRouted(target.podUid, -1);
      target.state = "drained";
      this.rebuildRoutes(target.lbKey);
      for (const listener of this.afterChange) listener(target.lbKey);
    }
  }

  /** A deleted LoadBalancer stops routing at once and releases every pod it protected. */
  private tearDown(lbKey: string): void {
    const targets = this.targets.get(lbKey);
    if (targets === undefined) return;
    for (const target of [...targets.values()]) {
      this.forget(target);
      const pod = this.world.store.get<Pod>("Pod", ...splitPodKey(target.podKey));
      if (pod !== undefined && pod.metadata.uid === target.podUid && hasFinalizer(pod, target.finalizer)) {
        this.patchPod(pod, (draft) => removeFinalizer(draft, target.finalizer));
      }
    }
    this.targets.delete(lbKey);
    this.routesByLb.delete(lbKey);
  }

  private rebuildRoutes(lbKey: string): void {
    const backends: Backend[] = [];
    for (const target of this.targets.get(lbKey)?.values() ?? [])
      if (isRoutedState(target.state)) backends.push(target.backend);
    backends.sort((a, b) => (a.podName < b.podName ? -1 : a.podName > b.podName ? 1 : 0));
    this.routesByLb.set(lbKey, { key: lbKey, version: this.nextVersion++, backends });
  }

  private countRouted(podUid: string, delta: number): void {
    const count = (this.routedUids.get(podUid) ?? 0) + delta;
    if (count <= 0) this.routedUids.delete(podUid);
    else this.routedUids.set(podUid, count);
  }

  private targetsOf(lbKey: string): Map<string, Target> {
    let targets = this.targets.get(lbKey);
    if (targets === undefined) {
      targets = new Map();
      this.targets.set(lbKey, targets);
    }
    return targets;
  }

  private currentSettings(lbKey: string): LoadBalancerSettings | undefined {
    const { namespace, name } = splitKey(lbKey);
    const lb = this.world.cache.get<LoadBalancer>("LoadBalancer", namespace, name);
    return lb === undefined ? undefined : this.settingsOf(lb);
  }

  private delayStream(lbKey: string): RandomStream {
    return this.world.random(`loadbalancer/${lbKey}`);
  }

  private enqueuePodsIn(namespace: string): void {
    for (const pod of this.world.cache.list<Pod>("Pod")) if (pod.metadata.namespace === namespace) this.enqueue(pod);
    for (const targets of this.targets.values()) for (const target of targets.values()) this.queue.add(target.podKey);
  }

  /** Patches the latest version of the pod if it is still the same pod. */
  private patchPod(pod: Pod, recipe: (draft: Draft<Pod>) => void): void {
    const current = this.world.store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
    if (current === undefined || current.metadata.uid !== pod.metadata.uid) return;
    this.world.store.patch<Pod>("Pod", current.metadata.namespace, current.metadata.name, recipe);
  }

  private traceTarget(target: Target): void {
    if (!this.world.trace.enabled) return;
    this.world.trace.record(this.world.nowMs, "LoadBalancer", {
      loadBalancer: target.lbKey,
      pod: target.backend.podName,
      ip: target.backend.ip,
      state: target.state,
    });
  }
}

function isRoutedState(state: TargetState): boolean {
  return state === "registered" || state === "deregistering";
}

function splitPodKey(podKey: string): [string, string] {
  const { namespace, name } = splitKey(podKey);
  return [namespace, name];
}

/** The backend a registered pod is, from its IP, node and the node's datacenter. */
export function backendOf(pod: Pod, world: World): Backend {
  const nodeName = pod.spec?.nodeName;
  return {
    ip: pod.status?.podIP ?? "",
    podUid: pod.metadata.uid,
    podName: pod.metadata.name,
    namespace: pod.metadata.namespace,
    nodeName,
    zone: nodeName === undefined ? undefined : world.config.nodes.find((node) => node.name === nodeName)?.datacenter,
  };
}

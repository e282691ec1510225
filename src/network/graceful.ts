/**
 * The workload's half of the graceful-shutdown protocol (CafeDeployment talk, workload-anchors.md
 * §1.8): before a pod is upgraded in place or deleted, the workload sets the load balancers'
 * readiness gate False, waits until every balancer has deregistered the IP, drained it and removed
 * its finalizer, and only then acts on the pod.
 *
 *   InPlaceSet/CafeDeployment                  LoadBalancer controller
 *   requestGracefulRemoval(pod)  ── gate False ──►  deregister IP (deregistrationDelay)
 *   poll gracefulRemovalDone(pod)                   drain (drainTime)
 *                               ◄── finalizer gone ─ remove finalizer
 *   delete the pod / upgrade it in place
 *   (in-place) readmitAfterUpgrade(pod) ─────────►  register again, gate True
 *
 * Why this and not a plain delete: a finalizer does not delay the kubelet. Deleting a registered
 * pod starts its preStop hook and then SIGTERM at once (kubernetes-semantics.md §5.2), while the
 * balancer still sends new connections until it has seen the deletion (watch delay) and its
 * deregistration has taken effect; those connections are refused by the draining process. A real
 * CafeDeployment user never sees that, because the InPlaceSet controller waits for the finalizers
 * before it touches the pod — so this protocol loses no request however slow the balancer is.
 * A plain Deployment behind the same balancer can only hide the gap with a preStop hook that
 * sleeps longer than watch delay + deregistration delay (+ drain), the usual Kubernetes guard;
 * without one it loses the requests sent in that window, which is what the simulator shows.
 *
 * The gate also makes Service (kube-proxy) traffic leave the pod when the pod lists the gate in
 * spec.readinessGates: Ready turns False, the EndpointSlice marks it not ready, and the data plane
 * stops routing after timing.endpointPropagation. The balancer's drain time should cover that
 * propagation; the helper below does not wait for kube-proxy (no real workload can see it).
 */
import type { Pod, Service } from "../api/kinds.ts";
import { podCondition } from "../api/pod.ts";
import { matchesSelector } from "../api/selector.ts";
import type { World } from "../world/world.ts";
import { hasFinalizer, setPodCondition } from "./conditions.ts";
import { serviceSelector } from "./endpoints.ts";
import {
  DEFAULT_LB_READINESS_GATE,
  type LoadBalancer,
  type LoadBalancerSettings,
  loadBalancerSettings,
  REASON_AWAITING_REGISTRATION,
} from "./loadbalancer.ts";

/** The reason the workload writes on the gate condition when it asks for removal. */
export const REASON_REMOVAL_REQUESTED = "RemovalRequested";

/** The LoadBalancers (as the workload's cache shows them) that select the pod, by name. */
export function loadBalancersFor(world: World, pod: Pod): LoadBalancerSettings[] {
  const out: LoadBalancerSettings[] = [];
  for (const lb of world.cache.list<LoadBalancer>("LoadBalancer")) {
    if (lb.metadata.namespace !== pod.metadata.namespace) continue;
    const settings = loadBalancerSettings(lb, world);
    if (selectsPod(world, settings, pod)) out.push(settings);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function selectsPod(world: World, settings: LoadBalancerSettings, pod: Pod): boolean {
  if (settings.selector !== undefined) return matchesSelector(settings.selector, pod.metadata.labels);
  if (settings.service === undefined) return false;
  const service = world.cache.get<Service>("Service", settings.namespace, settings.service);
  const selector = service === undefined ? undefined : serviceSelector(service);
  return selector !== undefined && matchesSelector(selector, pod.metadata.labels);
}

/** The gate condition types to hold: those of the pod's balancers, else the default gate if the pod lists it. */
function gatesFor(world: World, pod: Pod): string[] {
  const gates = new Set(loadBalancersFor(world, pod).map((settings) => settings.readinessGate));
  for (const gate of pod.spec?.readinessGates ?? [])
    if (gate.conditionType === DEFAULT_LB_READINESS_GATE) gates.add(gate.conditionType);
  return [...gates].sort();
}

/**
 * Asks every balancer to take the pod out of rotation: sets their gate conditions False with
 * reason RemovalRequested (a patch of the latest pod). Returns true if removal is already done
 * (no balancer protects the pod), so the caller may act at once.
 */
export function requestGracefulRemoval(world: World, pod: Pod): boolean {
  const current = world.store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
  if (current === undefined || current.metadata.uid !== pod.metadata.uid) return true;
  const gates = gatesFor(world, current);
  if (gates.length > 0) {
    world.store.patch<Pod>("Pod", current.metadata.namespace, current.metadata.name, (draft) => {
      for (const gate of gates) setPodCondition(draft, gate, "False", REASON_REMOVAL_REQUESTED, world.nowMs);
    });
  }
  return loadBalancersFor(world, current).every((settings) => !hasFinalizer(current, settings.finalizer));
}

/**
 * True once no balancer that selects the pod still holds its finalizer on it, judged on the pod
 * object passed in (a workload passes the version its cache shows, as a real controller would).
 * That version must already show the hold: a finalizer a balancer added just before the hold was
 * written is then visible too, so the answer cannot come from a view older than the request.
 */
export function gracefulRemovalDone(world: World, pod: Pod): boolean {
  for (const settings of loadBalancersFor(world, pod)) {
    if (hasFinalizer(pod, settings.finalizer)) return false;
    if (
      podCondition(pod, settings.readinessGate)?.reason !== REASON_REMOVAL_REQUESTED &&
      pod.metadata.deletionTimestamp === undefined
    ) {
      return false;
    }
  }
  return true;
}

/**
 * After an in-place upgrade: lifts the hold, so the balancers register the pod again once its
 * containers are ready and set the gate True (the talk's "ReadinessGate=true" step).
 */
export function readmitAfterUpgrade(world: World, pod: Pod): void {
  const current = world.store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
  if (current === undefined || current.metadata.uid !== pod.metadata.uid) return;
  const gates = gatesFor(world, current);
  if (gates.length === 0) return;
  world.store.patch<Pod>("Pod", current.metadata.namespace, current.metadata.name, (draft) => {
    for (const gate of gates) setPodCondition(draft, gate, "False", REASON_AWAITING_REGISTRATION, world.nowMs);
  });
}

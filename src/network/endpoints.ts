/**
 * The EndpointSlice controller: for every v1 Service with a selector it keeps one
 * discovery.k8s.io/v1 EndpointSlice listing the pods behind it, with the conditions
 * kube-controller-manager's endpointslice controller gives them (kubernetes-semantics.md §5.3;
 * staging/src/k8s.io/endpointslice/utils.go podToEndpoint, util/controller_utils.go
 * ShouldPodBeInEndpoints):
 *
 * - a pod is listed when it matches the selector, has a pod IP and is not terminal
 *   (Succeeded/Failed); pods being deleted are kept (EndpointSlices include terminating pods);
 * - serving = pod Ready; terminating = deletionTimestamp set;
 *   ready = publishNotReadyAddresses || (serving && !terminating).
 *
 * Slices hold at most MAX_ENDPOINTS_PER_SLICE (100, --max-endpoints-per-slice) endpoints and are
 * reconciled as staging/src/k8s.io/endpointslice/reconciler.go does: an endpoint stays in the slice
 * that has it (updated in place), endpoints that went away are removed, new endpoints fill slices
 * with room (those being rewritten anyway first), the rest go into new slices, a slice left empty
 * is deleted, and a Service with no endpoints keeps one empty placeholder slice.
 *
 * Differences from the real controller, on purpose: endpoints inside a slice are sorted by pod
 * name, and slice names are `<service>-<5 chars>` hashed from the Service's uid (and the slice's
 * number) instead of a random generateName suffix (a random suffix would draw from the API
 * server's name stream and shift pod names).
 *
 * Like the real controller it reads the informer cache (so it lags the store by watchDelay) and
 * writes only when the slice's content changes.
 */

import type { ServicePort } from "kubernetes-types/core/v1.js";
import type * as discovery from "kubernetes-types/discovery/v1.js";
import type { Pod, Service } from "../api/kinds.ts";
import { LABEL_ZONE } from "../api/kinds.ts";
import type { KObject, NewObject, Stored } from "../api/object.ts";
import { controllerRef, objectKey, splitKey } from "../api/object.ts";
import { isPodReady, isPodTerminal } from "../api/pod.ts";
import { matchesSelector, selectorFromMap } from "../api/selector.ts";
import { Controller, type SyncResult } from "../controllers/controller.ts";
import type { World } from "../world/world.ts";

export type EndpointSlice = Stored<discovery.EndpointSlice>;
export type Endpoint = discovery.Endpoint;
/** A slice as the controller wants it, before the API server fills in its metadata. */
type DesiredSlice = NewObject & Pick<EndpointSlice, "addressType" | "endpoints" | "ports">;

export const ENDPOINTSLICE_CONTROLLER = "endpointslice";
/** The label that ties a slice to its Service (discovery.LabelServiceName). */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
/** The label naming the slice's manager (discovery.LabelManagedBy). */
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
export const MANAGED_BY = "endpointslice-controller.k8s.io";

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Most endpoints one slice holds (kube-controller-manager's --max-endpoints-per-slice default). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/**
 * The name of a Service's `index`-th slice: `<name>-` plus five characters hashed (FNV-1a) from its
 * uid, and from the index for every slice after the first.
 */
export function sliceNameFor(service: KObject, index = 0): string {
  const seed = index === 0 ? service.metadata.uid : `${service.metadata.uid}/${index}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let suffix = "";
  for (let i = 0; i < 5; i++) {
    suffix += NAME_ALPHABET[hash % NAME_ALPHABET.length];
    hash = Math.floor(hash / NAME_ALPHABET.length);
  }
  return `${service.metadata.name}-${suffix}`;
}

/** The Service's selector as a label selector; undefined when it has none (slices are then user-managed). */
export function serviceSelector(service: Service): ReturnType<typeof selectorFromMap> {
  const selector = service.spec?.selector;
  if (selector === undefined || Object.keys(selector).length === 0) return undefined;
  return selectorFromMap(selector);
}

/** ShouldPodBeInEndpoints with includeTerminating = true (EndpointSlices keep terminating pods). */
export function shouldPodBeInSlice(pod: Pod): boolean {
  if (isPodTerminal(pod)) return false;
  return pod.status?.podIP !== undefined && pod.status.podIP !== "";
}

/** The endpoint conditions of §5.3, exactly. */
export function endpointConditions(pod: Pod, service: Service): Required<discovery.EndpointConditions> {
  const serving = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  return { ready, serving, terminating };
}

/** podToEndpoint: the pod's address, conditions, node, zone and a reference to it. */
export function podToEndpoint(pod: Pod, service: Service, zone: string | undefined): Endpoint {
  const endpoint: Endpoint = {
    addresses: [pod.status?.podIP as string],
    conditions: endpointConditions(pod, service),
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName !== undefined) endpoint.nodeName = pod.spec.nodeName;
  if (zone !== undefined) endpoint.zone = zone;
  return endpoint;
}

/** The slice's ports: one per Service port, with the numeric target port (named ports kept as the port). */
export function slicePorts(service: Service): discovery.EndpointPort[] {
  return (service.spec?.ports ?? []).map((port: ServicePort) => {
    const target = typeof port.targetPort === "number" ? port.targetPort : port.port;
    const out: discovery.EndpointPort = { port: target, protocol: port.protocol ?? "TCP" };
    if (port.name !== undefined) out.name = port.name;
    return out;
  });
}

export class EndpointSliceController extends Controller {
  /**
   * The endpoint made for a pod object, per publishNotReadyAddresses value. Pods are immutable
   * values, so an unchanged pod gives the very same endpoint object: rebuilding a slice of 500 pods
   * after one pod changed allocates one endpoint, and the comparison with the stored slice is by
   * identity for the others.
   */
  private readonly endpointCache = [new WeakMap<Pod, Endpoint>(), new WeakMap<Pod, Endpoint>()];
  private readonly zoneByNode = new Map<string, string | undefined>();

  constructor(world: World) {
    super(world, ENDPOINTSLICE_CONTROLLER);
  }

  start(): void {
    this.world.cache.on("Node", () => this.zoneByNode.clear());
    this.world.cache.on("Service", (_type, service) => this.enqueue(service));
    this.world.cache.on("Pod", (_type, pod, previous) =>
      this.enqueueServicesOf(pod as Pod, previous as Pod | undefined),
    );
  }

  /** Queues every Service whose selector matches the pod now or matched it before the change. */
  private enqueueServicesOf(pod: Pod, previous: Pod | undefined): void {
    for (const service of this.world.cache.list<Service>("Service")) {
      if (service.metadata.namespace !== pod.metadata.namespace) continue;
      const selector = serviceSelector(service);
      if (selector === undefined) continue;
      if (
        matchesSelector(selector, pod.metadata.labels) ||
        (previous !== undefined && matchesSelector(selector, previous.metadata.labels))
      ) {
        this.enqueue(service);
      }
    }
  }

  protected sync(key: string): SyncResult {
    const { namespace, name } = splitKey(key);
    const service = this.world.cache.get<Service>("Service", namespace, name);
    const selector = service === undefined ? undefined : serviceSelector(service);
    if (service === undefined || selector === undefined) {
      this.deleteSlices(this.managedSlices(namespace, name));
      return undefined;
    }
    const existing = this.managedSlices(namespace, name).filter((slice) => isOwnedBy(slice, service));
    this.deleteSlices(this.managedSlices(namespace, name).filter((slice) => !isOwnedBy(slice, service)));
    const plan = planSlices(existing, this.desiredEndpoints(service, selector));
    const ports = slicePorts(service);
    this.writeSlices(service, plan, existing, ports);
    return undefined;
  }

  /** Every endpoint the Service should have, by pod uid, in pod-name order. */
  private desiredEndpoints(
    service: Service,
    selector: NonNullable<ReturnType<typeof serviceSelector>>,
  ): Map<string, Endpoint> {
    const pods: Pod[] = [];
    for (const pod of this.world.cache.list<Pod>("Pod")) {
      if (pod.metadata.namespace !== service.metadata.namespace) continue;
      if (!matchesSelector(selector, pod.metadata.labels) || !shouldPodBeInSlice(pod)) continue;
      pods.push(pod);
    }
    pods.sort(byPodName);
    const desired = new Map<string, Endpoint>();
    for (const pod of pods) desired.set(pod.metadata.uid, this.endpointFor(pod, service));
    return desired;
  }

  /** Creates, updates and deletes slices as planned; writes only slices whose content changed. */
  private writeSlices(
    service: Service,
    plan: SlicePlan,
    existing: readonly EndpointSlice[],
    ports: discovery.EndpointPort[],
  ): void {
    const namespace = service.metadata.namespace;
    const byName = new Map(existing.map((slice) => [slice.metadata.name, slice]));
    for (const [sliceName, endpoints] of plan.keep) {
      const current = byName.get(sliceName) as EndpointSlice;
      const desired = this.sliceObject(service, sliceName, endpoints, ports);
      if (!sameContent(current, desired)) {
        this.world.store.patch<EndpointSlice>("EndpointSlice", namespace, sliceName, (draft) => {
          draft.endpoints = desired.endpoints;
          draft.ports = desired.ports;
        });
      }
    }
    let index = 0;
    for (const endpoints of plan.create) {
      let sliceName = sliceNameFor(service, index);
      while (byName.has(sliceName) || this.world.store.get("EndpointSlice", namespace, sliceName) !== undefined) {
        sliceName = sliceNameFor(service, ++index);
      }
      index++;
      this.world.store.create(this.sliceObject(service, sliceName, endpoints, ports));
    }
    this.deleteSlices(plan.remove.map((sliceName) => byName.get(sliceName) as EndpointSlice));
  }

  private sliceObject(
    service: Service,
    sliceName: string,
    endpoints: Endpoint[],
    ports: discovery.EndpointPort[],
  ): DesiredSlice {
    return {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: sliceName,
        namespace: service.metadata.namespace,
        labels: { [LABEL_SERVICE_NAME]: service.metadata.name, [LABEL_MANAGED_BY]: MANAGED_BY },
        ownerReferences: [controllerRef(service)],
      },
      addressType: "IPv4",
      endpoints,
      ports,
    };
  }

  private endpointFor(pod: Pod, service: Service): Endpoint {
    const cache = this.endpointCache[service.spec?.publishNotReadyAddresses === true ? 1 : 0] as WeakMap<Pod, Endpoint>;
    let endpoint = cache.get(pod);
    if (endpoint === undefined) {
      endpoint = podToEndpoint(pod, service, this.zoneOf(pod));
      cache.set(pod, endpoint);
    }
    return endpoint;
  }

  /** The zone of the pod's node: its topology.kubernetes.io/zone label, else its datacenter. */
  private zoneOf(pod: Pod): string | undefined {
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined) return undefined;
    if (this.zoneByNode.has(nodeName)) return this.zoneByNode.get(nodeName);
    const node = this.world.cache.get("Node", "", nodeName) ?? this.world.cache.get("Node", "default", nodeName);
    const zone =
      node?.metadata.labels?.[LABEL_ZONE] ??
      this.world.config.nodes.find((candidate) => candidate.name === nodeName)?.datacenter;
    this.zoneByNode.set(nodeName, zone);
    return zone;
  }

  /** The slices this controller made for the Service (by label), in name order. */
  private managedSlices(namespace: string, serviceName: string): EndpointSlice[] {
    const slices: EndpointSlice[] = [];
    for (const slice of this.world.store.list<EndpointSlice>("EndpointSlice")) {
      const labels = slice.metadata.labels;
      if (slice.metadata.namespace !== namespace || labels?.[LABEL_SERVICE_NAME] !== serviceName) continue;
      if (labels[LABEL_MANAGED_BY] === MANAGED_BY) slices.push(slice);
    }
    return slices.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  private deleteSlices(slices: readonly EndpointSlice[]): void {
    for (const slice of slices) {
      if (this.world.store.get("EndpointSlice", slice.metadata.namespace, slice.metadata.name) !== undefined) {
        this.world.store.delete("EndpointSlice", slice.metadata.namespace, slice.metadata.name);
      }
    }
  }
}

/** What to do with a Service's slices: new endpoint lists for kept slices, new slices, slices to delete. */
export interface SlicePlan {
  keep: Map<string, Endpoint[]>;
  create: Endpoint[][];
  remove: string[];
}

/**
 * Plans a Service's slices (after reconciler.go reconcileByAddressType): endpoints stay where they
 * are; removed ones leave; new ones fill slices with room, those that change anyway first, then the
 * fullest; what is left goes into new slices of up to MAX_ENDPOINTS_PER_SLICE. Empty slices are
 * removed, except one placeholder when the Service has no endpoint at all. Slices are taken in
 * name order and endpoints are sorted by pod name inside each slice.
 */
export function planSlices(existing: readonly EndpointSlice[], desired: ReadonlyMap<string, Endpoint>): SlicePlan {
  const placed = new Set<string>();
  const lists: { name: string; endpoints: Endpoint[]; changed: boolean }[] = [];
  for (const slice of existing) {
    const endpoints: Endpoint[] = [];
    let changed = false;
    for (const endpoint of slice.endpoints) {
      const uid = endpoint.targetRef?.uid;
      const wanted = uid === undefined ? undefined : desired.get(uid);
      if (wanted === undefined || placed.has(uid as string) || endpoints.length >= MAX_ENDPOINTS_PER_SLICE) {
        changed = true;
        continue;
      }
      placed.add(uid as string);
      if (wanted !== endpoint) changed = true;
      endpoints.push(wanted);
    }
    lists.push({ name: slice.metadata.name, endpoints, changed });
  }
  const fresh: Endpoint[] = [];
  for (const [uid, endpoint] of desired) if (!placed.has(uid)) fresh.push(endpoint);
  fillSlicesWithRoom(lists, fresh);
  const create: Endpoint[][] = [];
  for (let i = 0; i < fresh.length; i += MAX_ENDPOINTS_PER_SLICE) {
    create.push(fresh.slice(i, i + MAX_ENDPOINTS_PER_SLICE));
  }
  const keep = new Map<string, Endpoint[]>();
  const remove: string[] = [];
  const anyEndpoint = create.length > 0 || lists.some((list) => list.endpoints.length > 0);
  for (const list of lists) {
    // An empty slice goes, but a Service without endpoints keeps one placeholder slice.
    if (list.endpoints.length === 0 && (anyEndpoint || keep.size > 0)) {
      remove.push(list.name);
      continue;
    }
    keep.set(list.name, list.endpoints.sort(byEndpointPodName));
  }
  for (const endpoints of create) endpoints.sort(byEndpointPodName);
  if (keep.size === 0 && create.length === 0) create.push([]);
  return { keep, create, remove };
}

/** Moves endpoints from `fresh` into slices with room: slices already changing first, then the fullest. */
function fillSlicesWithRoom(
  lists: { name: string; endpoints: Endpoint[]; changed: boolean }[],
  fresh: Endpoint[],
): void {
  const order = [...lists].sort(
    (a, b) =>
      Number(b.changed) - Number(a.changed) ||
      b.endpoints.length - a.endpoints.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  let next = 0;
  for (const list of order) {
    while (next < fresh.length && list.endpoints.length < MAX_ENDPOINTS_PER_SLICE) {
      list.endpoints.push(fresh[next++] as Endpoint);
      list.changed = true;
    }
  }
  fresh.splice(0, next);
}

function byPodName(a: Pod, b: Pod): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

function byEndpointPodName(a: Endpoint, b: Endpoint): number {
  const nameA = a.targetRef?.name ?? "";
  const nameB = b.targetRef?.name ?? "";
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

function isOwnedBy(slice: EndpointSlice, service: Service): boolean {
  return slice.metadata.ownerReferences?.some((ref) => ref.uid === service.metadata.uid) === true;
}

function sameContent(current: EndpointSlice, desired: DesiredSlice): boolean {
  const a = current.endpoints;
  const b = desired.endpoints;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !sameEndpoint(a[i] as Endpoint, b[i] as Endpoint)) return false;
  return JSON.stringify(current.ports ?? []) === JSON.stringify(desired.ports ?? []);
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return (
    a.addresses[0] === b.addresses[0] &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.targetRef?.uid === b.targetRef?.uid &&
    a.targetRef?.name === b.targetRef?.name
  );
}

/** Key of the Service a slice belongs to ("namespace/name"), or undefined for a slice without the label. */
export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return serviceName === undefined ? undefined : objectKey(slice.metadata.namespace, serviceName);
}

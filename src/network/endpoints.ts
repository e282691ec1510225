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
 * Differences from the real controller, on purpose: one slice per Service whatever its size (the
 * real one splits at 100 endpoints), endpoints sorted by pod name (deterministic), and a slice
 * name `<service>-<5 chars>` derived from the Service's uid instead of a random generateName
 * suffix (a random suffix would draw from the API server's name stream and shift pod names).
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

/** The slice name for a Service: `<name>-` plus five characters hashed from its uid (FNV-1a). */
export function sliceNameFor(service: KObject): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < service.metadata.uid.length; i++) {
    hash ^= service.metadata.uid.charCodeAt(i);
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
      this.deleteManagedSlices(namespace, name, undefined);
      return undefined;
    }
    const sliceName = sliceNameFor(service);
    this.deleteManagedSlices(namespace, name, sliceName);
    const desired = this.desiredSlice(service, sliceName, selector);
    const current = this.world.store.get<EndpointSlice>("EndpointSlice", namespace, sliceName);
    if (current === undefined) {
      this.world.store.create(desired);
    } else if (!sameContent(current, desired)) {
      this.world.store.patch<EndpointSlice>("EndpointSlice", namespace, sliceName, (draft) => {
        draft.endpoints = desired.endpoints;
        draft.ports = desired.ports;
      });
    }
    return undefined;
  }

  private desiredSlice(
    service: Service,
    sliceName: string,
    selector: NonNullable<ReturnType<typeof serviceSelector>>,
  ): DesiredSlice {
    const pods: Pod[] = [];
    for (const pod of this.world.cache.list<Pod>("Pod")) {
      if (pod.metadata.namespace !== service.metadata.namespace) continue;
      if (!matchesSelector(selector, pod.metadata.labels) || !shouldPodBeInSlice(pod)) continue;
      pods.push(pod);
    }
    pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
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
      endpoints: pods.map((pod) => this.endpointFor(pod, service)),
      ports: slicePorts(service),
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

  /** Deletes slices this controller made for the Service, except `keep` (a recreated Service gets a new name). */
  private deleteManagedSlices(namespace: string, serviceName: string, keep: string | undefined): void {
    const stale: string[] = [];
    for (const slice of this.world.store.list<EndpointSlice>("EndpointSlice")) {
      const labels = slice.metadata.labels;
      if (slice.metadata.namespace !== namespace || labels?.[LABEL_SERVICE_NAME] !== serviceName) continue;
      if (labels[LABEL_MANAGED_BY] !== MANAGED_BY || slice.metadata.name === keep) continue;
      stale.push(slice.metadata.name);
    }
    for (const sliceName of stale) {
      if (this.world.store.get("EndpointSlice", namespace, sliceName) !== undefined) {
        this.world.store.delete("EndpointSlice", namespace, sliceName);
      }
    }
  }
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

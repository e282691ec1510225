/**
 * The data plane: what kube-proxy programs on the nodes, and how it picks a backend for a new
 * connection to a Service.
 *
 * One data plane serves the whole cluster (every node's kube-proxy sees the same view; per-node or
 * per-datacenter skew is not modelled). It learns Service and EndpointSlice changes from the store
 * `timing.endpointPropagation` late: each change is applied at now + a sampled delay, in FIFO order
 * (a watch stream never reorders, so a later change never lands before an earlier one).
 *
 * Routing follows kube-proxy (pkg/proxy/topology.go CategorizeEndpoints, iptables mode):
 * - new connections go to an endpoint whose `ready` condition is true (nil counts as ready, per
 *   the EndpointConditions API doc);
 * - if a Service has no ready endpoint, it falls back to endpoints that are `serving` and
 *   `terminating` (ProxyTerminatingEndpoints, GA in 1.28);
 * - the choice among candidates is uniform random (iptables' statistic module), drawn from the
 *   stream "dataplane/<namespace>/<service>";
 * - `sessionAffinity: ClientIP` keeps a client IP on the endpoint it used last, for
 *   `sessionAffinityConfig.clientIP.timeoutSeconds` (default 10800) since its last connection, as
 *   long as that endpoint is still a candidate.
 */
import type { Service } from "../api/kinds.ts";
import type { KObject } from "../api/object.ts";
import { objectKey } from "../api/object.ts";
import type { WatchEventType } from "../api/store.ts";
import { type RandomStream, sampleMs } from "../sim/random.ts";
import type { Component, World } from "../world/world.ts";
import { type Endpoint, type EndpointSlice, serviceKeyOfSlice } from "./endpoints.ts";

export const DATAPLANE_COMPONENT = "dataplane";
/** v1.DefaultClientIPServiceAffinitySeconds. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

/** One address a connection can be sent to, with the pod behind it. */
export interface Backend {
  readonly ip: string;
  readonly podUid: string;
  readonly podName: string;
  readonly namespace: string;
  readonly nodeName: string | undefined;
  readonly zone: string | undefined;
}

/** The data plane's view of one Service, replaced (never mutated) whenever it changes. */
export interface ServiceRoutes {
  readonly key: string;
  /** Increases with every change of this Service's view. */
  readonly version: number;
  readonly ready: readonly Backend[];
  readonly servingTerminating: readonly Backend[];
  /** Where new connections go: the ready endpoints, else the serving terminating ones. */
  readonly candidates: readonly Backend[];
  /** 0: no session affinity; else the ClientIP affinity timeout. */
  readonly affinityTimeoutMs: number;
}

interface PendingChange {
  readonly type: WatchEventType;
  readonly object: KObject;
  readonly applyAtMs: number;
}

interface ServiceState {
  service: Service | undefined;
  readonly slices: Map<string, EndpointSlice>;
  routes: ServiceRoutes;
  candidateIps: Map<string, Backend> | null;
}

interface AffinityEntry {
  ip: string;
  lastMs: number;
}

export type RoutesListener = (serviceKey: string) => void;

export class DataPlane implements Component {
  readonly name = DATAPLANE_COMPONENT;
  private readonly pending: PendingChange[] = [];
  private pendingHead = 0;
  private lastApplyAtMs = 0;
  private timerArmed = false;
  private readonly services = new Map<string, ServiceState>();
  private readonly affinity = new Map<string, Map<string, AffinityEntry>>();
  private readonly streams = new Map<string, RandomStream>();
  private readonly beforeChange: RoutesListener[] = [];
  private readonly afterChange: RoutesListener[] = [];
  private readonly propagation: RandomStream;
  private readonly applyDue = (): void => this.applyPending();
  private nextVersion = 1;

  constructor(private readonly world: World) {
    this.propagation = world.random("dataplane/propagation");
  }

  start(): void {
    for (const service of this.world.store.list("Service")) this.enqueue("ADDED", service);
    for (const slice of this.world.store.list("EndpointSlice")) this.enqueue("ADDED", slice);
    this.world.store.watch((type, object) => {
      if (object.kind === "Service" || object.kind === "EndpointSlice") this.enqueue(type, object);
    });
  }

  /** Called just before a Service's view changes (aggregated traffic settles the past first). */
  onBeforeChange(listener: RoutesListener): void {
    this.beforeChange.push(listener);
  }

  /** Called just after a Service's view changed. */
  onAfterChange(listener: RoutesListener): void {
    this.afterChange.push(listener);
  }

  /** The current view of a Service ("namespace/name"), or undefined if the data plane does not know it. */
  routes(serviceKey: string): ServiceRoutes | undefined {
    const state = this.services.get(serviceKey);
    return state?.service === undefined ? undefined : state.routes;
  }

  /** The random stream kube-proxy's choices for this Service draw from. */
  stream(serviceKey: string): RandomStream {
    let stream = this.streams.get(serviceKey);
    if (stream === undefined) {
      stream = this.world.random(`dataplane/${serviceKey}`);
      this.streams.set(serviceKey, stream);
    }
    return stream;
  }

  /** The backend a new connection from `clientIp` to the Service goes to; undefined: no endpoint. */
  route(serviceKey: string, clientIp: string): Backend | undefined {
    const state = this.services.get(serviceKey);
    if (state?.service === undefined) return undefined;
    const routes = state.routes;
    const candidates = routes.candidates;
    if (candidates.length === 0) return undefined;
    if (routes.affinityTimeoutMs === 0) return pickUniform(candidates, this.stream(serviceKey));
    return this.routeWithAffinity(state, clientIp);
  }

  private routeWithAffinity(state: ServiceState, clientIp: string): Backend {
    const routes = state.routes;
    const nowMs = this.world.nowMs;
    let table = this.affinity.get(routes.key);
    if (table === undefined) {
      table = new Map();
      this.affinity.set(routes.key, table);
    }
    const entry = table.get(clientIp);
    if (entry !== undefined && nowMs - entry.lastMs < routes.affinityTimeoutMs) {
      const sticky = findByIp(routes.candidates, entry.ip, state);
      if (sticky !== undefined) {
        entry.lastMs = nowMs;
        return sticky;
      }
    }
    const chosen = pickUniform(routes.candidates, this.stream(routes.key));
    if (entry === undefined) table.set(clientIp, { ip: chosen.ip, lastMs: nowMs });
    else {
      entry.ip = chosen.ip;
      entry.lastMs = nowMs;
    }
    return chosen;
  }

  // ---- the lagged view ------------------------------------------------------------------------

  private enqueue(type: WatchEventType, object: KObject): void {
    const delay = sampleMs(this.world.config.timing.endpointPropagation, this.propagation);
    const applyAtMs = Math.max(this.lastApplyAtMs, this.world.nowMs + delay);
    this.lastApplyAtMs = applyAtMs;
    this.pending.push({ type, object, applyAtMs });
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timerArmed || this.pendingHead >= this.pending.length) return;
    this.timerArmed = true;
    this.world.kernel.scheduleAt((this.pending[this.pendingHead] as PendingChange).applyAtMs, this.applyDue);
  }

  private applyPending(): void {
    this.timerArmed = false;
    const nowMs = this.world.nowMs;
    const end = this.pending.length;
    while (this.pendingHead < end) {
      const change = this.pending[this.pendingHead] as PendingChange;
      if (change.applyAtMs > nowMs) break;
      this.pendingHead++;
      this.apply(change.type, change.object);
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    this.armTimer();
  }

  private apply(type: WatchEventType, object: KObject): void {
    const serviceKey =
      object.kind === "Service"
        ? objectKey(object.metadata.namespace, object.metadata.name)
        : serviceKeyOfSlice(object as EndpointSlice);
    if (serviceKey === undefined) return;
    for (const listener of this.beforeChange) listener(serviceKey);
    const state = this.stateOf(serviceKey);
    if (object.kind === "Service") {
      state.service = type === "DELETED" ? undefined : (object as Service);
    } else if (type === "DELETED") {
      state.slices.delete(object.metadata.name);
    } else {
      state.slices.set(object.metadata.name, object as EndpointSlice);
    }
    this.rebuild(state);
    for (const listener of this.afterChange) listener(serviceKey);
  }

  private stateOf(serviceKey: string): ServiceState {
    let state = this.services.get(serviceKey);
    if (state === undefined) {
      state = { service: undefined, slices: new Map(), routes: emptyRoutes(serviceKey), candidateIps: null };
      this.services.set(serviceKey, state);
    }
    return state;
  }

  private rebuild(state: ServiceState): void {
    const ready: Backend[] = [];
    const servingTerminating: Backend[] = [];
    const seen = new Set<string>();
    const sliceNames = [...state.slices.keys()].sort();
    for (const sliceName of sliceNames) {
      const slice = state.slices.get(sliceName) as EndpointSlice;
      for (const endpoint of slice.endpoints) {
        const ip = endpoint.addresses[0];
        if (ip === undefined || seen.has(ip)) continue;
        seen.add(ip);
        const conditions = endpoint.conditions ?? {};
        const isReady = conditions.ready !== false;
        const serving = conditions.serving ?? isReady;
        if (isReady) ready.push(toBackend(endpoint, slice));
        else if (serving && conditions.terminating === true) servingTerminating.push(toBackend(endpoint, slice));
      }
    }
    ready.sort(byPodName);
    servingTerminating.sort(byPodName);
    const previous = state.routes;
    const affinityTimeoutMs = affinityTimeoutOf(state.service);
    if (
      sameBackends(previous.ready, ready) &&
      sameBackends(previous.servingTerminating, servingTerminating) &&
      previous.affinityTimeoutMs === affinityTimeoutMs
    ) {
      return;
    }
    state.routes = {
      key: state.routes.key,
      version: this.nextVersion++,
      ready,
      servingTerminating,
      candidates: ready.length > 0 ? ready : servingTerminating,
      affinityTimeoutMs,
    };
    state.candidateIps = null;
    if (this.world.trace.enabled) {
      this.world.trace.record(this.world.nowMs, "DataPlane", {
        service: state.routes.key,
        ready: ready.map((backend) => backend.ip),
        servingTerminating: servingTerminating.map((backend) => backend.ip),
      });
    }
  }
}

function emptyRoutes(key: string): ServiceRoutes {
  return { key, version: 0, ready: [], servingTerminating: [], candidates: [], affinityTimeoutMs: 0 };
}

function affinityTimeoutOf(service: Service | undefined): number {
  if (service?.spec?.sessionAffinity !== "ClientIP") return 0;
  const seconds = service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  return Math.max(1, seconds) * 1000;
}

function toBackend(endpoint: Endpoint, slice: EndpointSlice): Backend {
  const ref = endpoint.targetRef;
  return {
    ip: endpoint.addresses[0] as string,
    podUid: ref?.uid ?? "",
    podName: ref?.name ?? "",
    namespace: ref?.namespace ?? slice.metadata.namespace,
    nodeName: endpoint.nodeName,
    zone: endpoint.zone,
  };
}

function byPodName(a: Backend, b: Backend): number {
  if (a.podName !== b.podName) return a.podName < b.podName ? -1 : 1;
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0;
}

function sameBackends(a: readonly Backend[], b: readonly Backend[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Backend;
    const y = b[i] as Backend;
    if (x.ip !== y.ip || x.podUid !== y.podUid || x.nodeName !== y.nodeName || x.zone !== y.zone) return false;
  }
  return true;
}

function findByIp(candidates: readonly Backend[], ip: string, state: ServiceState): Backend | undefined {
  if (state.candidateIps === null) state.candidateIps = new Map(candidates.map((backend) => [backend.ip, backend]));
  return state.candidateIps.get(ip);
}

/** A uniformly random element (iptables' statistic --mode random chain). */
export function pickUniform<T>(items: readonly T[], stream: RandomStream): T {
  return items.length === 1 ? (items[0] as T) : (items[Math.floor(stream.next() * items.length)] as T);
}

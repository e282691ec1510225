/**
 * A World is one simulated cluster: the kernel, the API store, the shared informer cache, the
 * configuration, and the components (controllers, scheduler, kubelets, networking, traffic) that
 * run in it. Components are started in registration order, which is part of what makes a run
 * deterministic.
 */
import { InformerCache } from "../api/informer.ts";
import type { KObject } from "../api/object.ts";
import { controllerOf } from "../api/object.ts";
import { Store } from "../api/store.ts";
import { Kernel } from "../sim/kernel.ts";
import type { RandomStream } from "../sim/random.ts";
import { Trace } from "../sim/trace.ts";
import { DEFAULT_IMAGE_PROFILE, type ImageProfile, type WorldConfig } from "./config.ts";

/** Anything that runs inside the world: a controller, the scheduler, kubelets, the data plane. */
export interface Component {
  /** Unique name; faults such as controllerDown address components by it. */
  readonly name: string;
  /** Registers watch handlers and timers. Called once, at virtual time 0, in registration order. */
  start(): void;
  /** Stops reacting (controllerDown); optional. */
  suspend?(): void;
  /** Resumes after suspend, catching up on what it missed. */
  resume?(): void;
}

export type EventSeverity = "Normal" | "Warning";

/** A Kubernetes Event, kept as a trace record and counted by reason. */
export interface RecordedEvent {
  readonly atMs: number;
  readonly severity: EventSeverity;
  readonly reason: string;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

/** The most Events kept in memory; later ones are only counted and traced. */
const MAX_KEPT_EVENTS = 10_000;

export class World {
  readonly kernel: Kernel;
  readonly trace: Trace;
  readonly store: Store;
  /** The controller-manager's shared informers: what controllers, scheduler and kubelets read. */
  readonly cache: InformerCache;
  readonly events: RecordedEvent[] = [];
  readonly eventCounts = new Map<string, number>();
  private readonly components: Component[] = [];
  private readonly componentsByName = new Map<string, Component>();
  private started = false;

  constructor(readonly config: WorldConfig) {
    this.kernel = new Kernel(config.seed, config.limits);
    this.trace = new Trace(config.trace.mode, config.trace.file);
    this.store = new Store(this.kernel, this.trace);
    this.cache = new InformerCache(this.kernel, this.store, "controller-manager", config.timing.watchDelay);
    addStandardIndexes(this.cache);
  }

  get nowMs(): number {
    return this.kernel.nowMs;
  }

  random(name: string): RandomStream {
    return this.kernel.random(name);
  }

  image(name: string): ImageProfile {
    return this.config.images.get(name) ?? DEFAULT_IMAGE_PROFILE;
  }

  /** Adds a component; it starts with the world (or at once if the world already started). */
  register<T extends Component>(component: T): T {
    if (this.componentsByName.has(component.name)) {
      throw new Error(`component ${component.name} registered twice`);
    }
    this.components.push(component);
    this.componentsByName.set(component.name, component);
    if (this.started) component.start();
    return component;
  }

  component<T extends Component = Component>(name: string): T | undefined {
    return this.componentsByName.get(name) as T | undefined;
  }

  componentNames(): string[] {
    return this.components.map((component) => component.name);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const component of this.components) component.start();
  }

  /** Records a Kubernetes Event about `object` (as an EventRecorder would). */
  recordEvent(object: KObject, severity: EventSeverity, reason: string, message: string): void {
    this.eventCounts.set(reason, (this.eventCounts.get(reason) ?? 0) + 1);
    const event: RecordedEvent = {
      atMs: this.kernel.nowMs,
      severity,
      reason,
      kind: object.kind,
      name: object.metadata.name,
      message,
    };
    if (this.events.length < MAX_KEPT_EVENTS) this.events.push(event);
    if (this.trace.enabled) {
      this.trace.record(event.atMs, "Event", {
        severity,
        reason,
        involvedObject: { kind: event.kind, namespace: object.metadata.namespace, name: event.name },
        message,
      });
    }
  }
}

/** Index names every world's cache has. */
export const INDEX_PODS_BY_NODE = "pods-by-node";
export const INDEX_PODS_BY_CONTROLLER = "pods-by-controller";
export const INDEX_REPLICASETS_BY_CONTROLLER = "replicasets-by-controller";
/** Pods without a controller ownerReference, by namespace (adoption candidates). */
export const INDEX_ORPHAN_PODS_BY_NAMESPACE = "orphan-pods-by-namespace";

function addStandardIndexes(cache: InformerCache): void {
  cache.addIndex(INDEX_PODS_BY_NODE, "Pod", (pod) => (pod.spec as { nodeName?: string } | undefined)?.nodeName);
  cache.addIndex(INDEX_PODS_BY_CONTROLLER, "Pod", (pod) => controllerOf(pod)?.uid);
  cache.addIndex(INDEX_REPLICASETS_BY_CONTROLLER, "ReplicaSet", (rs) => controllerOf(rs)?.uid);
  cache.addIndex(INDEX_ORPHAN_PODS_BY_NAMESPACE, "Pod", (pod) =>
    controllerOf(pod) === undefined ? pod.metadata.namespace : undefined,
  );
}

/**
 * Fault injection: turns a scenario's `fault:` entries into calls on the components they break,
 * and heals them (after `for:`, on `heal`, or never). Every fault is traced with its time.
 */
import type { Pod } from "../api/kinds.ts";
import { controllerOf } from "../api/object.ts";
import { KUBELET_COMPONENT } from "../cluster/runtime.ts";
import type { FaultSpec, ObjectRef } from "../scenario/model.ts";
import { type Distribution, type RandomStream, sampleMs } from "../sim/random.ts";
import type { Component, World } from "../world/world.ts";

/** What the nodes component offers to faults. */
export interface NodeFaults {
  setNodeDown(name: string, down: boolean): void;
}

/** What the kubelet component offers to faults. */
export interface KubeletFaults {
  setImagePullFailing(image: string, failing: boolean): void;
  crashContainer(podUid: string): void;
  setNodePartitioned(name: string, partitioned: boolean): void;
}

export interface FaultOutcome {
  ok: boolean;
  message: string;
}

interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly heal: () => void;
  healTimer: number | null;
}

/** A fault that happens at once and has nothing to heal (a container crash). */
const INSTANT = Symbol("instant");

export class FaultInjector {
  private readonly active = new Map<string, ActiveFault>();
  /** How many active faults hold each node or controller down. */
  private readonly holds = new Map<string, number>();
  /** Active watchDelay faults, oldest first. */
  private readonly delays: { id: string; delay: Distribution }[] = [];

  constructor(private readonly world: World) {}

  get activeIds(): string[] {
    return [...this.active.keys()];
  }

  /** Starts a fault; heals it after `forMs` when given. */
  inject(id: string, spec: FaultSpec, forMs?: number): FaultOutcome {
    if (this.active.has(id)) return { ok: false, message: `fault ${id} is already active` };
    const started = this.start(id, spec);
    if (typeof started === "string") return { ok: false, message: started };
    if (started === INSTANT) {
      this.trace("Fault", id, spec, "start");
      return { ok: true, message: `fault ${id} (${spec.type}) happened` };
    }
    const fault: ActiveFault = { id, spec, heal: started, healTimer: null };
    this.active.set(id, fault);
    this.trace("Fault", id, spec, "start");
    if (forMs !== undefined) {
      fault.healTimer = this.world.kernel.schedule(forMs, () => this.heal(id));
    }
    return { ok: true, message: `fault ${id} (${spec.type}) started` };
  }

  /** Heals one fault, or every active fault when no id is given (in the order they started). */
  heal(id?: string): FaultOutcome {
    if (id === undefined) {
      const ids = this.activeIds;
      for (const each of ids) this.heal(each);
      return { ok: true, message: ids.length === 0 ? "no active faults" : `healed ${ids.join(", ")}` };
    }
    const fault = this.active.get(id);
    if (fault === undefined) return { ok: false, message: `no active fault named ${id}` };
    this.active.delete(id);
    this.world.kernel.cancel(fault.healTimer);
    fault.heal();
    this.trace("Fault", id, fault.spec, "heal");
    return { ok: true, message: `fault ${id} healed` };
  }

  /**
   * Applies a fault; returns how to heal it, INSTANT for a fault with nothing to heal (a crash),
   * or a message saying why it cannot apply. Overlapping faults on the same thing (two nodeDown
   * on one node, two watchDelay) are counted, so healing one leaves the other in force.
   */
  private start(id: string, spec: FaultSpec): (() => void) | typeof INSTANT | string {
    switch (spec.type) {
      case "nodeDown":
        return this.nodeDown(spec.node, spec.datacenter);
      case "controllerDown":
        return this.controllerDown(spec.controller);
      case "watchDelay":
        return this.watchDelay(id, spec.delay);
      case "imagePullFailure": {
        const kubelet = this.kubelet();
        if (typeof kubelet === "string") return kubelet;
        kubelet.setImagePullFailing(spec.image, true);
        return () => kubelet.setImagePullFailing(spec.image, false);
      }
      case "podCrash":
        return this.podCrash(spec.target, spec.count);
      case "chaos":
        return this.chaos(id, spec);
      case "partition":
        return this.partition(spec.datacenter);
      default:
        return `fault ${(spec as { type: string }).type} is not supported yet`;
    }
  }

  private nodeDown(node: string | undefined, datacenter: string | undefined): (() => void) | string {
    const nodes = this.world.component<Component & Partial<NodeFaults>>("nodes");
    if (nodes?.setNodeDown === undefined) return "no nodes component to take down";
    const names = this.world.config.nodes
      .filter((each) => each.name === node || (datacenter !== undefined && each.datacenter === datacenter))
      .map((each) => each.name);
    if (names.length === 0) return `no node matches ${node ?? `datacenter ${datacenter}`}`;
    for (const name of names) {
      if (this.hold(`node/${name}`)) nodes.setNodeDown(name, true);
    }
    return () => {
      for (const name of names) {
        if (this.release(`node/${name}`)) nodes.setNodeDown?.(name, false);
      }
    };
  }

  private controllerDown(name: string): (() => void) | string {
    const component = this.world.component(name);
    if (component?.suspend === undefined || component.resume === undefined) {
      return `no controller named ${name} can be taken down (known: ${this.world.componentNames().join(", ")})`;
    }
    if (this.hold(`controller/${name}`)) component.suspend();
    return () => {
      if (this.release(`controller/${name}`)) component.resume?.();
    };
  }

  /** A datacenter's nodes lose the control plane but keep serving (counted like nodeDown). */
  private partition(datacenter: string): (() => void) | string {
    const kubelet = this.kubelet();
    if (typeof kubelet === "string") return kubelet;
    const names = this.world.config.nodes.filter((each) => each.datacenter === datacenter).map((each) => each.name);
    if (names.length === 0) return `no datacenter named ${datacenter}`;
    for (const name of names) {
      if (this.hold(`partition/${name}`)) kubelet.setNodePartitioned(name, true);
    }
    return () => {
      for (const name of names) {
        if (this.release(`partition/${name}`)) kubelet.setNodePartitioned(name, false);
      }
    };
  }

  /** The latest watchDelay fault in force wins; healing it restores the one before, or the configured delay. */
  private watchDelay(id: string, delay: Distribution): () => void {
    const cache = this.world.cache;
    this.delays.push({ id, delay });
    cache.setDelay(delay);
    return () => {
      const index = this.delays.findIndex((each) => each.id === id);
      if (index >= 0) this.delays.splice(index, 1);
      cache.setDelay(this.delays[this.delays.length - 1]?.delay ?? this.world.config.timing.watchDelay);
    };
  }

  /**
   * Random faults for a window: each fault type arrives as a Poisson process at its rate, from its
   * own stream ("faults/chaos/<id>/<type>"), picks its victim uniformly (nodes, pods and images in
   * name order, controllers among those that can be taken down) and, but for a pod crash, lasts a
   * sampled duration that ends with the window at the latest. Healing the chaos fault ends the
   * window and heals whatever it started.
   */
  private chaos(id: string, spec: Extract<FaultSpec, { type: "chaos" }>): () => void {
    const kernel = this.world.kernel;
    const endMs = kernel.nowMs + spec.windowMs;
    const started: string[] = [];
    const timers: number[] = [];
    let count = 0;
    const types = Object.keys(spec.ratesPerHour).sort();
    for (const type of types) {
      const ratePerHour = spec.ratesPerHour[type] as number;
      if (ratePerHour <= 0) continue;
      const stream = this.world.random(`faults/chaos/${id}/${type}`);
      const meanGapMs = 3_600_000 / ratePerHour;
      const arrive = (): void => {
        const faultSpec = this.chaosVictim(type, stream);
        if (faultSpec !== null) {
          const subId = `${id}/${type}-${++count}`;
          const lastsMs = Math.max(1, Math.min(sampleMs(spec.duration, stream), endMs - kernel.nowMs));
          const outcome = this.inject(subId, faultSpec, faultSpec.type === "podCrash" ? undefined : lastsMs);
          if (outcome.ok && this.active.has(subId)) started.push(subId);
        }
        const nextMs = kernel.nowMs + sampleMs({ kind: "exponential", meanMs: meanGapMs }, stream);
        if (nextMs < endMs) timers.push(kernel.scheduleAt(nextMs, arrive));
      };
      const firstMs = kernel.nowMs + sampleMs({ kind: "exponential", meanMs: meanGapMs }, stream);
      if (firstMs < endMs) timers.push(kernel.scheduleAt(firstMs, arrive));
    }
    const stop = (): void => {
      for (const timer of timers) kernel.cancel(timer);
      for (const subId of started) if (this.active.has(subId)) this.heal(subId);
    };
    // The window's end heals the chaos fault itself (and so, through `stop`, what it started).
    timers.push(kernel.scheduleAt(endMs, () => this.heal(id)));
    return stop;
  }

  /** The concrete fault a chaos arrival of `type` causes, or null when there is nothing to hit. */
  private chaosVictim(type: string, stream: RandomStream): FaultSpec | null {
    const pick = <T>(items: readonly T[]): T | null =>
      items.length === 0 ? null : (items[Math.floor(stream.next() * items.length)] as T);
    switch (type) {
      case "nodeDown": {
        const node = pick(this.world.config.nodes.map((each) => each.name).sort());
        return node === null ? null : { type: "nodeDown", node };
      }
      case "controllerDown": {
        const names = this.world
          .componentNames()
          .filter((name) => this.world.component(name)?.suspend !== undefined)
          .sort();
        const controller = pick(names);
        return controller === null ? null : { type: "controllerDown", controller };
      }
      case "partition": {
        const datacenter = pick(this.world.config.datacenters.map((each) => each.name).sort());
        return datacenter === null ? null : { type: "partition", datacenter };
      }
      case "imagePullFailure": {
        const image = pick([...this.world.config.images.keys()].sort());
        return image === null ? null : { type: "imagePullFailure", image };
      }
      case "podCrash": {
        const pods = [...this.world.store.list<Pod>("Pod")]
          .filter((pod) => controllerOf(pod) !== undefined && pod.metadata.deletionTimestamp === undefined)
          .map((pod) => ({ namespace: pod.metadata.namespace, name: pod.metadata.name }))
          .sort((a, b) =>
            a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
          );
        const pod = pick(pods);
        return pod === null ? null : { type: "podCrash", target: { kind: "Pod", ...pod }, count: 1 };
      }
      default:
        return null;
    }
  }

  /** Counts a fault on `thing`; true when it is the first (the thing must be broken now). */
  private hold(thing: string): boolean {
    const count = this.holds.get(thing) ?? 0;
    this.holds.set(thing, count + 1);
    return count === 0;
  }

  /** Uncounts a fault on `thing`; true when it was the last (the thing must be healed now). */
  private release(thing: string): boolean {
    const count = (this.holds.get(thing) ?? 1) - 1;
    if (count <= 0) this.holds.delete(thing);
    else this.holds.set(thing, count);
    return count <= 0;
  }

  private podCrash(target: ObjectRef, count: number): typeof INSTANT | string {
    const kubelet = this.kubelet();
    if (typeof kubelet === "string") return kubelet;
    const pods = podsOf(this.world, target).slice(0, count);
    if (pods.length === 0) return `no running pods of ${target.kind}/${target.name} to crash`;
    for (const pod of pods) kubelet.crashContainer(pod.metadata.uid);
    return INSTANT;
  }

  private kubelet(): KubeletFaults | string {
    const kubelet = this.world.component<Component & Partial<KubeletFaults>>(KUBELET_COMPONENT);
    if (
      kubelet?.setImagePullFailing === undefined ||
      kubelet.crashContainer === undefined ||
      kubelet.setNodePartitioned === undefined
    ) {
      return "no kubelet component to inject into";
    }
    return kubelet as KubeletFaults;
  }

  private trace(type: string, id: string, spec: FaultSpec, phase: "start" | "heal"): void {
    if (this.world.trace.enabled) this.world.trace.record(this.world.nowMs, type, { id, phase, fault: spec });
  }
}

/** The pods (not being deleted) whose controller chain leads to `target`, by name. */
export function podsOf(world: World, target: ObjectRef): Pod[] {
  const root = world.store.get(target.kind, target.namespace, target.name);
  if (root === undefined) return [];
  if (target.kind === "Pod") return root.metadata.deletionTimestamp === undefined ? [root as Pod] : [];
  const owners = new Set<string>([root.metadata.uid]);
  for (const dependent of world.store.dependentsOf(root.metadata.uid)) owners.add(dependent.metadata.uid);
  const pods: Pod[] = [];
  for (const pod of world.store.list<Pod>("Pod")) {
    const owner = controllerOf(pod);
    if (owner !== undefined && owners.has(owner.uid) && pod.metadata.deletionTimestamp === undefined) pods.push(pod);
  }
  return pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

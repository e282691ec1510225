/**
 * Builders for the ReplicaSet, ReplicationController and garbage-collector tests. There is no
 * kubelet in these worlds: tests play its part by patching pod status (readiness) and nodeName.
 */
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import type { Pod } from "../../src/api/kinds.ts";
import { controllerOf, type KObject, type NewObject, toTimestamp } from "../../src/api/object.ts";
import { GarbageCollector } from "../../src/controllers/garbage-collector.ts";
import { ReplicaSetController, type ReplicaSetLike } from "../../src/controllers/replicaset.ts";
import { ReplicationManager } from "../../src/controllers/replication-controller.ts";
import type { World } from "../../src/world/world.ts";
import { makeWorld } from "../helpers/world.ts";

export interface FixtureOptions {
  watchDelayMs?: number;
  garbageCollector?: boolean;
  replicationController?: boolean;
}

export interface Fixture {
  world: World;
  rsController: ReplicaSetController;
}

/** A started world running the ReplicaSet controller (and, on request, the RC controller and GC). */
export function startFixture(options: FixtureOptions = {}): Fixture {
  const world = makeWorld(options.watchDelayMs === undefined ? {} : { watchDelayMs: options.watchDelayMs });
  if (options.garbageCollector === true) world.register(new GarbageCollector(world));
  const rsController = world.register(new ReplicaSetController(world));
  if (options.replicationController === true) world.register(new ReplicationManager(world));
  world.start();
  return { world, rsController };
}

export interface ReplicaSetOptions {
  replicas?: number;
  namespace?: string;
  minReadySeconds?: number;
  selector?: Record<string, string>;
  templateLabels?: Record<string, string>;
  templateAnnotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export function replicaSet(name: string, options: ReplicaSetOptions = {}): NewObject {
  const selector = options.selector ?? { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: options.namespace ?? "default",
      ...(options.ownerReferences === undefined ? {} : { ownerReferences: options.ownerReferences }),
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
    },
    spec: {
      replicas: options.replicas ?? 1,
      minReadySeconds: options.minReadySeconds ?? 0,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: options.templateLabels ?? selector,
          ...(options.templateAnnotations === undefined ? {} : { annotations: options.templateAnnotations }),
        },
        spec: { containers: [{ name: "app", image: `${name}:v1` }] },
      },
    },
  };
}

export function replicationController(name: string, replicas: number): NewObject {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { app: name },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: `${name}:v1` }] },
      },
    },
  };
}

/** A bare pod (an orphan unless `ownerReferences` is given). */
export function barePod(
  name: string,
  labels: Record<string, string>,
  extra: { ownerReferences?: OwnerReference[]; nodeName?: string } = {},
): NewObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels,
      ...(extra.ownerReferences === undefined ? {} : { ownerReferences: extra.ownerReferences }),
    },
    spec: {
      containers: [{ name: "app", image: "bare:v1" }],
      ...(extra.nodeName === undefined ? {} : { nodeName: extra.nodeName }),
    },
  };
}

export function getReplicaSet(world: World, name: string, namespace = "default"): ReplicaSetLike {
  const rs = world.store.get<ReplicaSetLike>("ReplicaSet", namespace, name);
  if (rs === undefined) throw new Error(`no ReplicaSet ${namespace}/${name}`);
  return rs;
}

/** Pods in the store whose controller is `owner`, by name. */
export function podsOf(world: World, owner: KObject): Pod[] {
  const pods: Pod[] = [];
  for (const pod of world.store.list<Pod>("Pod")) if (controllerOf(pod)?.uid === owner.metadata.uid) pods.push(pod);
  return pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** Active (not terminating) pods of `owner`. */
export function activePodsOf(world: World, owner: KObject): Pod[] {
  return podsOf(world, owner).filter((pod) => pod.metadata.deletionTimestamp === undefined);
}

/** Plays the scheduler: binds the pod to a node. */
export function bind(world: World, pod: Pod, nodeName: string): void {
  world.store.patch<Pod>("Pod", pod.metadata.namespace, pod.metadata.name, (draft) => {
    draft.spec = { ...draft.spec, containers: draft.spec?.containers ?? [], nodeName };
  });
}

/** Plays the kubelet: Running, with Ready=`ready` since now (and bound to `nodeName`). */
export function setRunning(world: World, pod: Pod, nodeName: string, ready: boolean): void {
  world.store.patch<Pod>("Pod", pod.metadata.namespace, pod.metadata.name, (draft) => {
    draft.spec = { ...draft.spec, containers: draft.spec?.containers ?? [], nodeName };
    draft.status = {
      phase: "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: toTimestamp(world.nowMs) }],
    };
  });
}

/** Runs the world until `ms` (absolute virtual time). */
export function runUntil(world: World, ms: number): void {
  world.kernel.run(ms);
}

/** Runs an action at exactly virtual time `ms` (runs the world up to then first). */
export function at(world: World, ms: number, action: () => void): void {
  world.kernel.run(ms);
  expectTime(world, ms);
  action();
}

function expectTime(world: World, ms: number): void {
  if (world.nowMs !== ms) throw new Error(`expected virtual time ${ms}, at ${world.nowMs}`);
}

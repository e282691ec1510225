/**
 * Timeline actions: what a user (kubectl) or an operator does at a moment of the run. Each acts
 * through the API store as the real client would, and each result (done, or refused and why) is
 * traced and reported in the summary.
 */
import type { Draft } from "immer";
import { isApiError } from "../api/errors.ts";
import { type Deployment, WORKLOAD_KINDS } from "../api/kinds.ts";
import { applyMergePatch } from "../api/merge-patch.ts";
import type { KObject, NewObject } from "../api/object.ts";
import { rollbackDeployment } from "../controllers/deployment/rollback.ts";
import type { FaultInjector } from "../faults/injector.ts";
import type { World } from "../world/world.ts";
import { type Action, formatRef, type ObjectRef } from "./model.ts";

export interface ActionOutcome {
  atMs: number;
  action: string;
  target?: string;
  ok: boolean;
  message: string;
}

/** Workloads' pods come from `spec.template`, so setImage patches the template. */
const TEMPLATED_KINDS = WORKLOAD_KINDS;

/** Kinds that can be paused through `spec.paused`. */
const PAUSABLE_KINDS = new Set(["Deployment", "Rollout", "CafeDeployment"]);

export function runAction(world: World, faults: FaultInjector, action: Action): ActionOutcome {
  const outcome = attempt(world, faults, action);
  const result: ActionOutcome = { atMs: world.nowMs, action: action.type, ...outcome };
  if (world.trace.enabled) {
    world.trace.record(world.nowMs, "Action", {
      action: action.type,
      ...(result.target === undefined ? {} : { target: result.target }),
      ok: result.ok,
      message: result.message,
    });
  }
  return result;
}

function attempt(world: World, faults: FaultInjector, action: Action): Omit<ActionOutcome, "atMs" | "action"> {
  const target = "target" in action ? formatRef(action.target) : undefined;
  try {
    const message = perform(world, faults, action);
    return { ...(target === undefined ? {} : { target }), ok: true, message };
  } catch (error) {
    if (!isApiError(error) && !(error instanceof ActionRefused)) throw error;
    return { ...(target === undefined ? {} : { target }), ok: false, message: error.message };
  }
}

/** An action the API or kubectl would refuse (not a simulator bug). */
class ActionRefused extends Error {}

function perform(world: World, faults: FaultInjector, action: Action): string {
  switch (action.type) {
    case "apply":
      return applyObject(world, action.object);
    case "patch":
      patchTarget(world, action.target, (draft) => applyMergePatch(draft as Record<string, unknown>, action.merge));
      return `${formatRef(action.target)} patched`;
    case "setImage":
      return setImage(world, action.target, action.container, action.image);
    case "scale":
      patchTarget(world, action.target, (draft) => {
        (draft as { spec: { replicas?: number } }).spec.replicas = action.replicas;
      });
      return `${formatRef(action.target)} scaled to ${action.replicas}`;
    case "delete":
      world.store.delete(action.target.kind, action.target.namespace, action.target.name);
      return `${formatRef(action.target)} deleted`;
    case "rollback":
      return rollback(world, action.target, action.toRevision);
    case "pause":
    case "resume":
      return setPaused(world, action.target, action.type === "pause");
    case "fault": {
      const outcome = faults.inject(action.id, action.fault, action.forMs);
      if (!outcome.ok) throw new ActionRefused(outcome.message);
      return outcome.message;
    }
    case "heal": {
      const outcome = faults.heal(action.id);
      if (!outcome.ok) throw new ActionRefused(outcome.message);
      return outcome.message;
    }
    default:
      throw new ActionRefused(`action ${action.type} is not supported yet`);
  }
}

/**
 * Creates the object, or updates it if it exists (kubectl apply): metadata labels and
 * annotations and the spec are replaced by the manifest's; the status is the server's.
 */
export function applyObject(world: World, object: NewObject): string {
  const namespace = object.metadata.namespace ?? "default";
  const name = object.metadata.name ?? "";
  const existing = world.store.get(object.kind, namespace, name);
  if (existing === undefined) {
    world.store.create(object);
    return `${object.kind}/${name} created`;
  }
  const updated = world.store.patch(object.kind, namespace, name, (draft) => {
    const writable = draft as { spec?: unknown; metadata: { labels?: unknown; annotations?: unknown } };
    if (object.spec !== undefined) writable.spec = structuredClone(object.spec);
    if (object.metadata.labels !== undefined) writable.metadata.labels = { ...object.metadata.labels };
    if (object.metadata.annotations !== undefined) {
      writable.metadata.annotations = { ...(writable.metadata.annotations as object), ...object.metadata.annotations };
    }
  });
  return updated === existing ? `${object.kind}/${name} unchanged` : `${object.kind}/${name} configured`;
}

function requireTarget(world: World, target: ObjectRef): KObject {
  const object = world.store.get(target.kind, target.namespace, target.name);
  if (object === undefined) throw new ActionRefused(`${formatRef(target)} not found`);
  return object;
}

function patchTarget(world: World, target: ObjectRef, recipe: (draft: Draft<KObject>) => void): KObject {
  requireTarget(world, target);
  return world.store.patch(target.kind, target.namespace, target.name, recipe);
}

/** kubectl set image: sets the image of the named container (or of every container). */
function setImage(world: World, target: ObjectRef, container: string | undefined, image: string): string {
  const object = requireTarget(world, target);
  const podSpecPath = TEMPLATED_KINDS.has(target.kind) ? "template" : target.kind === "Pod" ? "pod" : undefined;
  if (podSpecPath === undefined) throw new ActionRefused(`${target.kind} has no containers to set an image on`);
  const containers = containersOf(object, podSpecPath === "template");
  const names = containers.map((each) => each.name);
  if (container !== undefined && !names.includes(container)) {
    throw new ActionRefused(`${formatRef(target)} has no container named ${container} (has: ${names.join(", ")})`);
  }
  world.store.patch(target.kind, target.namespace, target.name, (draft) => {
    for (const each of containersOf(draft as KObject, podSpecPath === "template")) {
      if (container === undefined || each.name === container) each.image = image;
    }
  });
  return `${formatRef(target)} ${container ?? "*"} image set to ${image}`;
}

function containersOf(object: KObject, templated: boolean): { name: string; image?: string }[] {
  const spec = object.spec as { template?: { spec?: { containers?: unknown[] } }; containers?: unknown[] } | undefined;
  const list = templated ? spec?.template?.spec?.containers : spec?.containers;
  return (list ?? []) as { name: string; image?: string }[];
}

function setPaused(world: World, target: ObjectRef, paused: boolean): string {
  if (!PAUSABLE_KINDS.has(target.kind)) throw new ActionRefused(`${target.kind} cannot be paused`);
  patchTarget(world, target, (draft) => {
    (draft as { spec: { paused?: boolean } }).spec.paused = paused;
  });
  return `${formatRef(target)} ${paused ? "paused" : "resumed"}`;
}

/** kubectl rollout undo. */
function rollback(world: World, target: ObjectRef, toRevision: number | undefined): string {
  if (target.kind !== "Deployment") throw new ActionRefused(`rollback of ${target.kind} is not supported yet`);
  const deployment = requireTarget(world, target) as Deployment;
  const result = rollbackDeployment(world.store, deployment, toRevision);
  if (!result.ok) throw new ActionRefused(result.message);
  return result.message;
}

/**
 * The timeline: checks each entry against what exists at its time (objects from the stream or an
 * earlier `apply`, not deleted since; nodes; datacenters; earlier faults for `heal`), refuses what
 * the runner does not support yet, and converts entries into the model's actions, ordered by time
 * (entries at the same time keep file order).
 *
 * Patches are applied to a static copy of their target and the result validated with its kind's
 * schema, so `patch: {merge: {spec: {replicas: -1}}}` is refused here, not halfway through a run.
 */
import { applyMergePatch } from "../api/merge-patch.ts";
import type { NewObject } from "../api/object.ts";
import { formatDurationMs } from "../sim/duration.ts";
import { issuesToProblems } from "./issues.ts";
import {
  type Action,
  type FaultSpec,
  formatRef,
  type ObjectRef,
  type Problem,
  type SourcePosition,
  type TimelineEntry,
} from "./model.ts";
import { type Definitions, listNames, refKey, type ValidatedObject } from "./references.ts";
import { ACTION_NAMES, type ActionName, FAULT_SCHEMAS, type FaultName, type TimelineEntryDocument } from "./schema.ts";
import { isObjectKind, OBJECT_SCHEMAS, PAUSABLE_KINDS, WORKLOAD_KINDS } from "./schema-objects.ts";
import { isSupported, notSupportedMessage, SUPPORTED } from "./support.ts";
import type { PathSegment, SourceMap } from "./yaml-source.ts";

export interface TimelineContext {
  readonly durationMs: number;
  readonly definitions: Definitions;
  /** Validated `apply` objects by timeline index (entries whose object failed are absent). */
  readonly applies: ReadonlyMap<number, ValidatedObject>;
  /** The scenario document, at its root. */
  readonly map: SourceMap;
}

/** Which kinds each targeted action accepts (undefined: any kind). */
const ACTION_KINDS: Partial<Record<ActionName, readonly string[]>> = {
  setImage: [...WORKLOAD_KINDS, "Pod"],
  scale: WORKLOAD_KINDS,
  rollback: ["Deployment", "StatefulSet", "CafeDeployment", "Rollout"],
  pause: PAUSABLE_KINDS,
  resume: PAUSABLE_KINDS,
  confirm: ["CafeDeployment"],
  abort: ["CafeDeployment", "Rollout"],
  promote: ["Rollout"],
};

/** Pods are mostly created by controllers with names the scenario cannot list; refer to them freely. */
const UNLISTED_OK: Partial<Record<ActionName, true>> = { delete: true, patch: true };

interface FaultRecord {
  readonly atMs: number;
  readonly position: SourcePosition;
}

/** Mutable state while walking the timeline in time order. */
class TimelineWalk {
  readonly problems: Problem[] = [];
  readonly live = new Map<string, NewObject>();
  readonly deleted = new Map<string, SourcePosition>();
  readonly faults = new Map<string, FaultRecord>();
  readonly allFaultNames = new Map<string, number>();
  private faultCount = 0;

  constructor(readonly context: TimelineContext) {
    for (const each of context.definitions.stream) this.live.set(refKey(each.ref), each.object);
  }

  /** "nodeDown-1", "podCrash-2", ... for faults without a name, numbered in time order. */
  nextFaultId(type: string): string {
    let id: string;
    do {
      this.faultCount++;
      id = `${type}-${this.faultCount}`;
    } while (this.allFaultNames.has(id));
    return id;
  }

  /** A problem unless `ref` exists at this point of the timeline. */
  requireLive(ref: ObjectRef, map: SourceMap, path: readonly PathSegment[], allowUnlistedPods = false): boolean {
    if (this.live.has(refKey(ref))) return true;
    if (allowUnlistedPods && ref.kind === "Pod") return true;
    const deletedAt = this.deleted.get(refKey(ref));
    const later = this.context.definitions.anywhere.get(refKey(ref));
    const why =
      deletedAt !== undefined
        ? ` at this time: it was deleted by the entry at line ${deletedAt.line}`
        : later !== undefined
          ? ` at this time: it is only applied later (line ${later.line})`
          : ` in the scenario${this.context.definitions.similar(ref)}`;
    this.problems.push(map.problem(path, `${formatRef(ref)} is not defined${why}`));
    return false;
  }
}

export function resolveTimeline(
  entries: readonly TimelineEntryDocument[],
  context: TimelineContext,
): { timeline: TimelineEntry[]; problems: Problem[] } {
  const walk = new TimelineWalk(context);
  collectFaultNames(entries, walk);
  const order = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index);
  const timeline: TimelineEntry[] = [];
  for (const { entry, index } of order) {
    const map = context.map.child(["spec", "timeline", index]);
    if (entry.at > context.durationMs) {
      walk.problems.push(
        map.problem(
          ["at"],
          `${formatDurationMs(entry.at)} is after the end of the run (spec.duration: ${formatDurationMs(context.durationMs)})`,
        ),
      );
    }
    const action = resolveEntry(entry, index, map, walk);
    if (action !== null) timeline.push({ atMs: entry.at, action, source: map.position([]) });
  }
  return { timeline, problems: walk.problems };
}

function collectFaultNames(entries: readonly TimelineEntryDocument[], walk: TimelineWalk): void {
  entries.forEach((entry, index) => {
    if (entry.fault === undefined || entry.name === undefined) return;
    const first = walk.allFaultNames.get(entry.name);
    if (first !== undefined) {
      const map = walk.context.map.child(["spec", "timeline", index]);
      walk.problems.push(map.problem(["name"], `duplicate fault name "${entry.name}" (also spec.timeline[${first}])`));
    } else {
      walk.allFaultNames.set(entry.name, index);
    }
  });
}

function resolveEntry(entry: TimelineEntryDocument, index: number, map: SourceMap, walk: TimelineWalk): Action | null {
  const name = ACTION_NAMES.find((each) => entry[each] !== undefined) as ActionName;
  if (!isSupported("actions", name)) {
    walk.problems.push(map.problem([name], notSupportedMessage(`the ${name} action`), "key"));
    return null;
  }
  switch (name) {
    case "apply":
      return applyAction(index, walk, map);
    case "patch":
      return patchAction(entry.patch as NonNullable<TimelineEntryDocument["patch"]>, map.child(["patch"]), walk);
    case "fault":
      return faultAction(entry, map, walk);
    case "heal":
      return healAction(entry.heal?.fault, map, walk);
    default:
      return targetedAction(name, entry, map.child([name]), walk);
  }
}

function applyAction(index: number, walk: TimelineWalk, map: SourceMap): Action | null {
  const applied = walk.context.applies.get(index);
  if (applied === undefined) return null;
  const current = walk.live.get(refKey(applied.ref));
  if (current !== undefined && selectorChanged(current, applied.object)) {
    walk.problems.push(map.problem(["apply", "spec", "selector"], immutableSelectorMessage(current.kind)));
    return null;
  }
  walk.live.set(refKey(applied.ref), applied.object);
  walk.deleted.delete(refKey(applied.ref));
  return { type: "apply", object: applied.object };
}

function checkKind(name: ActionName, ref: ObjectRef, map: SourceMap, walk: TimelineWalk): boolean {
  const allowed = ACTION_KINDS[name];
  if (!isSupported("kinds", ref.kind) && isObjectKind(ref.kind)) {
    walk.problems.push(map.problem(["target"], notSupportedMessage(`the ${ref.kind} kind`)));
    return false;
  }
  if (allowed !== undefined && !allowed.includes(ref.kind)) {
    walk.problems.push(map.problem(["target"], `${name} applies to ${allowed.join(", ")}, not to a ${ref.kind}`));
    return false;
  }
  if (name === "rollback" && !isSupported("rollbackKinds", ref.kind)) {
    walk.problems.push(map.problem(["target"], notSupportedMessage(`rollback of a ${ref.kind}`)));
    return false;
  }
  return true;
}

function targetedAction(
  name: ActionName,
  entry: TimelineEntryDocument,
  map: SourceMap,
  walk: TimelineWalk,
): Action | null {
  const body = entry[name] as { target: ObjectRef } & Record<string, unknown>;
  const target = body.target;
  if (!checkKind(name, target, map, walk)) return null;
  if (!walk.requireLive(target, map, ["target"], UNLISTED_OK[name] === true)) return null;
  switch (name) {
    case "setImage": {
      const setImage = entry.setImage as NonNullable<TimelineEntryDocument["setImage"]>;
      checkContainer(target, setImage.container, map, walk);
      return {
        type: "setImage",
        target,
        image: setImage.image,
        ...(setImage.container === undefined ? {} : { container: setImage.container }),
      };
    }
    case "scale":
      return { type: "scale", target, replicas: (entry.scale as { replicas: number }).replicas };
    case "delete":
      walk.live.delete(refKey(target));
      walk.deleted.set(refKey(target), map.position([]));
      return { type: "delete", target };
    case "rollback": {
      const toRevision = (entry.rollback as { toRevision?: number }).toRevision;
      return { type: "rollback", target, ...(toRevision === undefined ? {} : { toRevision }) };
    }
    default:
      return { type: name as "pause" | "resume" | "confirm" | "abort" | "promote", target };
  }
}

function containersOf(object: NewObject): string[] {
  const spec = object.spec as {
    template?: { spec?: { containers?: { name: string }[] } };
    containers?: { name: string }[];
  };
  const containers = object.kind === "Pod" ? spec?.containers : spec?.template?.spec?.containers;
  return (containers ?? []).map((each) => each.name);
}

function checkContainer(target: ObjectRef, container: string | undefined, map: SourceMap, walk: TimelineWalk): void {
  const object = walk.live.get(refKey(target));
  if (container === undefined || object === undefined) return;
  const names = containersOf(object);
  if (!names.includes(container)) {
    walk.problems.push(
      map.problem(
        ["container"],
        `${formatRef(target)} has no container "${container}" (containers: ${names.join(", ")})`,
      ),
    );
  }
}

function patchAction(
  patch: NonNullable<TimelineEntryDocument["patch"]>,
  map: SourceMap,
  walk: TimelineWalk,
): Action | null {
  const target = patch.target;
  if (!checkKind("patch", target, map, walk)) return null;
  if (!walk.requireLive(target, map, ["target"], true)) return null;
  const current = walk.live.get(refKey(target));
  if (current !== undefined && isObjectKind(target.kind)) {
    const patched = structuredClone(current) as NewObject;
    applyMergePatch(patched as Record<string, unknown>, patch.merge);
    const before = walk.problems.length;
    checkPatchedIdentity(current, patched, map, walk);
    const schema = OBJECT_SCHEMAS[target.kind];
    const result = schema.safeParse(patched);
    if (!result.success)
      walk.problems.push(...issuesToProblems(result.error.issues, schema, patched, map.child(["merge"])));
    if (walk.problems.length === before) walk.live.set(refKey(target), patched);
  }
  return { type: "patch", target, merge: patch.merge };
}

function checkPatchedIdentity(current: NewObject, patched: NewObject, map: SourceMap, walk: TimelineWalk): void {
  const same =
    patched.kind === current.kind &&
    patched.apiVersion === current.apiVersion &&
    patched.metadata?.name === current.metadata.name &&
    (patched.metadata?.namespace ?? "default") === (current.metadata.namespace ?? "default");
  if (!same)
    walk.problems.push(
      map.problem(["merge"], "a patch cannot change apiVersion, kind, metadata.name or metadata.namespace"),
    );
  else if (selectorChanged(current, patched))
    walk.problems.push(map.problem(["merge", "spec", "selector"], immutableSelectorMessage(current.kind)));
}

/** Kinds whose spec.selector the API server refuses to change (apps/v1 validation). */
const IMMUTABLE_SELECTOR_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet"]);

function selectorChanged(current: NewObject, next: NewObject): boolean {
  if (!IMMUTABLE_SELECTOR_KINDS.has(current.kind)) return false;
  const before = (current.spec as { selector?: unknown } | undefined)?.selector;
  const after = (next.spec as { selector?: unknown } | undefined)?.selector;
  return JSON.stringify(before) !== JSON.stringify(after);
}

function immutableSelectorMessage(kind: string): string {
  return `field is immutable: an apps/v1 ${kind}'s spec.selector cannot change after creation`;
}

// ---- faults ----------------------------------------------------------------------------------------

function faultAction(entry: TimelineEntryDocument, map: SourceMap, walk: TimelineWalk): Action | null {
  const body = entry.fault as NonNullable<TimelineEntryDocument["fault"]>;
  const type = (Object.keys(FAULT_SCHEMAS) as FaultName[]).find((each) => body[each] !== undefined) as FaultName;
  const faultMap = map.child(["fault", type]);
  if (!isSupported("faults", type)) {
    walk.problems.push(map.problem(["fault", type], notSupportedMessage(`the ${type} fault`), "key"));
    return null;
  }
  const spec = faultSpec(type, body, faultMap, walk);
  if (spec === null) return null;
  const id = entry.name ?? walk.nextFaultId(type);
  walk.faults.set(id, { atMs: entry.at, position: map.position([]) });
  return { type: "fault", fault: spec, id, ...(entry.for === undefined ? {} : { forMs: entry.for }) };
}

function faultSpec(
  type: FaultName,
  body: NonNullable<TimelineEntryDocument["fault"]>,
  map: SourceMap,
  walk: TimelineWalk,
): FaultSpec | null {
  const { nodeNames, datacenterNames } = walk.context.definitions;
  const problemCount = walk.problems.length;
  const requireName = (value: string | undefined, names: readonly string[], noun: string, path: string): void => {
    if (value !== undefined && !names.includes(value)) {
      walk.problems.push(map.problem([path], `no ${noun} named "${value}" (${listNames(names, noun)})`));
    }
  };
  let spec: FaultSpec;
  switch (type) {
    case "nodeDown": {
      const { node, datacenter } = body.nodeDown as { node?: string; datacenter?: string };
      requireName(node, nodeNames, "node", "node");
      requireName(datacenter, datacenterNames, "datacenter", "datacenter");
      spec = { type, ...(node === undefined ? {} : { node }), ...(datacenter === undefined ? {} : { datacenter }) };
      break;
    }
    case "partition": {
      const { datacenter } = body.partition as { datacenter: string };
      requireName(datacenter, datacenterNames, "datacenter", "datacenter");
      spec = { type, datacenter };
      break;
    }
    case "podCrash": {
      const { target, count } = body.podCrash as { target: ObjectRef; count: number };
      if (target.kind !== "Pod" && !WORKLOAD_KINDS.includes(target.kind)) {
        walk.problems.push(map.problem(["target"], `podCrash targets a Pod or a workload, not a ${target.kind}`));
      } else {
        walk.requireLive(target, map, ["target"], true);
      }
      spec = { type, target, count };
      break;
    }
    case "controllerDown": {
      const { controller } = body.controllerDown as { controller: string };
      if (SUPPORTED.controllers.length > 0) requireName(controller, SUPPORTED.controllers, "controller", "controller");
      spec = { type, controller };
      break;
    }
    case "imagePullFailure":
      spec = { type, image: (body.imagePullFailure as { image: string }).image };
      break;
    case "watchDelay":
      spec = { type, delay: (body.watchDelay as { delay: FaultDelay }).delay };
      break;
    case "chaos": {
      const chaos = body.chaos as { rates: Record<string, number>; window: number; duration?: FaultDelay };
      const ratesPerHour = Object.fromEntries(
        Object.entries(chaos.rates).map(([name, perSecond]) => [name, perSecond * 3600]),
      );
      spec = {
        type,
        ratesPerHour,
        windowMs: chaos.window,
        duration: chaos.duration ?? { kind: "exponential", meanMs: 60_000 },
      };
      break;
    }
  }
  return walk.problems.length === problemCount ? spec : null;
}

type FaultDelay = Extract<FaultSpec, { type: "watchDelay" }>["delay"];

function healAction(name: string | undefined, map: SourceMap, walk: TimelineWalk): Action | null {
  if (name === undefined) return { type: "heal" };
  if (walk.faults.has(name)) return { type: "heal", id: name };
  const laterIndex = walk.allFaultNames.get(name);
  const known = [...walk.allFaultNames.keys()];
  walk.problems.push(
    map.problem(
      ["heal", "fault"],
      laterIndex !== undefined
        ? `fault "${name}" only starts later (spec.timeline[${laterIndex}])`
        : `no fault named "${name}" (${known.length === 0 ? "no fault has a name: add name: to the fault entry" : `named faults: ${known.join(", ")}`})`,
    ),
  );
  return null;
}

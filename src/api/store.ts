/**
 * The API store: every object of the simulated cluster, as an immutable value, in one Map per kind.
 *
 * It plays the API server's part: it mints uid, resourceVersion, generation and creationTimestamp
 * deterministically, enforces optimistic concurrency on updates, runs graceful deletion
 * (deletionTimestamp, grace period, finalizers; kubernetes-semantics.md §5.1) and emits a watch
 * event for every change, which it also writes to the trace.
 *
 * Objects are updated with immer one object at a time (`produce` per object, never over the whole
 * world: design.md's measured trap), so an unchanged object keeps its identity and a recipe that
 * changes nothing writes nothing.
 */
import { type Draft, produce } from "immer";
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1.js";
import type { Kernel } from "../sim/kernel.ts";
import type { RandomStream } from "../sim/random.ts";
import type { Trace } from "../sim/trace.ts";
import { applyDefaults, defaultNewPodStatus, hasCreateDefaults, hasDefaulter } from "./defaults.ts";
import { ApiError, alreadyExists, conflict, notFound } from "./errors.ts";
import {
  copyWith,
  DEFAULT_NAMESPACE,
  deepFreeze,
  fromTimestamp,
  type KObject,
  type NewObject,
  objectKey,
  type StoredMeta,
  shallowCopy,
  toTimestamp,
} from "./object.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** Called synchronously for every change, in the order the store applied them. */
export type WatchListener = (
  type: WatchEventType,
  object: KObject,
  previous: KObject | undefined,
  /** objectKey(namespace, name) of the object, already made. */
  key: string,
) => void;

export interface DeleteOptions {
  /** Overrides the object's own grace period (pods only; other kinds have none). */
  gracePeriodSeconds?: number;
  /** The delete only applies to the object with this uid (the kubelet's final delete uses it). */
  uid?: string;
  /** "Background" (default): the garbage collector deletes dependents; "Orphan": it releases them. */
  propagationPolicy?: "Background" | "Orphan";
}

/** The grace period pods get when their spec says nothing (DefaultTerminationGracePeriodSeconds). */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export class Store {
  private readonly kinds = new Map<string, Map<string, KObject>>();
  private readonly listeners: WatchListener[] = [];
  /** Owner uid -> dependents by their uid (a version of each; see indexOwners), for the garbage collector. */
  private readonly dependents = new Map<string, Map<string, KObject>>();
  private resourceVersion = 0;
  private uidCounter = 0;
  private orphanPolicy = new Set<string>();
  /** Pod spec objects known to carry every default (see `defaulted`). */
  private readonly defaultedPodSpecs = new WeakSet<object>();
  /** The kernel's "apiserver/names" stream, fetched on the first generated name. */
  private nameStream: RandomStream | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly trace: Trace,
  ) {}

  watch(listener: WatchListener): void {
    this.listeners.push(listener);
  }

  get<T extends KObject = KObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.kinds.get(kind)?.get(objectKey(namespace, name)) as T | undefined;
  }

  getByKey<T extends KObject = KObject>(kind: string, key: string): T | undefined {
    return this.kinds.get(kind)?.get(key) as T | undefined;
  }

  /** All objects of a kind, in creation order. Do not write to the store while iterating. */
  list<T extends KObject = KObject>(kind: string): IterableIterator<T> {
    return this.kindMap(kind).values() as IterableIterator<T>;
  }

  count(kind: string): number {
    return this.kinds.get(kind)?.size ?? 0;
  }

  /** Every kind that has held an object, in first-seen order. */
  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /** Objects that name `ownerUid` in their ownerReferences (their latest versions). */
  dependentsOf(ownerUid: string): KObject[] {
    const map = this.dependents.get(ownerUid);
    if (map === undefined) return [];
    const latest: KObject[] = [];
    for (const indexed of map.values()) {
      const meta = indexed.metadata;
      latest.push(this.kindMap(indexed.kind).get(objectKey(meta.namespace, meta.name)) ?? indexed);
    }
    return latest;
  }

  /** True if the owner was deleted with propagationPolicy Orphan (its dependents are released). */
  wasOrphaned(ownerUid: string): boolean {
    return this.orphanPolicy.has(ownerUid);
  }

  /** Creates an object; fills in the server-set metadata. Throws AlreadyExists. */
  create<T extends KObject = KObject>(input: NewObject | KObject): T {
    const namespace = input.metadata.namespace ?? DEFAULT_NAMESPACE;
    const givenName = input.metadata.name;
    const name = givenName ?? this.generateName(input.kind, namespace, input.metadata.generateName);
    if (name === "") throw new ApiError("Invalid", `${input.kind}: metadata.name or generateName is required`);
    const key = objectKey(namespace, name);
    const objects = this.kindMap(input.kind);
    // A generated name is known to be free: generateName checked it.
    if (givenName !== undefined && objects.has(key)) throw alreadyExists(input.kind, key);
    const metadata: StoredMeta = copyWith(userSetMetadata(input.metadata), {
      name,
      namespace,
      uid: this.mintUid(),
      resourceVersion: this.mintResourceVersion(),
      generation: 1,
      creationTimestamp: toTimestamp(this.kernel.nowMs),
    });
    const object = this.defaulted(copyWith(input, { metadata }) as unknown as KObject);
    objects.set(key, object);
    this.indexOwners(object, undefined);
    this.emit("ADDED", object, undefined, key);
    return object as T;
  }

  /**
   * The new object with the API server's defaults, deep-frozen. produce copies only what defaulting
   * touches, so a template's already-defaulted spec is shared. A pod whose spec object was seen
   * defaulted before (every pod a ReplicaSet makes from one template shares it) skips the immer
   * pass: only a missing status phase can need setting, exactly as defaultNewPodStatus would.
   */
  private defaulted(object: KObject): KObject {
    // A kind without defaults (Node, ...): the pass below would change nothing and produce would
    // hand back `object` itself.
    if (!hasCreateDefaults(object.kind)) return deepFreeze(object);
    if (object.kind === "Pod" && object.spec !== undefined && this.defaultedPodSpecs.has(object.spec as object)) {
      const status = object.status as { phase?: string } | undefined;
      const withPhase =
        status === undefined
          ? copyWith(object, { status: { phase: "Pending" } })
          : status.phase === undefined
            ? copyWith(object, { status: copyWith(status, { phase: "Pending" }) })
            : object;
      return deepFreeze(withPhase);
    }
    const result = deepFreeze(
      produce(object, (draft) => {
        applyDefaults(draft);
        defaultNewPodStatus(draft);
      }),
    );
    if (result.kind === "Pod" && result.spec !== undefined) this.defaultedPodSpecs.add(result.spec as object);
    return result;
  }

  /**
   * Updates the object `basedOn` (as a controller read it, maybe from a stale cache) with `recipe`.
   * Throws Conflict if the object changed since (resourceVersion differs), NotFound if it is gone.
   * Returns the stored object; unchanged if the recipe changed nothing.
   */
  update<T extends KObject>(basedOn: T, recipe: (draft: Draft<T>) => void): T {
    const current = this.requireCurrent(basedOn.kind, basedOn.metadata.namespace, basedOn.metadata.name);
    if (current.metadata.resourceVersion !== basedOn.metadata.resourceVersion) {
      throw conflict(basedOn.kind, objectKey(basedOn.metadata.namespace, basedOn.metadata.name));
    }
    return this.apply(current as T, recipe);
  }

  /**
   * Replaces the latest version's status (the status subresource) with `status`, which the caller
   * built whole, sharing unchanged parts with the stored status. No immer pass: a status write
   * never changes the spec (no defaulting, same generation) nor deletion state. Same result and
   * key order as `patch(..., draft => { draft.status = status })`.
   */
  setStatus<T extends KObject = KObject>(kind: string, namespace: string, name: string, status: unknown): T {
    const current = this.requireCurrent(kind, namespace, name);
    return this.replaceParts(current, current.spec, status) as T;
  }

  /**
   * UpdateStatus: replaces the status of `basedOn` (as a controller read it) with `status`, built
   * whole by the caller. Throws Conflict if the object changed since, NotFound if it is gone; same
   * result as `update(basedOn, draft => { draft.status = status })`, without the immer pass.
   */
  updateStatus<T extends KObject>(basedOn: T, status: unknown): T {
    const current = this.requireCurrent(basedOn.kind, basedOn.metadata.namespace, basedOn.metadata.name);
    if (current.metadata.resourceVersion !== basedOn.metadata.resourceVersion) {
      throw conflict(basedOn.kind, objectKey(basedOn.metadata.namespace, basedOn.metadata.name));
    }
    return this.replaceParts(current, current.spec, status) as T;
  }

  /**
   * Replaces the latest version's spec and status with whole values the caller built (the
   * scheduler's binding). Same result and key order as a patch assigning both; a spec change that
   * could need defaulting (new containers) takes the patch path instead.
   */
  setSpecAndStatus<T extends KObject = KObject>(
    kind: string,
    namespace: string,
    name: string,
    spec: unknown,
    status: unknown,
  ): T {
    const current = this.requireCurrent(kind, namespace, name);
    if (spec !== current.spec && hasDefaulter(kind) && specNeedsDefaulting(kind, current.spec, spec)) {
      return this.patch<T>(kind, namespace, name, (draft) => {
        (draft as { spec: unknown }).spec = spec;
        (draft as { status: unknown }).status = status;
      });
    }
    return this.replaceParts(current, spec, status) as T;
  }

  /** A new version with `spec` and `status` swapped in, written without an immer pass. */
  private replaceParts(current: KObject, spec: unknown, status: unknown): KObject {
    if (current.spec === spec && current.status === status) return current;
    const replaced = shallowCopy(current) as unknown as Record<string, unknown>;
    if (spec !== current.spec) replaced.spec = deepFreeze(spec);
    if (status !== current.status) replaced.status = deepFreeze(status);
    // metadata.generation counts spec changes, as in applyDefaulted.
    const generation = spec !== current.spec ? current.metadata.generation + 1 : current.metadata.generation;
    replaced.metadata = this.stampedMetadata(current.metadata, generation);
    const next = Object.freeze(replaced) as unknown as KObject;
    this.write(next, current);
    return next;
  }

  /** Applies `recipe` to the latest version, like a patch (no conflict possible). */
  patch<T extends KObject = KObject>(
    kind: string,
    namespace: string,
    name: string,
    recipe: (draft: Draft<T>) => void,
  ): T {
    return this.apply(this.requireCurrent(kind, namespace, name) as T, recipe);
  }

  /**
   * Deletes an object, gracefully where the kind has a grace period (pods). Kubernetes' rules
   * (kubernetes-semantics.md §5.1): the first delete sets deletionTimestamp = now + grace; a later
   * one may only shorten it; the object goes away once the grace is 0 and no finalizers remain.
   */
  delete(kind: string, namespace: string, name: string, options: DeleteOptions = {}): void {
    const current = this.requireCurrent(kind, namespace, name);
    if (options.uid !== undefined && current.metadata.uid !== options.uid) {
      throw conflict(kind, objectKey(namespace, name));
    }
    if (options.propagationPolicy === "Orphan") this.orphanPolicy.add(current.metadata.uid);
    const meta = current.metadata;
    if (meta.deletionTimestamp !== undefined) {
      this.shortenDeletion(current, options.gracePeriodSeconds);
      return;
    }
    const graceSeconds = this.deletionGraceSeconds(current, options.gracePeriodSeconds);
    const finalizers = meta.finalizers ?? [];
    if (graceSeconds === 0 && finalizers.length === 0) {
      this.remove(current);
      return;
    }
    this.commitDeletion(
      current,
      toTimestamp(this.kernel.nowMs + graceSeconds * 1000),
      graceSeconds,
      current.metadata.generation + 1,
    );
  }

  /**
   * A delete of an object already being deleted (rest.BeforeDelete): only an explicit, shorter
   * grace period changes anything, and the new deletionTimestamp keeps the original start:
   * old timestamp − old grace + new grace.
   */
  private shortenDeletion(current: KObject, requestedSeconds: number | undefined): void {
    const meta = current.metadata;
    const previousGrace = meta.deletionGracePeriodSeconds ?? 0;
    if (requestedSeconds === undefined || previousGrace === 0) return;
    const graceSeconds = requestedSeconds < 0 ? 1 : requestedSeconds;
    if (graceSeconds >= previousGrace) return;
    const startMs = fromTimestamp(meta.deletionTimestamp as string) - previousGrace * 1000;
    this.commitDeletion(current, toTimestamp(startMs + graceSeconds * 1000), graceSeconds, meta.generation);
  }

  /**
   * Marks `current` for deletion (deletionTimestamp, deletionGracePeriodSeconds, generation): removes
   * it if the grace is 0 and no finalizers remain (readyForRemoval of the marked object), otherwise
   * stores the mark. The stored mark carries its new resourceVersion from the one copy that sets
   * the mark: same keys in the same order as marking and then stamping.
   */
  private commitDeletion(
    current: KObject,
    deletionTimestamp: string,
    deletionGracePeriodSeconds: number,
    generation: number,
  ): void {
    const finalizers = current.metadata.finalizers;
    if (deletionGracePeriodSeconds === 0 && (finalizers === undefined || finalizers.length === 0)) {
      this.remove(withDeletionMark(current, { deletionTimestamp, deletionGracePeriodSeconds, generation }), current);
      return;
    }
    const resourceVersion = this.mintResourceVersion();
    const marked = withDeletionMark(current, {
      deletionTimestamp,
      deletionGracePeriodSeconds,
      generation,
      resourceVersion,
    });
    this.write(marked, current);
  }

  /**
   * A copy of a frozen object with a new resourceVersion (and generation). Only the top level and
   * metadata are new; everything else is shared with `object`, which immer already froze. This is
   * what every write pays, so it is a plain copy rather than another immer pass.
   */
  private stamp<T extends KObject>(object: T, generation: number): T {
    return Object.freeze(copyWith(object, { metadata: this.stampedMetadata(object.metadata, generation) })) as T;
  }

  /** The metadata with a new resourceVersion and `generation` (both keys always present). */
  private stampedMetadata(metadata: StoredMeta, generation: number): StoredMeta {
    return Object.freeze(copyWith(metadata, { resourceVersion: this.mintResourceVersion(), generation }));
  }

  private apply<T extends KObject>(current: T, recipe: (draft: Draft<T>) => void): T {
    const next = produce(current, (draft) => {
      recipe(draft);
    }) as T;
    if (next !== current && next.spec !== current.spec && hasDefaulter(next.kind) && needsDefaulting(current, next)) {
      // The API server defaults every write; only spec changes can need it.
      return this.applyDefaulted(current, produce(next, (draft) => applyDefaults(draft)) as T);
    }
    return this.applyDefaulted(current, next);
  }

  private applyDefaulted<T extends KObject>(current: T, next: T): T {
    if (next === current) return current;
    if (this.readyForRemoval(next)) {
      this.remove(next, current);
      return next;
    }
    // metadata.generation counts spec changes (what controllers observe as observedGeneration).
    const generation = next.spec !== current.spec ? current.metadata.generation + 1 : next.metadata.generation;
    const stamped = this.stamp(next, generation);
    this.write(stamped, current);
    return stamped;
  }

  private readyForRemoval(object: KObject): boolean {
    const meta = object.metadata;
    return (
      meta.deletionTimestamp !== undefined &&
      (meta.deletionGracePeriodSeconds ?? 0) === 0 &&
      (meta.finalizers === undefined || meta.finalizers.length === 0)
    );
  }

  /** The grace period a delete gets, per kind (pod strategy: CheckGracefulDelete). */
  private deletionGraceSeconds(object: KObject, requested: number | undefined): number {
    if (object.kind !== "Pod") return 0;
    const pod = object as KObject & {
      spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
      status?: { phase?: string };
    };
    let grace = requested ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
    if (!pod.spec?.nodeName) grace = 0;
    const phase = pod.status?.phase;
    if (phase === "Failed" || phase === "Succeeded") grace = 0;
    if (grace < 0) grace = 1;
    return grace;
  }

  /** Stores a changed object whose resourceVersion is already minted. */
  private write(next: KObject, previous: KObject): void {
    const key = objectKey(next.metadata.namespace, next.metadata.name);
    this.kindMap(next.kind).set(key, next);
    this.indexOwners(next, previous);
    this.emit("MODIFIED", next, previous, key);
  }

  /** Removes `stored` for good; the DELETED event carries `last` (its final state). */
  private remove(last: KObject, stored: KObject = last): void {
    const key = objectKey(stored.metadata.namespace, stored.metadata.name);
    this.kindMap(stored.kind).delete(key);
    this.unindexOwners(stored);
    const removed = this.stamp(last, last.metadata.generation);
    this.emit("DELETED", removed, stored, key);
  }

  private emit(type: WatchEventType, object: KObject, previous: KObject | undefined, key: string): void {
    this.trace.recordWatchEvent(this.kernel.nowMs, type, object);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as WatchListener)(type, object, previous, key);
  }

  /**
   * Files `object` under its owners' uids. The index holds some version of each dependent and
   * dependentsOf looks up the latest, so a write that keeps the ownerReferences costs nothing here.
   */
  private indexOwners(object: KObject, previous: KObject | undefined): void {
    if (previous !== undefined && previous.metadata.ownerReferences === object.metadata.ownerReferences) return;
    if (previous !== undefined) this.unindexOwners(previous);
    this.reindexOwners(object);
  }

  private reindexOwners(object: KObject): void {
    const refs = object.metadata.ownerReferences;
    if (refs === undefined) return;
    const dependentKey = object.metadata.uid;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as OwnerReference;
      let map = this.dependents.get(ref.uid);
      if (map === undefined) {
        map = new Map();
        this.dependents.set(ref.uid, map);
      }
      map.set(dependentKey, object);
    }
  }

  private unindexOwners(object: KObject): void {
    const refs = object.metadata.ownerReferences;
    if (refs === undefined) return;
    const dependentKey = object.metadata.uid;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as OwnerReference;
      const map = this.dependents.get(ref.uid);
      if (map === undefined) continue;
      map.delete(dependentKey);
      if (map.size === 0) this.dependents.delete(ref.uid);
    }
  }

  private requireCurrent(kind: string, namespace: string, name: string): KObject {
    const key = objectKey(namespace, name);
    const current = this.kinds.get(kind)?.get(key);
    if (current === undefined) throw notFound(kind, key);
    return current;
  }

  private kindMap(kind: string): Map<string, KObject> {
    let map = this.kinds.get(kind);
    if (map === undefined) {
      map = new Map();
      this.kinds.set(kind, map);
    }
    return map;
  }

  private mintResourceVersion(): string {
    return String(++this.resourceVersion);
  }

  /** UUID-shaped, deterministic, and increasing in creation order (string order too). */
  private mintUid(): string {
    const n = ++this.uidCounter;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  }

  /** generateName plus five characters from Kubernetes' alphabet, drawn from a seeded stream; never taken. */
  private generateName(kind: string, namespace: string, prefix: string | undefined): string {
    if (prefix === undefined) return "";
    if (this.nameStream === undefined) this.nameStream = this.kernel.random("apiserver/names");
    const stream = this.nameStream;
    const objects = this.kindMap(kind);
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = prefix + nameSuffix(stream);
      if (!objects.has(objectKey(namespace, name))) return name;
    }
    throw alreadyExists(kind, `${namespace}/${prefix}*`);
  }
}

/** Five characters from NAME_SUFFIX_ALPHABET, drawn in order from `stream`, made as one string. */
export function nameSuffix(stream: RandomStream): string {
  const size = NAME_SUFFIX_ALPHABET.length;
  const a = NAME_SUFFIX_ALPHABET.charCodeAt(Math.floor(stream.next() * size));
  const b = NAME_SUFFIX_ALPHABET.charCodeAt(Math.floor(stream.next() * size));
  const c = NAME_SUFFIX_ALPHABET.charCodeAt(Math.floor(stream.next() * size));
  const d = NAME_SUFFIX_ALPHABET.charCodeAt(Math.floor(stream.next() * size));
  const e = NAME_SUFFIX_ALPHABET.charCodeAt(Math.floor(stream.next() * size));
  return String.fromCharCode(a, b, c, d, e);
}

/** The metadata a deletion sets; resourceVersion too when the marked object is stored. */
interface DeletionMark {
  deletionTimestamp: string;
  deletionGracePeriodSeconds: number;
  generation: number;
  resourceVersion?: string;
}

/**
 * `object` with the mark's metadata set: what an immer draft assigning deletionTimestamp,
 * deletionGracePeriodSeconds and generation gives (same key order: new keys last, in this order;
 * resourceVersion and generation are always present, so they keep their places), without a pass.
 */
function withDeletionMark(object: KObject, mark: DeletionMark): KObject {
  const metadata: StoredMeta = Object.freeze(copyWith(object.metadata, mark) as StoredMeta);
  return Object.freeze(copyWith(object, { metadata }));
}

/**
 * The metadata a client may set on create: deletionTimestamp and deletionGracePeriodSeconds are
 * the server's (dropped). Most inputs have neither, and then are used as they are (no copy).
 */
function userSetMetadata(metadata: ObjectMeta): ObjectMeta {
  if (!("deletionTimestamp" in metadata) && !("deletionGracePeriodSeconds" in metadata)) return metadata;
  const { deletionTimestamp: _ignoredTimestamp, deletionGracePeriodSeconds: _ignoredGrace, ...rest } = metadata;
  return rest;
}

/**
 * Whether a spec change can need defaulting. A pod's spec is immutable but for a few fields; the
 * binding (nodeName) and tolerations are set through paths that run no defaulting in the API
 * server, so only a change of its containers is defaulted again.
 */
function needsDefaulting(current: KObject, next: KObject): boolean {
  return specNeedsDefaulting(next.kind, current.spec, next.spec);
}

function specNeedsDefaulting(kind: string, before: unknown, after: unknown): boolean {
  if (kind !== "Pod") return true;
  return (
    (before as { containers?: unknown } | undefined)?.containers !==
    (after as { containers?: unknown } | undefined)?.containers
  );
}

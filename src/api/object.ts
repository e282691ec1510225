/**
 * Kubernetes-shaped objects as the store holds them: the upstream shapes from kubernetes-types,
 * with the metadata the API server always fills in made required.
 *
 * Timestamps are RFC 3339 strings with whole seconds, as metav1.Time serializes them
 * (kubernetes-semantics.md §1.6): comparisons at exact boundaries then behave as in a cluster.
 * Virtual time 0 is VIRTUAL_EPOCH.
 */
import type { ObjectMeta, OwnerReference } from "kubernetes-types/meta/v1.js";

export interface StoredMeta extends ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
}

/** Any object in the store. `spec` and `status` are kind-specific. */
export interface KObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: StoredMeta;
  readonly spec?: unknown;
  readonly status?: unknown;
}

/** An upstream kubernetes-types shape as stored: kind, apiVersion and metadata always present. */
export type Stored<T extends { metadata?: ObjectMeta }> = Omit<T, "metadata" | "apiVersion" | "kind"> & {
  apiVersion: string;
  kind: string;
  metadata: StoredMeta;
};

/** An object as a user or controller submits it: metadata.name (or generateName) and namespace at least. */
export interface NewObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [extra: string]: unknown;
}

export const DEFAULT_NAMESPACE = "default";

/** 2026-01-01T00:00:00Z: what virtual time 0 is shown as in timestamps. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

let cachedSecond = -1;
let cachedStamp = "";

/** RFC 3339 with whole seconds (truncated), as the API server stores times. */
export function toTimestamp(virtualMs: number): string {
  const second = Math.floor(virtualMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedStamp = new Date(VIRTUAL_EPOCH_MS + second * 1000).toISOString().replace(".000Z", "Z");
  }
  return cachedStamp;
}

/** Virtual milliseconds of a timestamp written by toTimestamp (or any RFC 3339 time). */
export function fromTimestamp(stamp: string): number {
  // Stamps have whole seconds, so the same few repeat: parse each once in a row.
  if (stamp !== parsedStamp) {
    parsedStamp = stamp;
    parsedMs = Date.parse(stamp) - VIRTUAL_EPOCH_MS;
  }
  return parsedMs;
}

let parsedStamp = "";
let parsedMs = Number.NaN;

/**
 * Keys already made, by namespace then name. Every store write and cache delivery looks objects up
 * by key; a freshly concatenated key must be flattened and hashed on each lookup, a remembered one
 * carries its hash. Cleared wholesale when it grows past KEY_CACHE_LIMIT (a cache only: any key
 * can be made again).
 */
const keyCache = new Map<string, Map<string, string>>();
let keyCacheSize = 0;
const KEY_CACHE_LIMIT = 1_000_000;
let lastNamespace = "";
let lastName = "";
let lastKey = "/";
/** keyCache's entry for lastNamespace (most objects share a namespace). */
let lastByName: Map<string, string> | undefined;

/** "namespace/name", the key of an object in its kind's index (as client-go's MetaNamespaceKeyFunc). */
export function objectKey(namespace: string, name: string): string {
  // A write asks for the same key several times in a row (lookup, store, delivery).
  if (name === lastName && namespace === lastNamespace) return lastKey;
  let byName = namespace === lastNamespace ? lastByName : keyCache.get(namespace);
  if (byName === undefined) {
    byName = new Map();
    keyCache.set(namespace, byName);
  }
  let key = byName.get(name);
  if (key === undefined) {
    if (keyCacheSize >= KEY_CACHE_LIMIT) {
      keyCache.clear();
      keyCacheSize = 0;
      byName = new Map();
      keyCache.set(namespace, byName);
    }
    key = `${namespace}/${name}`;
    byName.set(name, key);
    keyCacheSize++;
  }
  lastNamespace = namespace;
  lastName = name;
  lastKey = key;
  lastByName = byName;
  return key;
}

export function keyOf(object: { metadata: { namespace?: string; name?: string } }): string {
  return objectKey(object.metadata.namespace ?? DEFAULT_NAMESPACE, object.metadata.name ?? "");
}

/** Splits "namespace/name". */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The owner reference with controller=true, if any (metav1.GetControllerOf). */
export function controllerOf(object: { metadata: ObjectMeta }): OwnerReference | undefined {
  const refs = object.metadata.ownerReferences;
  if (refs === undefined) return undefined;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as OwnerReference;
    if (ref.controller === true) return ref;
  }
  return undefined;
}

/** An owner reference to `owner` marked as its controller (metav1.NewControllerRef). */
export function controllerRef(owner: KObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isBeingDeleted(object: { metadata: ObjectMeta }): boolean {
  return object.metadata.deletionTimestamp !== undefined;
}

/**
 * Freezes a JSON value and everything in it not frozen yet; stops at frozen parts, which are
 * frozen all the way down (every stored value is). immer's freeze(value, true) gives the same
 * result for JSON, but walks keys through Reflect.ownKeys and checks for drafts, Maps and Sets:
 * this runs on every store write, so it is a plain for-in walk.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    // Plain JSON objects: for-in sees exactly their own keys, without allocating a key array.
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return Object.freeze(value);
}

/**
 * `{ ...source, ...extra }`. On Node 20, a spread literal that adds keys the source lacks (or
 * keys assigned to a spread copy afterwards) can fall off V8's fast path and cost microseconds
 * per object, where Object.assign onto `{}` costs tens of nanoseconds; every store write copies
 * an object, so this matters. Same keys in the same order; an own "__proto__" key (possible in
 * parsed input) keeps the spread, which defines it as a plain property instead of setting the
 * prototype.
 */
export function copyWith<T extends object, U extends object>(source: T, extra: U): Omit<T, keyof U> & U {
  if (Object.hasOwn(source, "__proto__")) return { ...source, ...extra };
  return Object.assign({}, source, extra);
}

/** `{ ...source }`, through Object.assign for the reason given at copyWith. */
export function shallowCopy<T extends object>(source: T): T {
  if (Object.hasOwn(source, "__proto__")) return { ...source };
  return Object.assign({}, source);
}

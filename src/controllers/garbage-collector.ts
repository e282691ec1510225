/**
 * The garbage collector, after pkg/controller/garbagecollector (attemptToDeleteItem,
 * classifyReferences, orphanDependents), reduced to what the simulator's store needs.
 *
 * The store removes an owner at once (it records propagationPolicy Orphan), so the collector
 * works from the removal: when the cache shows an owner's DELETED event, after
 * timing.garbageCollection it looks at every dependent (store.dependentsOf, in kind, namespace, name order):
 *  - owner references whose owner no longer exists (same kind, namespace, name and uid) are
 *    "dangling"; if the dependent has another live owner, the dangling references are removed;
 *  - otherwise the dependent is deleted (background propagation; pods get their grace period);
 *  - a reference to an owner deleted with propagationPolicy Orphan is removed instead, so the
 *    dependent is released rather than deleted.
 * A dependent that shows up naming an owner that does not exist is handled the same way
 * (the absent-owner rule). Dependents already being deleted are left alone.
 */
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import { isApiError } from "../api/errors.ts";
import { API_VERSIONS } from "../api/kinds.ts";
import { DEFAULT_NAMESPACE, type KObject } from "../api/object.ts";
import type { WatchEventType } from "../api/store.ts";
import { type RandomStream, sampleMs } from "../sim/random.ts";
import type { World } from "../world/world.ts";
import { Controller, type SyncResult } from "./controller.ts";
import { withoutOwners } from "./controller-utils.ts";

export const GARBAGE_COLLECTOR = "garbage-collector";

/** Kinds without a namespace: their owners are looked up in "" and the default namespace. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(["Node", "Namespace", "PersistentVolume"]);

const OWNER_PREFIX = "owner:";
const ITEM_PREFIX = "item:";

export class GarbageCollector extends Controller {
  private readonly stream: RandomStream;

  constructor(world: World) {
    super(world, GARBAGE_COLLECTOR);
    this.stream = world.random("controller/garbage-collector");
  }

  /** Watches every kind the API accepts (the collector's monitors). */
  start(): void {
    for (const kind of Object.keys(API_VERSIONS)) this.world.cache.on(kind, this.onObjectEvent);
  }

  /** Keys: "owner:<uid>" (an owner went away) or "item:<kind>:<namespace>/<name>" (one dependent). */
  protected sync(key: string): SyncResult {
    if (key.startsWith(OWNER_PREFIX)) {
      this.processDependentsOf(key.slice(OWNER_PREFIX.length));
      return undefined;
    }
    const rest = key.slice(ITEM_PREFIX.length);
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/", colon);
    const object = this.world.store.get(rest.slice(0, colon), rest.slice(colon + 1, slash), rest.slice(slash + 1));
    if (object !== undefined) this.attemptToDelete(object);
    return undefined;
  }

  private readonly onObjectEvent = (type: WatchEventType, object: KObject, previous: KObject | undefined): void => {
    if (type === "DELETED") {
      if (this.world.store.dependentsOf(object.metadata.uid).length > 0) {
        this.later(`${OWNER_PREFIX}${object.metadata.uid}`);
      }
      return;
    }
    const refs = object.metadata.ownerReferences;
    if (refs === undefined || refs.length === 0) return;
    if (previous !== undefined && previous.metadata.ownerReferences === refs) return;
    if (refs.some((ref) => !this.ownerExists(ref, object.metadata.namespace))) {
      this.later(`${ITEM_PREFIX}${object.kind}:${object.metadata.namespace}/${object.metadata.name}`);
    }
  };

  /** Queues `key` after the garbage-collection latency. */
  private later(key: string): void {
    this.queue.addAfter(key, sampleMs(this.world.config.timing.garbageCollection, this.stream));
  }

  /** Every dependent of a gone owner, by kind then namespace/name; the first API error is rethrown. */
  private processDependentsOf(ownerUid: string): void {
    const dependents = this.world.store.dependentsOf(ownerUid).sort(byKindThenKey);
    let firstError: unknown;
    for (const dependent of dependents) {
      try {
        this.attemptToDelete(dependent);
      } catch (error) {
        if (!isApiError(error)) throw error;
        if (error.reason !== "NotFound" && error.reason !== "Conflict") firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  /**
   * attemptToDeleteItem for the latest version of `dependent`: with a live owner left, removes the
   * dangling references; with none, deletes it (or, if every gone owner was orphaning, releases
   * it). Skips an object already being deleted.
   */
  private attemptToDelete(dependent: KObject): void {
    const store = this.world.store;
    const latest = store.get(dependent.kind, dependent.metadata.namespace, dependent.metadata.name);
    if (latest === undefined || latest.metadata.uid !== dependent.metadata.uid) return;
    if (latest.metadata.deletionTimestamp !== undefined) return;
    const refs = latest.metadata.ownerReferences ?? [];
    const gone = refs.filter((ref) => !this.ownerExists(ref, latest.metadata.namespace));
    if (gone.length === 0) return;
    const hasSolidOwner = gone.length < refs.length;
    const deleteIt = !hasSolidOwner && gone.some((ref) => !store.wasOrphaned(ref.uid));
    if (deleteIt) {
      store.delete(latest.kind, latest.metadata.namespace, latest.metadata.name, { uid: latest.metadata.uid });
      return;
    }
    const goneUids = gone.map((ref) => ref.uid);
    store.update(latest, (draft) => {
      draft.metadata.ownerReferences = withoutOwners(draft.metadata.ownerReferences, goneUids);
    });
  }

  /** isDangling's opposite: an object with the reference's kind and name exists and has its uid. */
  private ownerExists(ref: OwnerReference, namespace: string): boolean {
    const store = this.world.store;
    if (CLUSTER_SCOPED_KINDS.has(ref.kind)) {
      const owner = store.get(ref.kind, "", ref.name) ?? store.get(ref.kind, DEFAULT_NAMESPACE, ref.name);
      return owner?.metadata.uid === ref.uid;
    }
    return store.get(ref.kind, namespace, ref.name)?.metadata.uid === ref.uid;
  }
}

/** Kind, then namespace, then name (no string building: an owner may have thousands of pods). */
function byKindThenKey(a: KObject, b: KObject): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.metadata.namespace !== b.metadata.namespace) return a.metadata.namespace < b.metadata.namespace ? -1 : 1;
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name ? -1 : 1;
  return 0;
}

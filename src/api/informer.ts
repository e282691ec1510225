/**
 * Informer caches: what controllers see of the store, a watch delay behind it.
 *
 * Like client-go's shared informers, one cache serves many controllers; it receives the store's
 * watch events in order (a watch stream is FIFO, so a later event is never delivered before an
 * earlier one, whatever the sampled delays) and, on delivery, updates its copy, its indexes, and
 * calls the handlers registered for that kind. Controllers read only from here, so they act on
 * state that is `watchDelay` old, as real ones do.
 *
 * A cache starts with the store (a World makes both together) and never lists: it sees every
 * object from its first event, so the version an event replaces in the cache is the one it
 * replaced in the store, which the store hands over with the event.
 */
import type { Kernel } from "../sim/kernel.ts";
import { type Distribution, type RandomStream, sampleMs } from "../sim/random.ts";
import { type KObject, objectKey } from "./object.ts";
import type { Store, WatchEventType } from "./store.ts";

export type InformerHandler = (type: WatchEventType, object: KObject, previous: KObject | undefined) => void;

/** Maps an object to the index values it is filed under (client-go's IndexFunc). */
export type IndexFunction = (object: KObject) => readonly string[] | string | undefined;

interface Index {
  readonly fn: IndexFunction;
  /** Index value -> keys of the objects filed under it. */
  readonly buckets: Map<string, Set<string>>;
  /** The cached objects of the index's kind, which the keys name. */
  readonly objects: Map<string, KObject>;
}

/** Everything the cache keeps for one kind, so that a delivery looks its kind up once. */
interface KindCache {
  /** Key -> object, in the order the cache first saw them. */
  readonly objects: Map<string, KObject>;
  readonly indexes: Index[];
  /** In registration order. */
  readonly handlers: InformerHandler[];
}

export class InformerCache {
  private readonly kinds = new Map<string, KindCache>();
  private readonly indexes = new Map<string, Index>();
  /**
   * Queued watch events, as parallel arrays (no object per event): entries pendingHead up to
   * pendingTail are waiting. The arrays keep their length when they empty, so a busy cache does
   * not grow them again for every batch.
   */
  private readonly pendingTypes: WatchEventType[] = [];
  private readonly pendingObjects: KObject[] = [];
  private readonly pendingKeys: string[] = [];
  /** The version each pending event replaces: the store's previous, which is the cache's too, as it applies every event in order. */
  private readonly pendingPrevious: (KObject | undefined)[] = [];
  private readonly pendingAtMs: number[] = [];
  private pendingHead = 0;
  private pendingTail = 0;
  private lastDeliverAtMs = 0;
  private timerArmed = false;
  private paused = false;
  private readonly stream: RandomStream;
  private readonly deliverDue = (): void => this.deliver();

  constructor(
    private readonly kernel: Kernel,
    store: Store,
    readonly name: string,
    private delay: Distribution,
  ) {
    this.stream = kernel.random(`informer/${name}`);
    store.watch((type, object, previous, key) => this.enqueue(type, object, previous, key));
  }

  /** Changes the watch delay from now on (the `watchDelay` fault). */
  setDelay(delay: Distribution): void {
    this.delay = delay;
  }

  /** Stops delivering (a watch stream cut off; tests use it for a stale cache); queued events wait until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.armTimer();
  }

  /** Registers a handler for a kind; handlers run in registration order. */
  on(kind: string, handler: InformerHandler): void {
    this.kindCache(kind).handlers.push(handler);
  }

  /** Adds an index over a kind; must be called before the first event of that kind arrives. */
  addIndex(name: string, kind: string, fn: IndexFunction): void {
    const cache = this.kindCache(kind);
    const index: Index = { fn, buckets: new Map(), objects: cache.objects };
    this.indexes.set(name, index);
    cache.indexes.push(index);
    for (const [key, object] of cache.objects) this.fileValues(index, fn(object), key);
  }

  get<T extends KObject = KObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.kinds.get(kind)?.objects.get(objectKey(namespace, name)) as T | undefined;
  }

  getByKey<T extends KObject = KObject>(kind: string, key: string): T | undefined {
    return this.kinds.get(kind)?.objects.get(key) as T | undefined;
  }

  /** Every cached object of a kind, in the order the cache first saw them. */
  list<T extends KObject = KObject>(kind: string): IterableIterator<T> {
    return this.kindCache(kind).objects.values() as IterableIterator<T>;
  }

  count(kind: string): number {
    return this.kinds.get(kind)?.objects.size ?? 0;
  }

  /** Objects filed under `value` in index `name` (empty if none), in the order they were filed. */
  byIndex<T extends KObject = KObject>(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new Error(`informer ${this.name}: no index named ${name}`);
    const bucket = index.buckets.get(value);
    if (bucket === undefined) return [];
    const objects = index.objects;
    const filed: T[] = [];
    for (const key of bucket) filed.push(objects.get(key) as T);
    return filed;
  }

  countByIndex(name: string, value: string): number {
    return this.indexes.get(name)?.buckets.get(value)?.size ?? 0;
  }

  private enqueue(type: WatchEventType, object: KObject, previous: KObject | undefined, key: string): void {
    const deliverAtMs = Math.max(this.lastDeliverAtMs, this.kernel.nowMs + sampleMs(this.delay, this.stream));
    this.lastDeliverAtMs = deliverAtMs;
    const tail = this.pendingTail++;
    this.pendingTypes[tail] = type;
    this.pendingObjects[tail] = object;
    this.pendingKeys[tail] = key;
    this.pendingPrevious[tail] = previous;
    this.pendingAtMs[tail] = deliverAtMs;
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timerArmed || this.paused || this.pendingHead >= this.pendingTail) return;
    this.timerArmed = true;
    this.kernel.scheduleAt(this.pendingAtMs[this.pendingHead] as number, this.deliverDue);
  }

  /** Delivers every event due now that was queued before this delivery began. */
  private deliver(): void {
    this.timerArmed = false;
    if (this.paused) return;
    const nowMs = this.kernel.nowMs;
    const end = this.pendingTail;
    while (this.pendingHead < end) {
      const head = this.pendingHead;
      if ((this.pendingAtMs[head] as number) > nowMs) break;
      this.pendingHead++;
      const object = this.pendingObjects[head] as KObject;
      // Let the delivered object go: the queue keeps no version alive longer than the cache does.
      (this.pendingObjects as (KObject | undefined)[])[head] = undefined;
      const previous = this.pendingPrevious[head];
      this.pendingPrevious[head] = undefined;
      this.apply(this.pendingTypes[head] as WatchEventType, object, previous, this.pendingKeys[head] as string);
    }
    this.compactPending();
    this.armTimer();
  }

  private compactPending(): void {
    const head = this.pendingHead;
    const tail = this.pendingTail;
    if (head === tail) {
      // Delivered entries were cleared as they went; the arrays keep their length for reuse.
      this.pendingHead = 0;
      this.pendingTail = 0;
    } else if (head > 1024 && head * 2 > tail) {
      const kept = tail - head;
      moveToFront(this.pendingTypes, head, kept);
      moveToFront(this.pendingObjects, head, kept);
      moveToFront(this.pendingKeys, head, kept);
      moveToFront(this.pendingPrevious, head, kept);
      moveToFront(this.pendingAtMs, head, kept);
      // The moved entries' old places must not keep objects alive.
      (this.pendingObjects as (KObject | undefined)[]).fill(undefined, kept, tail);
      this.pendingPrevious.fill(undefined, kept, tail);
      this.pendingHead = 0;
      this.pendingTail = kept;
    }
  }

  private apply(type: WatchEventType, object: KObject, previous: KObject | undefined, key: string): void {
    const cache = this.kindCache(object.kind);
    if (type === "DELETED") cache.objects.delete(key);
    else cache.objects.set(key, object);
    const indexes = cache.indexes;
    for (let i = 0; i < indexes.length; i++) this.reindex(indexes[i] as Index, type, object, previous, key);
    const handlers = cache.handlers;
    for (let i = 0; i < handlers.length; i++) (handlers[i] as InformerHandler)(type, object, previous);
  }

  private kindCache(kind: string): KindCache {
    let cache = this.kinds.get(kind);
    if (cache === undefined) {
      cache = { objects: new Map(), indexes: [], handlers: [] };
      this.kinds.set(kind, cache);
    }
    return cache;
  }

  /**
   * Moves an object's key between index buckets. Buckets hold keys, not objects, so the common
   * update, which keeps the index values, costs two calls of the index function and nothing else.
   */
  private reindex(
    index: Index,
    type: WatchEventType,
    object: KObject,
    previous: KObject | undefined,
    key: string,
  ): void {
    const before = previous === undefined ? undefined : index.fn(previous);
    if (type === "DELETED") {
      this.unfileValues(index, before, key);
      return;
    }
    const after = index.fn(object);
    if (previous !== undefined) {
      if (typeof before === "string" && before === after) return;
      if (before === undefined && after === undefined) return;
    }
    this.unfileValues(index, before, key);
    this.fileValues(index, after, key);
  }

  /** Files `key` under each of `values` (what the index function returned). */
  private fileValues(index: Index, values: readonly string[] | string | undefined, key: string): void {
    if (values === undefined) return;
    if (typeof values === "string") {
      this.bucket(index, values).add(key);
      return;
    }
    for (let i = 0; i < values.length; i++) this.bucket(index, values[i] as string).add(key);
  }

  /** Takes `key` out of the buckets of `values`; a bucket left empty goes. */
  private unfileValues(index: Index, values: readonly string[] | string | undefined, key: string): void {
    if (values === undefined) return;
    if (typeof values === "string") {
      this.unfileValue(index, values, key);
      return;
    }
    for (let i = 0; i < values.length; i++) this.unfileValue(index, values[i] as string, key);
  }

  private unfileValue(index: Index, value: string, key: string): void {
    const bucket = index.buckets.get(value);
    if (bucket === undefined) return;
    bucket.delete(key);
    if (bucket.size === 0) index.buckets.delete(value);
  }

  private bucket(index: Index, value: string): Set<string> {
    let bucket = index.buckets.get(value);
    if (bucket === undefined) {
      bucket = new Set();
      index.buckets.set(value, bucket);
    }
    return bucket;
  }
}

/** Moves list[from .. from + count) to list[0 .. count), keeping the list's length. */
function moveToFront<T>(list: T[], from: number, count: number): void {
  for (let i = 0; i < count; i++) list[i] = list[from + i] as T;
}

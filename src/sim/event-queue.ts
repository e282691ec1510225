/**
 * The pending events, ordered by (timeMs, seq): a timing wheel for the near future in front of a
 * flat binary min-heap for the rest.
 *
 * Events scheduled for the same virtual millisecond run in the order they were scheduled (FIFO),
 * which makes the order total and deterministic.
 *
 * **The wheel** has one bucket per millisecond of a window [baseMs, baseMs + span) that starts at
 * the time of the last event popped (span is a power of two, 65,536 ms by default). A bucket is a
 * FIFO list of slots, so pushing an event with a whole-millisecond time inside the window is an
 * append, and its place among equal times comes for free. A bitmap of non-empty buckets (and
 * a summary bitmap of non-empty words) finds the earliest bucket by scanning forward from baseMs.
 * Every wheel entry stays inside the window, because baseMs only moves to the time of an event
 * popped, and that is the earliest pending time. This is the timing wheel of kernel timers and of
 * calendar queues (Brown 1988): O(1) push and pop for the short delays that most events have.
 *
 * **The heap** takes every other event: further out than the window, fractional times, or times
 * before baseMs (only a caller that schedules into the past; the kernel never does). Each heap
 * entry is two numbers in typed arrays aligned with heap positions: its time, and an order key
 * `seq · 2^24 + slot`, where seq counts the heap's pushes (slots are below 2^24, so comparing keys
 * compares seqs). A heap entry is not moved into the wheel when the window reaches it: pop takes
 * the earlier of the wheel's first entry and the heap's top, and the heap's at equal times. That is
 * FIFO, because a heap entry at a time the wheel also holds was pushed before the window reached
 * that time, so before every wheel entry at that time (the window only moves forward, and times
 * before it never go to the wheel).
 *
 * Pushing and popping allocate nothing once the arrays have grown (design.md: an object heap does
 * 1.7 M events/s at 10k pending, a typed-array heap 5.4 M; the wheel is faster again because a
 * push or pop does not walk the log2(n) levels of a heap).
 *
 * Keys stay exact integers while seq < 2^29; before it gets there the heap's entries get the seqs
 * 1, 2, 3... in their (time, seq) order (see renumber), which keeps every comparison the same.
 *
 * Cancelling is lazy: the slot's handler is cleared and the entry is skipped when it reaches the
 * front. An event id packs the slot and a per-slot generation, so a stale id never cancels a
 * reused slot.
 */

export type EventHandler = (arg: unknown) => void;

/** Opaque handle to a scheduled event; 0 is never a valid id. */
export type EventId = number;

const SLOT_BITS = 2 ** 24;
/** The most events that may be pending at once (slot numbers must fit in 24 bits). */
export const MAX_PENDING_EVENTS = SLOT_BITS - 1;
const GENERATION_MASK = 2 ** 28 - 1;
/** seq · 2^24 + slot must stay below 2^53 to be an exact double. */
const SEQ_LIMIT = 2 ** 29;
/** Default width of the wheel's window: 65.5 s holds watch delays, probe periods and start-ups. */
export const DEFAULT_WHEEL_SPAN_MS = 2 ** 16;
/** End of a bucket's list. */
const NO_SLOT = -1;

export interface EventQueueOptions {
  /** Renumber the heap's entries when seq reaches this (tests lower it to exercise renumbering). */
  readonly seqLimit?: number;
  /** Width of the wheel's window in ms, a power of two from 32 (tests lower it to use the heap). */
  readonly wheelSpanMs?: number;
}

export class EventQueue {
  // Per slot: the event's handler, argument, generation, and (in the wheel) time and next slot.
  private handlers: (EventHandler | null)[] = [];
  private args: unknown[] = [];
  private generations: Uint32Array;
  private slotTimes: Float64Array;
  private slotNext: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;

  // The wheel: bucket b holds the entries whose time ≡ b (mod span), all in [baseMs, baseMs + span).
  private readonly span: number;
  private readonly spanMask: number;
  private readonly bucketHeads: Int32Array;
  private readonly bucketTails: Int32Array;
  /** Bit b: bucket b is non-empty (its head and tail are valid only then). */
  private readonly bucketBits: Uint32Array;
  /** Bit w: word w of bucketBits is non-zero. */
  private readonly wordBits: Uint32Array;
  private wheelCount = 0;
  /** The earliest non-empty bucket, or NO_SLOT when not known (found again by a scan). */
  private frontBucket = NO_SLOT;
  private baseMs = 0;

  // The heap, for events outside the wheel's window.
  private heapTimes: Float64Array;
  private heapKeys: Float64Array;
  private heapSize = 0;

  private nextSeq = 1;
  private readonly seqLimit: number;
  private live = 0;

  constructor(initialCapacity = 1024, options: EventQueueOptions = {}) {
    const capacity = Math.max(1, initialCapacity);
    this.generations = new Uint32Array(capacity);
    this.slotTimes = new Float64Array(capacity);
    this.slotNext = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.heapTimes = new Float64Array(capacity);
    this.heapKeys = new Float64Array(capacity);
    this.seqLimit = Math.min(options.seqLimit ?? SEQ_LIMIT, SEQ_LIMIT);
    const span = options.wheelSpanMs ?? DEFAULT_WHEEL_SPAN_MS;
    if (!Number.isInteger(Math.log2(span)) || span < 32 || span > 2 ** 24) {
      throw new Error(`event queue: wheelSpanMs must be a power of two from 32 to 2^24, not ${span}`);
    }
    this.span = span;
    this.spanMask = span - 1;
    this.bucketHeads = new Int32Array(span);
    this.bucketTails = new Int32Array(span);
    this.bucketBits = new Uint32Array(span >>> 5);
    this.wordBits = new Uint32Array(Math.max(1, span >>> 10));
  }

  /** Number of events that are scheduled and not cancelled. */
  get size(): number {
    return this.live;
  }

  /** Schedules `handler(arg)` at `timeMs`; returns an id for `cancel`. */
  push(timeMs: number, handler: EventHandler, arg: unknown): EventId {
    const slot = this.allocateSlot();
    this.handlers[slot] = handler;
    this.args[slot] = arg;
    const offsetMs = timeMs - this.baseMs;
    if (offsetMs >= 0 && offsetMs < this.span && timeMs === Math.floor(timeMs)) {
      this.appendToBucket(slot, timeMs);
    } else {
      if (this.nextSeq >= this.seqLimit) this.renumber();
      if (this.heapSize === this.heapTimes.length) this.growHeap();
      this.siftUp(this.heapSize++, timeMs, this.nextSeq++ * SLOT_BITS + slot);
    }
    this.live++;
    return this.generations[slot] * SLOT_BITS + slot + 1;
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. */
  cancel(id: EventId): boolean {
    if (id <= 0) return false;
    const slot = (id - 1) % SLOT_BITS;
    const generation = Math.floor((id - 1) / SLOT_BITS);
    if (slot >= this.slotCount || this.generations[slot] !== generation || this.handlers[slot] === null) return false;
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.live--;
    return true;
  }

  /** Time of the earliest live event, or Infinity when none is pending. */
  peekTimeMs(): number {
    const bucket = this.dropCancelledFronts();
    if (bucket === NO_SLOT) return this.heapSize === 0 ? Number.POSITIVE_INFINITY : this.heapTimes[0];
    const wheelTimeMs = this.slotTimes[this.bucketHeads[bucket]];
    return this.heapSize === 0 || wheelTimeMs < this.heapTimes[0] ? wheelTimeMs : this.heapTimes[0];
  }

  /** Time of the event `pop` returned last. */
  poppedTimeMs = 0;
  /** Argument of the event `pop` returned last. */
  poppedArg: unknown = undefined;

  /**
   * Removes the earliest live event and returns its handler (its time and argument are left in
   * `poppedTimeMs` and `poppedArg`), or null when the queue is empty. The caller advances its
   * clock, then calls the handler: no callback per event.
   */
  pop(): EventHandler | null {
    for (;;) {
      const bucket = this.wheelCount > 0 ? this.earliestBucket() : NO_SLOT;
      let slot: number;
      let timeMs: number;
      // At equal times the heap's entry is the older one (see the top of the file).
      if (bucket !== NO_SLOT && (this.heapSize === 0 || this.slotTimes[this.bucketHeads[bucket]] < this.heapTimes[0])) {
        slot = this.bucketHeads[bucket];
        timeMs = this.slotTimes[slot];
        this.removeBucketHead(bucket, slot);
      } else if (this.heapSize > 0) {
        slot = slotOfKey(this.heapKeys[0]);
        timeMs = this.heapTimes[0];
        this.removeHeapTop();
      } else {
        return null;
      }
      const handler = this.handlers[slot] as EventHandler | null;
      if (handler === null) {
        this.releaseSlot(slot); // cancelled
        continue;
      }
      // The window starts at the earliest pending time: every wheel entry is at or after it.
      if (timeMs > this.baseMs) this.baseMs = Math.ceil(timeMs);
      this.poppedTimeMs = timeMs;
      this.poppedArg = this.args[slot];
      this.releaseSlot(slot);
      this.live--;
      return handler;
    }
  }

  /** Pops the earliest live event and runs it after `beforeRun(time)`; false when empty. */
  popAndRun(beforeRun: (timeMs: number) => void): boolean {
    const handler = this.pop();
    if (handler === null) return false;
    beforeRun(this.poppedTimeMs);
    handler(this.poppedArg);
    return true;
  }

  /** Drops cancelled entries at the front of the wheel and the heap; returns the earliest bucket. */
  private dropCancelledFronts(): number {
    while (this.heapSize > 0) {
      const slot = slotOfKey(this.heapKeys[0]);
      if (this.handlers[slot] !== null) break;
      this.removeHeapTop();
      this.releaseSlot(slot);
    }
    while (this.wheelCount > 0) {
      const bucket = this.earliestBucket();
      const slot = this.bucketHeads[bucket];
      if (this.handlers[slot] !== null) return bucket;
      this.removeBucketHead(bucket, slot);
      this.releaseSlot(slot);
    }
    return NO_SLOT;
  }

  private appendToBucket(slot: number, timeMs: number): void {
    this.slotTimes[slot] = timeMs;
    this.slotNext[slot] = NO_SLOT;
    // `& spanMask` is exact for times up to 2^53: ToInt32 keeps the low 32 bits.
    const bucket = timeMs & this.spanMask;
    const word = bucket >>> 5;
    const bit = 1 << (bucket & 31);
    const bits = this.bucketBits[word];
    if ((bits & bit) === 0) {
      if (bits === 0) this.wordBits[word >>> 5] |= 1 << (word & 31);
      this.bucketBits[word] = bits | bit;
      this.bucketHeads[bucket] = slot;
      if (this.wheelCount === 0) this.frontBucket = bucket;
      else if (this.frontBucket !== NO_SLOT && this.isBefore(bucket, this.frontBucket)) this.frontBucket = bucket;
    } else {
      this.slotNext[this.bucketTails[bucket]] = slot;
    }
    this.bucketTails[bucket] = slot;
    this.wheelCount++;
  }

  private removeBucketHead(bucket: number, slot: number): void {
    const next = this.slotNext[slot];
    this.wheelCount--;
    if (next !== NO_SLOT) {
      this.bucketHeads[bucket] = next;
      return;
    }
    const word = bucket >>> 5;
    const bits = this.bucketBits[word] & ~(1 << (bucket & 31));
    this.bucketBits[word] = bits;
    if (bits === 0) this.wordBits[word >>> 5] &= ~(1 << (word & 31));
    if (bucket === this.frontBucket) this.frontBucket = NO_SLOT;
  }

  /**
   * Whether bucket a holds an earlier time than bucket b: buckets count round the wheel from
   * baseMs's, and every entry is in [baseMs, baseMs + span), so the order holds as baseMs moves.
   */
  private isBefore(a: number, b: number): boolean {
    const start = this.baseMs & this.spanMask;
    return ((a - start) & this.spanMask) < ((b - start) & this.spanMask);
  }

  /**
   * The first non-empty bucket at or after baseMs's bucket, going round the wheel: with every
   * entry in [baseMs, baseMs + span), that is the bucket of the earliest time. Needs wheelCount > 0.
   */
  private earliestBucket(): number {
    if (this.frontBucket === NO_SLOT) this.frontBucket = this.scanForFrontBucket();
    return this.frontBucket;
  }

  private scanForFrontBucket(): number {
    const start = this.baseMs & this.spanMask;
    const bucketBits = this.bucketBits;
    let word = start >>> 5;
    // Buckets of the start word from the start bucket on.
    const first = bucketBits[word] & (-1 << (start & 31));
    if (first !== 0) return (word << 5) + lowestBit(first);
    // Later words, through the summary bitmap, then round from word 0.
    const words = bucketBits.length;
    const wordBits = this.wordBits;
    word++;
    for (let pass = 0; pass < 2; pass++) {
      while (word < words) {
        const summaryWord = word >>> 5;
        const summary = wordBits[summaryWord] & (-1 << (word & 31));
        if (summary !== 0) {
          const found = (summaryWord << 5) + lowestBit(summary);
          return (found << 5) + lowestBit(bucketBits[found]);
        }
        word = (summaryWord + 1) << 5;
      }
      word = 0;
    }
    throw new Error("event queue: the wheel counts entries but has no non-empty bucket");
  }

  /** Takes the heap's root entry out. */
  private removeHeapTop(): void {
    const last = --this.heapSize;
    if (last > 0) this.siftDown(this.heapTimes[last], this.heapKeys[last]);
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount];
    if (this.slotCount === this.generations.length) this.growSlots();
    if (this.slotCount >= MAX_PENDING_EVENTS) {
      throw new Error(`event queue overflow: more than ${MAX_PENDING_EVENTS} pending events`);
    }
    return this.slotCount++;
  }

  private releaseSlot(slot: number): void {
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.generations[slot] = (this.generations[slot] + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
  }

  private growSlots(): void {
    const capacity = this.generations.length * 2;
    this.freeSlots = growInt32(this.freeSlots, capacity);
    this.slotNext = growInt32(this.slotNext, capacity);
    this.slotTimes = growFloat64(this.slotTimes, capacity);
    const generations = new Uint32Array(capacity);
    generations.set(this.generations);
    this.generations = generations;
  }

  private growHeap(): void {
    const capacity = this.heapTimes.length * 2;
    this.heapTimes = growFloat64(this.heapTimes, capacity);
    this.heapKeys = growFloat64(this.heapKeys, capacity);
  }

  /**
   * Gives the heap's entries the seqs 1..n in their (time, seq) order, so keys stay exact. Their
   * order is unchanged, so each stays where it is in the heap. Once per ~5·10^8 heap pushes.
   */
  private renumber(): void {
    const times = this.heapTimes;
    const keys = this.heapKeys;
    const order = Array.from({ length: this.heapSize }, (_, i) => i);
    order.sort((a, b) => (times[a] as number) - (times[b] as number) || (keys[a] as number) - (keys[b] as number));
    for (let rank = 0; rank < order.length; rank++) {
      const at = order[rank] as number;
      keys[at] = (rank + 1) * SLOT_BITS + slotOfKey(keys[at] as number);
    }
    this.nextSeq = order.length + 1;
  }

  private siftUp(index: number, time: number, key: number): void {
    const times = this.heapTimes;
    const keys = this.heapKeys;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent];
      if (time > parentTime || (time === parentTime && key > keys[parent])) break;
      times[i] = parentTime;
      keys[i] = keys[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
  }

  /** Places (time, key) from the root down, as the last entry moved to the top. */
  private siftDown(time: number, key: number): void {
    const times = this.heapTimes;
    const keys = this.heapKeys;
    const size = this.heapSize;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let childTime = times[child];
      const right = child + 1;
      if (right < size) {
        const rightTime = times[right];
        if (rightTime < childTime || (rightTime === childTime && keys[right] < keys[child])) {
          child = right;
          childTime = rightTime;
        }
      }
      if (childTime > time || (childTime === time && keys[child] > key)) break;
      times[i] = childTime;
      keys[i] = keys[child];
      i = child;
    }
    times[i] = time;
    keys[i] = key;
  }
}

/** The slot number carried in the low 24 bits of an order key (exact: the key is an integer below 2^53). */
function slotOfKey(key: number): number {
  return key - Math.floor(key / SLOT_BITS) * SLOT_BITS;
}

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

function growFloat64(array: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

function growInt32(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

/**
 * A controller work queue in virtual time, after client-go's rate-limited work queue: keys are
 * de-duplicated while waiting, one worker processes them in FIFO order (one key per event), and
 * failed keys come back after a rate-limited delay.
 *
 * The rate limiter is client-go's DefaultControllerRateLimiter (kubernetes-semantics.md §1.2): the
 * larger of a per-item exponential backoff (5 ms · 2^failures, up to 1000 s) and an overall token
 * bucket (10 per second, burst 100).
 */
import type { Kernel } from "../sim/kernel.ts";

export interface RateLimiterOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly bucketQps: number;
  readonly bucketBurst: number;
}

export const DEFAULT_RATE_LIMITER: RateLimiterOptions = {
  baseDelayMs: 5,
  maxDelayMs: 1_000_000,
  bucketQps: 10,
  bucketBurst: 100,
};

export class RateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens: number;
  private lastRefillMs = 0;

  constructor(private readonly options: RateLimiterOptions = DEFAULT_RATE_LIMITER) {
    this.tokens = options.bucketBurst;
  }

  /** The delay before `key` may be retried, counting this failure. */
  whenMs(key: string, nowMs: number): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const exponentialMs = Math.min(this.options.baseDelayMs * 2 ** failures, this.options.maxDelayMs);
    return Math.max(exponentialMs, this.bucketDelayMs(nowMs));
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Token bucket: reserve one token; how long until it is available. */
  private bucketDelayMs(nowMs: number): number {
    const { bucketQps, bucketBurst } = this.options;
    this.tokens = Math.min(bucketBurst, this.tokens + ((nowMs - this.lastRefillMs) * bucketQps) / 1000);
    this.lastRefillMs = nowMs;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / bucketQps);
  }
}

export type ProcessFunction = (key: string) => void;

/** Remembered keys past which a drained queue forgets them (see WorkQueue.waiting). */
const MAX_REMEMBERED_KEYS = 4096;

export class WorkQueue {
  /**
   * Whether each key is waiting in `order`. A processed key stays, marked false: a queue's few
   * keys come and go constantly, and a Set that empties on delete reallocates its table each time.
   * Forgotten all at once when the queue drains holding more than MAX_REMEMBERED_KEYS.
   */
  private readonly waiting = new Map<string, boolean>();
  private readonly order: string[] = [];
  private head = 0;
  private readonly delayed = new Map<string, { dueMs: number; timer: number }>();
  private armed = false;
  private stopped = false;
  readonly rateLimiter: RateLimiter;
  private readonly processNext = (): void => this.runOne();
  private readonly fireDelayed = (key: unknown): void => {
    this.delayed.delete(key as string);
    this.add(key as string);
  };

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    private readonly process: ProcessFunction,
    rateLimiterOptions?: RateLimiterOptions,
  ) {
    this.rateLimiter = new RateLimiter(rateLimiterOptions);
  }

  get length(): number {
    return this.order.length - this.head;
  }

  /** Queues `key` unless it is already waiting. */
  add(key: string): void {
    if (this.waiting.get(key) === true) return;
    this.waiting.set(key, true);
    this.order.push(key);
    this.arm();
  }

  /** Queues `key` after `delayMs`; an earlier pending delayed add wins (client-go's AddAfter). */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueMs = this.kernel.nowMs + Math.round(delayMs);
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.dueMs <= dueMs) return;
      this.kernel.cancel(existing.timer);
    }
    this.delayed.set(key, { dueMs, timer: this.kernel.scheduleAt(dueMs, this.fireDelayed, key) });
  }

  /** Queues `key` after the rate limiter's delay for it. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.whenMs(key, this.kernel.nowMs));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** Stops processing (a controller taken down); keys keep queueing. */
  stop(): void {
    this.stopped = true;
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  private arm(): void {
    if (this.armed || this.stopped || this.head >= this.order.length) return;
    this.armed = true;
    this.kernel.schedule(0, this.processNext);
  }

  private runOne(): void {
    this.armed = false;
    if (this.stopped || this.head >= this.order.length) return;
    const key = this.order[this.head++] as string;
    this.waiting.set(key, false);
    this.dropProcessed();
    this.process(key);
    this.arm();
  }

  /**
   * Empties `order` when the queue drains (forgetting the remembered keys if there are many), and
   * compacts it when most of it is processed. One path for both: a branch that warm-up never took
   * would cost the optimized caller a deoptimization when first taken.
   */
  private dropProcessed(): void {
    const head = this.head;
    const drained = head === this.order.length;
    // Every comparison runs every time: one that `||`/`&&` skipped until the first long queue would
    // have no type feedback in the optimized caller, which would deoptimize when it first ran.
    const long = head > 1024;
    const mostlyProcessed = head * 2 > this.order.length;
    if (drained || (long && mostlyProcessed)) {
      dropFront(this.order, head);
      this.head = 0;
    }
    if (drained && this.waiting.size > MAX_REMEMBERED_KEYS) this.waiting.clear();
  }
}

/**
 * Removes the first `count` entries of `list` in place: `list.splice(0, count)` without the array
 * of removed entries that splice allocates (queues read from a head index and compact now and then).
 */
export function dropFront<T>(list: T[], count: number): void {
  const kept = list.length - count;
  for (let i = 0; i < kept; i++) list[i] = list[i + count] as T;
  list.length = kept;
}

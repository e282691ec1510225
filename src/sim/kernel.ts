/**
 * The simulation kernel: a virtual clock in integer milliseconds, the event queue, cancellable
 * timers, named random streams and the run limits. It knows nothing about Kubernetes.
 */
import { type EventHandler, type EventId, EventQueue } from "./event-queue.ts";
import { createRandomStream, type RandomStream } from "./random.ts";

/** Every bound of a run, named in one place (design.md, "Bounded everything"). */
export interface RunLimits {
  /** The run stops with `limit-events` after this many events. */
  readonly maxEvents: number;
  /** Events are not run past this virtual time. */
  readonly maxTimeMs: number;
}

export const DEFAULT_LIMITS: RunLimits = { maxEvents: 50_000_000, maxTimeMs: 30 * 24 * 3_600_000 };

export type StopReason = "until" | "idle" | "limit-events" | "limit-time";

export interface RunResult {
  readonly reason: StopReason;
  readonly nowMs: number;
  readonly events: number;
}

export class Kernel {
  private readonly queue = new EventQueue();
  private readonly streams = new Map<string, RandomStream>();
  private clockMs = 0;
  private processed = 0;

  constructor(
    readonly seed: number,
    readonly limits: RunLimits = DEFAULT_LIMITS,
  ) {}

  /** The current virtual time in milliseconds. */
  get nowMs(): number {
    return this.clockMs;
  }

  /** Number of events run so far. */
  get events(): number {
    return this.processed;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Runs `handler(arg)` after `delayMs` (rounded to whole ms, at least 0). */
  schedule(delayMs: number, handler: EventHandler, arg?: unknown): EventId {
    const delay = delayMs > 0 ? Math.round(delayMs) : 0;
    return this.queue.push(this.clockMs + delay, handler, arg);
  }

  /** Runs `handler(arg)` at virtual time `timeMs` (never in the past). */
  scheduleAt(timeMs: number, handler: EventHandler, arg?: unknown): EventId {
    return this.queue.push(Math.max(this.clockMs, Math.round(timeMs)), handler, arg);
  }

  cancel(id: EventId | undefined | null): boolean {
    return id === undefined || id === null ? false : this.queue.cancel(id);
  }

  /** The random stream for `name`, created on first use from (seed, name). */
  random(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = createRandomStream(this.seed, name);
      this.streams.set(name, stream);
    }
    return stream;
  }

  /**
   * Runs events in (time, insertion) order until `untilMs` (events at exactly `untilMs` run), the
   * queue empties, or a limit is hit. The clock ends at `untilMs` when reached.
   */
  run(untilMs: number): RunResult {
    const endMs = Math.min(untilMs, this.limits.maxTimeMs);
    const maxEvents = this.limits.maxEvents;
    const queue = this.queue;
    for (;;) {
      const nextMs = queue.peekTimeMs();
      if (nextMs === Number.POSITIVE_INFINITY) {
        this.clockMs = Math.max(this.clockMs, endMs);
        return this.result("idle");
      }
      if (nextMs > endMs) {
        this.clockMs = Math.max(this.clockMs, endMs);
        return this.result(endMs < untilMs ? "limit-time" : "until");
      }
      if (this.processed >= maxEvents) return this.result("limit-events");
      const handler = queue.pop() as EventHandler;
      this.clockMs = queue.poppedTimeMs;
      this.processed++;
      handler(queue.poppedArg);
    }
  }

  private result(reason: StopReason): RunResult {
    return { reason, nowMs: this.clockMs, events: this.processed };
  }
}

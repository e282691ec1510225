/**
 * Event-queue throughput in the "hold" model: N events pending, each pop schedules one more at a
 * random later time, so the queue stays at N (design.md: target ≥ 5 M events/s at 10k pending).
 * Delays of 1 ms to 1 s (the default) all fall in the queue's timing wheel; delays of up to 10
 * minutes put most events past the wheel's 65.5 s window, in its heap.
 */
import { EventQueue } from "../src/sim/event-queue.ts";
import { createRandomStream } from "../src/sim/random.ts";

export interface QueueBenchResult {
  pending: number;
  events: number;
  eventsPerSecond: number;
}

export function benchQueue(pending = 10_000, events = 5_000_000, maxDelayMs = 1000): QueueBenchResult {
  const queue = new EventQueue(pending * 2);
  const stream = createRandomStream(1, "bench/queue");
  const increments = new Float64Array(1 << 16);
  for (let i = 0; i < increments.length; i++) increments[i] = Math.floor(stream.next() * maxDelayMs) + 1;
  let now = 0;
  let count = 0;
  const handler = (): void => {
    queue.push(now + (increments[count & 0xffff] as number), handler, undefined);
  };
  for (let i = 0; i < pending; i++) queue.push(increments[i & 0xffff] as number, handler, undefined);
  const start = performance.now();
  for (count = 0; count < events; count++) {
    const run = queue.pop() as (arg: unknown) => void;
    now = queue.poppedTimeMs;
    run(queue.poppedArg);
  }
  const seconds = (performance.now() - start) / 1000;
  return { pending, events, eventsPerSecond: events / seconds };
}

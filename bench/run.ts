/**
 * `npm run bench`: throughput figures for the kernel, the whole simulator, sweeps and traffic.
 * Wall-clock time is measured here, outside the model, and never asserted in tests.
 */
import { benchQueue } from "./queue.ts";

function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}

const millions = (n: number): string => `${(n / 1e6).toFixed(2)} M`;

function main(): void {
  console.log("rolloutsim benchmarks (Node", process.version, ")\n");
  benchQueue(10_000, 500_000); // warm-up
  const queue = benchQueue(10_000, 5_000_000);
  line("event queue, 10k pending (hold model)", `${millions(queue.eventsPerSecond)} events/s`);
}

main();

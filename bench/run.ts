/**
 * `npm run bench`: throughput figures for the kernel, the whole simulator, sweeps and traffic.
 * Wall-clock time is measured here, outside the model, and never asserted in tests.
 */
import { execFileSync } from "node:child_process";
import { benchParallelCeiling } from "./parallel-ceiling.ts";
import { benchQueue } from "./queue.ts";
import { benchRollout } from "./rollout.ts";
import { benchSweep } from "./sweep.ts";
import { benchTraffic } from "./traffic.ts";

function line(label: string, value: string): void {
  console.log(`${label.padEnd(72)} ${value}`);
}

const millions = (n: number): string => `${(n / 1e6).toFixed(2)} M`;

async function main(): Promise<void> {
  console.log("rolloutsim benchmarks (Node", process.version, ")\n");
  benchQueue(10_000, 500_000); // warm-up, both paths
  benchQueue(10_000, 500_000, 600_000);
  const queue = benchQueue(10_000, 5_000_000);
  line("event queue, 10k pending (hold model, delays 1 ms-1 s: wheel)", `${millions(queue.eventsPerSecond)} events/s`);
  const farQueue = benchQueue(10_000, 5_000_000, 600_000);
  line("event queue, 10k pending (delays up to 10 min: mostly heap)", `${millions(farQueue.eventsPerSecond)} events/s`);

  // The first run pays for the JIT warming up (what a `rolloutsim run` in a fresh process pays);
  // the second shows the steady state; the third adds hashing the trace.
  const runs = [
    { label: "trace off, first run in this process, JIT warm-up included", trace: "off" },
    { label: "trace off, second run (warm)", trace: "off" },
    { label: "trace hashed, warm", trace: "hash" },
  ] as const;
  // The same first run in a fresh process without the warm-up (src/warm-up.ts), for comparison.
  const withoutWarmUpMs = firstRunWithoutWarmUpMs();
  line(
    "10,000-pod rollout on 1,000 nodes, 1 h (trace off, first run, fresh process, no warm-up)",
    `${(withoutWarmUpMs / 1000).toFixed(2)} s wall`,
  );
  for (const { label, trace } of runs) {
    const rollout = benchRollout(trace);
    const workload = rollout.result.workloads["Deployment/big"];
    const took =
      workload?.rolloutCompletedAtMs == null
        ? "did not complete"
        : `${((workload.rolloutCompletedAtMs - (workload.rolloutStartedAtMs ?? 0)) / 1000).toFixed(1)} s simulated`;
    line(
      `10,000-pod rollout on 1,000 nodes, 1 h (${label})`,
      `${(rollout.wallMs / 1000).toFixed(2)} s wall, ${rollout.result.events} events`,
    );
    line("  events per second", `${millions(rollout.eventsPerSecond)} events/s`);
    line("  simulated time / wall time", `${Math.round(rollout.speedup)}x`);
    line("  rollout", took);
  }

  benchTraffic("aggregated", 60_000); // warm-up
  const aggregated = benchTraffic("aggregated", 3_600_000);
  line("traffic aggregated: 1 h, 2,000 req/s, 500 pods", `${(aggregated.wallMs / 1000).toFixed(2)} s wall`);
  line("  requests simulated per second", `${millions(aggregated.requests / (aggregated.wallMs / 1000))} requests/s`);
  const exact = benchTraffic("exact", 60_000);
  line("traffic exact: 1 min, 2,000 req/s, 500 pods", `${(exact.wallMs / 1000).toFixed(2)} s wall`);
  line("  requests simulated per second", `${millions(exact.requests / (exact.wallMs / 1000))} requests/s`);

  // A medium run (~0.2 s each) so that the work, not the workers' start-up (each thread loads the
  // module graph, about 1.5 s), decides the scaling.
  const sweepFile = "scenarios/large-rollout.yaml";
  const sweepArgs = ["--set", "Deployment/shop.spec.replicas=60"];
  const one = benchSweep(sweepFile, "1..200", 1, sweepArgs);
  const two = benchSweep(sweepFile, "1..200", 2, sweepArgs);
  line(`sweep of 200 seeds of ${sweepFile} (60 replicas), 1 worker`, `${(one.wallMs / 1000).toFixed(2)} s wall`);
  line("sweep of 200 seeds, 2 workers", `${(two.wallMs / 1000).toFixed(2)} s wall`);
  line("  speed-up with 2 workers", `${(one.wallMs / two.wallMs).toFixed(2)}x`);
  line("  per-seed results equal", one.csv === two.csv ? "yes" : "NO");
  const ceiling = await benchParallelCeiling();
  line("  ceiling: 2 threads of CPU-bound work on this machine", `${ceiling.ratio.toFixed(2)}x`);
}

/** Wall time of bench/profile-rollout.ts with the warm-up off, in a child process of its own. */
function firstRunWithoutWarmUpMs(): number {
  const output = execFileSync(process.execPath, ["--import", "tsx", "bench/profile-rollout.ts", "off"], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  return Number(output.trim().split(" ")[0]);
}

await main();

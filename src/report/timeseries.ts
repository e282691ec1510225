/**
 * Time series for plots and CSV: every workload's pods and available pods sampled at a fixed
 * virtual interval (at most MAX_SAMPLES samples a run), next to the traffic metrics' rows.
 */
import type { World } from "../world/world.ts";
import type { WorkloadTracker } from "./workloads.ts";

/** One row of timeseries.csv: a metric of a series at a virtual time. */
export interface TimeseriesRow {
  tMs: number;
  series: string;
  metric: string;
  value: number;
}

const MAX_SAMPLES = 2000;
const MIN_INTERVAL_MS = 1000;

/** Sampling interval for a run of `durationMs`: 1 s, or longer so a run has at most MAX_SAMPLES. */
export function sampleIntervalMs(durationMs: number): number {
  return Math.max(MIN_INTERVAL_MS, Math.ceil(durationMs / MAX_SAMPLES / 1000) * 1000);
}

export class WorkloadSampler {
  private readonly collected: TimeseriesRow[] = [];
  private readonly intervalMs: number;
  private readonly tick = (): void => {
    this.sample();
    this.world.kernel.schedule(this.intervalMs, this.tick);
  };

  constructor(
    private readonly world: World,
    private readonly tracker: WorkloadTracker,
    durationMs: number,
  ) {
    this.intervalMs = sampleIntervalMs(durationMs);
  }

  start(): void {
    this.world.kernel.schedule(0, this.tick);
  }

  rows(): TimeseriesRow[] {
    return this.collected;
  }

  private sample(): void {
    const tMs = this.world.nowMs;
    for (const row of this.tracker.snapshot()) {
      this.collected.push({ tMs, series: row.workload, metric: "pods", value: row.pods });
      this.collected.push({ tMs, series: row.workload, metric: "available", value: row.available });
      this.collected.push({ tMs, series: row.workload, metric: "replicas", value: row.replicas });
    }
  }
}

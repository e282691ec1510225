/**
 * Request metrics: per target (the Service, Gateway or LoadBalancer a traffic source sends to),
 * counts by outcome, by image and by datacenter of the pod a request was sent to, by failure
 * reason, the number in flight, and a time series in 1 s buckets.
 *
 * A request is counted when its outcome is known: at once when it is rejected or refused, when it
 * completes (or is reset) once a pod accepted it. `byImage` and `byDatacenter` count every request
 * that was sent to a pod (served, refused, reset or failed by the application), keyed by the pod's
 * image and its node's datacenter. `total` = succeeded + failed + rejected; mirrored copies (from a
 * mesh) are counted apart and are not part of the total.
 *
 * The trace gets one `{"t":…,"type":"Traffic",…}` record per target and 1 s bucket that saw any
 * request, written one bucket late (aggregated traffic may still move a request that was in flight
 * from succeeded to reset during the next bucket), never one per request.
 */
import { formatRef, type ObjectRef } from "../scenario/model.ts";
import type { Component, World } from "../world/world.ts";

export const TRAFFIC_METRICS_COMPONENT = "traffic-metrics";
export const BUCKET_MS = 1000;

export type FailureReason = "no-endpoint" | "connection-refused" | "reset" | "app-error";
export type RejectionReason = "not-whitelisted";

/** The counts the summary and the `requests` assertion read (interfaces.md §3). */
export interface RequestCounts {
  total: number;
  succeeded: number;
  failed: number;
  rejected: number;
  mirrored: number;
  byImage: Record<string, number>;
  byReason: Record<string, number>;
}

/** One row per target and bucket: counts of requests whose outcome became known in [t, t + 1 s). */
export interface TrafficBucketRow {
  tMs: number;
  target: string;
  succeeded: number;
  failed: number;
  rejected: number;
  /** Requests in flight at the end of the bucket (an estimate in aggregated mode). */
  inFlight: number;
}

/** The long format of the run's timeseries.csv (same shape as report/timeseries.ts rows). */
export interface TrafficSeriesRow {
  tMs: number;
  series: string;
  metric: string;
  value: number;
}

/** Counters of one target; the hot path updates these fields directly. */
export class TargetStats {
  succeeded = 0;
  failed = 0;
  rejected = 0;
  mirrored = 0;
  inFlight = 0;
  readonly byImage = new Map<string, number>();
  readonly byReason = new Map<string, number>();
  readonly byDatacenter = new Map<string, number>();
  readonly seriesSucceeded: number[] = [];
  readonly seriesFailed: number[] = [];
  readonly seriesRejected: number[] = [];
  readonly seriesInFlight: number[] = [];

  constructor(readonly label: string) {}

  get total(): number {
    return this.succeeded + this.failed + this.rejected;
  }

  /** `count` requests sent to a pod of `image` in `datacenter` (undefined: unknown). */
  sentTo(count: number, image: string | undefined, datacenter: string | undefined): void {
    if (image !== undefined) this.byImage.set(image, (this.byImage.get(image) ?? 0) + count);
    if (datacenter !== undefined) this.byDatacenter.set(datacenter, (this.byDatacenter.get(datacenter) ?? 0) + count);
  }

  addSucceeded(count: number, nowMs: number): void {
    this.succeeded += count;
    addAt(this.seriesSucceeded, bucketOf(nowMs), count);
  }

  addFailed(count: number, reason: FailureReason, nowMs: number): void {
    this.failed += count;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
    addAt(this.seriesFailed, bucketOf(nowMs), count);
  }

  addRejected(count: number, reason: RejectionReason, nowMs: number): void {
    this.rejected += count;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
    addAt(this.seriesRejected, bucketOf(nowMs), count);
  }

  /**
   * Aggregated mode: `count` requests counted at `countedAtMs` as succeeded (`fromAppErrors` of
   * them as app-error) turn out to have been in flight when their pod stopped: they are resets.
   * Never takes more than the bucket they were counted in holds.
   */
  convertToReset(count: number, fromAppErrors: number, countedAtMs: number, nowMs: number): void {
    const bucket = bucketOf(countedAtMs);
    const fromSucceeded = Math.min(count - fromAppErrors, this.seriesSucceeded[bucket] ?? 0, this.succeeded);
    const fromErrors = Math.min(fromAppErrors, this.byReason.get("app-error") ?? 0);
    if (fromSucceeded > 0) {
      this.succeeded -= fromSucceeded;
      addAt(this.seriesSucceeded, bucket, -fromSucceeded);
      this.failed += fromSucceeded;
      addAt(this.seriesFailed, bucketOf(nowMs), fromSucceeded);
    }
    if (fromErrors > 0) this.byReason.set("app-error", (this.byReason.get("app-error") ?? 0) - fromErrors);
    const moved = fromSucceeded + fromErrors;
    if (moved > 0) this.byReason.set("reset", (this.byReason.get("reset") ?? 0) + moved);
  }

  counts(): RequestCounts {
    return {
      total: this.total,
      succeeded: this.succeeded,
      failed: this.failed,
      rejected: this.rejected,
      mirrored: this.mirrored,
      byImage: sortedRecord(this.byImage),
      byReason: sortedRecord(this.byReason),
    };
  }
}

export type SettleHook = (nowMs: number) => void;

export class TrafficMetrics implements Component {
  readonly name = TRAFFIC_METRICS_COMPONENT;
  private readonly targets = new Map<string, TargetStats>();
  private readonly settleHooks: SettleHook[] = [];
  private tracedBuckets = 0;
  private readonly tick = (): void => this.onTick();

  constructor(private readonly world: World) {}

  start(): void {
    if (this.targets.size > 0) this.world.kernel.schedule(BUCKET_MS, this.tick);
  }

  /** The stats of a target, created on first use ("Kind/name" or "Kind/namespace/name"). */
  target(ref: ObjectRef): TargetStats {
    const label = formatRef(ref);
    let stats = this.targets.get(label);
    if (stats === undefined) {
      stats = new TargetStats(label);
      this.targets.set(label, stats);
    }
    return stats;
  }

  /** Registers a hook that brings the counts up to `nowMs` (aggregated traffic's pending interval). */
  onSettle(hook: SettleHook): void {
    this.settleHooks.push(hook);
  }

  /** Counts for one target, or summed over every target. */
  counts(target?: ObjectRef): RequestCounts {
    this.settle();
    if (target !== undefined) return this.targets.get(formatRef(target))?.counts() ?? emptyCounts();
    const sum = emptyCounts();
    for (const stats of this.targets.values()) {
      const counts = stats.counts();
      sum.total += counts.total;
      sum.succeeded += counts.succeeded;
      sum.failed += counts.failed;
      sum.rejected += counts.rejected;
      sum.mirrored += counts.mirrored;
      mergeInto(sum.byImage, counts.byImage);
      mergeInto(sum.byReason, counts.byReason);
    }
    sum.byImage = sortedRecord(new Map(Object.entries(sum.byImage)));
    sum.byReason = sortedRecord(new Map(Object.entries(sum.byReason)));
    return sum;
  }

  /** Requests by datacenter of the pod they were sent to. */
  byDatacenter(target?: ObjectRef): Record<string, number> {
    this.settle();
    const sum = new Map<string, number>();
    for (const stats of this.selected(target)) {
      for (const [datacenter, count] of stats.byDatacenter) sum.set(datacenter, (sum.get(datacenter) ?? 0) + count);
    }
    return sortedRecord(sum);
  }

  /** Requests in flight now (an estimate in aggregated mode). */
  inFlight(target?: ObjectRef): number {
    this.settle();
    let sum = 0;
    for (const stats of this.selected(target)) sum += stats.inFlight;
    return sum;
  }

  /** succeeded / (succeeded + failed + rejected); null when no request had an outcome. */
  successRatio(target?: ObjectRef): number | null {
    const counts = this.counts(target);
    return counts.total === 0 ? null : counts.succeeded / counts.total;
  }

  /**
   * The lowest success ratio over any window of `windowMs` (whole 1 s buckets, at least one) that
   * lies within the run so far; windows without requests are skipped. A run shorter than the
   * window has one window: the whole run. Null when no request had an outcome.
   */
  worstWindowRatio(target: ObjectRef, windowMs: number): number | null {
    this.settle();
    const stats = this.targets.get(formatRef(target));
    if (stats === undefined) return null;
    const buckets = Math.max(1, Math.ceil(this.world.nowMs / BUCKET_MS));
    const width = Math.min(buckets, Math.max(1, Math.round(windowMs / BUCKET_MS)));
    const good = prefixSums(stats.seriesSucceeded, buckets);
    const all = prefixSums3(stats.seriesSucceeded, stats.seriesFailed, stats.seriesRejected, buckets);
    let worst: number | null = null;
    for (let start = 0; start + width <= buckets; start++) {
      const total = (all[start + width] as number) - (all[start] as number);
      if (total <= 0) continue;
      const ratio = ((good[start + width] as number) - (good[start] as number)) / total;
      if (worst === null || ratio < worst) worst = ratio;
    }
    return worst;
  }

  /** Per target and 1 s bucket, up to now, buckets in time order then targets by label. */
  timeseries(): TrafficBucketRow[] {
    this.settle();
    const rows: TrafficBucketRow[] = [];
    const buckets = Math.ceil(this.world.nowMs / BUCKET_MS);
    const labels = [...this.targets.keys()].sort();
    for (let bucket = 0; bucket < buckets; bucket++) {
      for (const label of labels) rows.push(this.row(this.targets.get(label) as TargetStats, bucket));
    }
    return rows;
  }

  /**
   * The same series in the long format of the run's timeseries.csv, summed over intervals of
   * `intervalMs` (a multiple of 1 s; default: 1 s, or longer so a series has at most 2,000 points).
   * inFlight is the value at the end of each interval.
   */
  timeseriesRows(intervalMs?: number): TrafficSeriesRow[] {
    this.settle();
    const nowMs = this.world.nowMs;
    const interval = Math.max(
      BUCKET_MS,
      Math.round((intervalMs ?? Math.ceil(nowMs / 2000 / 1000) * 1000) / BUCKET_MS) * BUCKET_MS,
    );
    const perInterval = interval / BUCKET_MS;
    const buckets = Math.ceil(nowMs / BUCKET_MS);
    const rows: TrafficSeriesRow[] = [];
    const labels = [...this.targets.keys()].sort();
    for (let first = 0; first < buckets; first += perInterval) {
      const last = Math.min(buckets, first + perInterval) - 1;
      const tMs = first * BUCKET_MS;
      for (const label of labels) {
        const stats = this.targets.get(label) as TargetStats;
        let succeeded = 0;
        let failed = 0;
        let rejected = 0;
        for (let bucket = first; bucket <= last; bucket++) {
          succeeded += stats.seriesSucceeded[bucket] ?? 0;
          failed += stats.seriesFailed[bucket] ?? 0;
          rejected += stats.seriesRejected[bucket] ?? 0;
        }
        rows.push({ tMs, series: label, metric: "succeeded", value: succeeded });
        rows.push({ tMs, series: label, metric: "failed", value: failed });
        rows.push({ tMs, series: label, metric: "rejected", value: rejected });
        rows.push({ tMs, series: label, metric: "inFlight", value: this.inFlightAt(stats, last) });
      }
    }
    return rows;
  }

  private row(stats: TargetStats, bucket: number): TrafficBucketRow {
    return {
      tMs: bucket * BUCKET_MS,
      target: stats.label,
      succeeded: stats.seriesSucceeded[bucket] ?? 0,
      failed: stats.seriesFailed[bucket] ?? 0,
      rejected: stats.seriesRejected[bucket] ?? 0,
      inFlight: this.inFlightAt(stats, bucket),
    };
  }

  /** In flight at the end of a bucket: sampled at each tick; the current bucket reads the live value. */
  private inFlightAt(stats: TargetStats, bucket: number): number {
    return stats.seriesInFlight[bucket] ?? (bucket >= stats.seriesInFlight.length ? stats.inFlight : 0);
  }

  private selected(target: ObjectRef | undefined): Iterable<TargetStats> {
    if (target === undefined) return this.targets.values();
    const stats = this.targets.get(formatRef(target));
    return stats === undefined ? [] : [stats];
  }

  private settle(): void {
    const nowMs = this.world.nowMs;
    for (const hook of this.settleHooks) hook(nowMs);
  }

  /** At the end of bucket k: sample in-flight for k, trace bucket k − 1 (now final). */
  private onTick(): void {
    this.settle();
    const nowMs = this.world.nowMs;
    const ended = Math.floor(nowMs / BUCKET_MS) - 1;
    for (const stats of this.targets.values()) {
      while (stats.seriesInFlight.length < ended) stats.seriesInFlight.push(0);
      stats.seriesInFlight[ended] = stats.inFlight;
    }
    this.traceUpTo(ended - 1);
    this.world.kernel.schedule(BUCKET_MS, this.tick);
  }

  private traceUpTo(lastBucket: number): void {
    if (!this.world.trace.enabled) {
      this.tracedBuckets = Math.max(this.tracedBuckets, lastBucket + 1);
      return;
    }
    const labels = [...this.targets.keys()].sort();
    for (let bucket = this.tracedBuckets; bucket <= lastBucket; bucket++) {
      for (const label of labels) {
        const row = this.row(this.targets.get(label) as TargetStats, bucket);
        if (row.succeeded === 0 && row.failed === 0 && row.rejected === 0 && row.inFlight === 0) continue;
        this.world.trace.record(this.world.nowMs, "Traffic", {
          bucketMs: row.tMs,
          target: row.target,
          succeeded: row.succeeded,
          failed: row.failed,
          rejected: row.rejected,
          inFlight: row.inFlight,
        });
      }
    }
    this.tracedBuckets = Math.max(this.tracedBuckets, lastBucket + 1);
  }
}

export function emptyCounts(): RequestCounts {
  return { total: 0, succeeded: 0, failed: 0, rejected: 0, mirrored: 0, byImage: {}, byReason: {} };
}

function bucketOf(tMs: number): number {
  return Math.floor(tMs / BUCKET_MS);
}

function addAt(series: number[], index: number, delta: number): void {
  while (series.length <= index) series.push(0);
  series[index] = (series[index] as number) + delta;
}

function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) {
    const value = map.get(key) as number;
    if (value !== 0) out[key] = value;
  }
  return out;
}

function mergeInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

function prefixSums(series: readonly number[], length: number): Float64Array {
  const out = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) out[i + 1] = (out[i] as number) + (series[i] ?? 0);
  return out;
}

function prefixSums3(a: readonly number[], b: readonly number[], c: readonly number[], length: number): Float64Array {
  const out = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) out[i + 1] = (out[i] as number) + (a[i] ?? 0) + (b[i] ?? 0) + (c[i] ?? 0);
  return out;
}

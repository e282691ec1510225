/**
 * Text the commands print and write: the readable run summary, tables, CSV, percentiles.
 * Everything here is a pure function of its input, so output is identical across runs.
 */
import type { Summary } from "../report/summary.ts";
import type { TimeseriesRow } from "../report/timeseries.ts";
import type { Scenario } from "../scenario/model.ts";
import { formatDurationMs } from "../sim/duration.ts";

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      `${indent}${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join("  ")}`.trimEnd(),
    )
    .join("\n");
}

export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : formatDurationMs(ms);
}

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return "-";
  return `${(fraction * 100).toFixed(2)}%`;
}

function workloadRows(summary: Summary): string[][] {
  const header = ["WORKLOAD", "MAX PODS", "MIN AVAILABLE", "ROLLOUT START", "ROLLOUT COMPLETE", "READY/REPLICAS"];
  const rows = Object.entries(summary.workloads)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, workload]) => {
      const status = workload.status as { replicas?: number; readyReplicas?: number };
      return [
        name,
        String(workload.maxPods),
        workload.minAvailable === null ? "-" : String(workload.minAvailable),
        formatMs(workload.rolloutStartedAtMs),
        formatMs(workload.rolloutCompletedAtMs),
        `${status.readyReplicas ?? 0}/${status.replicas ?? 0}`,
      ];
    });
  return [header, ...rows];
}

/** The readable summary of `rolloutsim run`. */
export function formatSummary(summary: Summary, scenario: Scenario): string {
  const lines: string[] = [];
  const passedCount = summary.assertions.filter((each) => each.passed).length;
  lines.push(`scenario   ${summary.scenario} (${scenario.file})`);
  lines.push(`seed       ${summary.seed}`);
  lines.push(
    `simulated  ${formatMs(summary.simulatedMs)} (${summary.simulatedMs} ms), ${summary.events} events${summary.stopReason === "until" ? "" : `, stopped by ${summary.stopReason}`}`,
  );
  if (summary.traceHash !== "") lines.push(`trace      sha256:${summary.traceHash}`);
  lines.push("", "assertions");
  for (const each of summary.assertions)
    lines.push(`  ${each.passed ? "PASS" : "FAIL"}  ${each.name}: ${each.message}`);
  if (Object.keys(summary.workloads).length > 0) lines.push("", "workloads", table(workloadRows(summary)));
  const requests = summary.requests;
  if (requests.total > 0) {
    lines.push(
      "",
      `requests   ${requests.total} total, ${requests.succeeded} succeeded, ${requests.failed} failed, ${requests.rejected} rejected, ${requests.mirrored} mirrored`,
    );
  }
  const refused = (summary.actions ?? []).filter((each) => !each.ok);
  for (const each of refused)
    lines.push(`action at ${formatMs(each.atMs)} refused: ${each.action} ${each.target ?? ""}: ${each.message}`);
  lines.push(
    "",
    `${summary.passed ? "PASSED" : "FAILED"}: ${passedCount} of ${summary.assertions.length} assertions hold`,
  );
  return `${lines.join("\n")}\n`;
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(",")}\n`).join("");
}

/** timeseries.csv: one metric of one series at a virtual time per line. */
export function timeseriesCsv(rows: readonly TimeseriesRow[]): string {
  return csv([
    ["t_ms", "series", "metric", "value"],
    ...rows.map((row) => [row.tMs, row.series, row.metric, row.value]),
  ]);
}

/** Nearest-rank percentile (p in [0, 100]) of numbers; Infinity sorts last. Null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

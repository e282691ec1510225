/**
 * The report `rolloutsim run --out DIR` writes next to summary.json: report.html, pods.png and,
 * when the run had traffic, requests.png (docs/report.md). The PNGs are rendered from the same
 * SVG charts the HTML inlines.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SimulationResult } from "../simulate.ts";
import { actionNotes, buildReportCharts, renderPng, stackCharts } from "./charts.ts";
import { type ReportScenario, renderReportHtml } from "./html.ts";

export type { Chart, ReportCharts } from "./charts.ts";
export { buildReportCharts, renderPng, stackCharts } from "./charts.ts";
export { type ReportScenario, renderReportHtml } from "./html.ts";

export const REPORT_FILES = { html: "report.html", pods: "pods.png", requests: "requests.png" } as const;

/**
 * Writes report.html, pods.png (when there are workloads) and requests.png (when there was
 * traffic) into `dir`, which must exist. A chart file that does not apply to this run is removed,
 * so a reused folder never shows a stale chart. Returns the paths written.
 */
export function writeReport(dir: string, result: SimulationResult, scenario: ReportScenario): string[] {
  const charts = buildReportCharts(result);
  const notes = actionNotes(result);
  const written: string[] = [];
  const html = join(dir, REPORT_FILES.html);
  writeFileSync(html, renderReportHtml(result, scenario, charts));
  written.push(html);
  for (const [file, list] of [
    [REPORT_FILES.pods, charts.pods],
    [REPORT_FILES.requests, charts.requests],
  ] as const) {
    const path = join(dir, file);
    if (list.length === 0) {
      rmSync(path, { force: true });
      continue;
    }
    writeFileSync(path, renderPng(stackCharts(list, notes)));
    written.push(path);
  }
  return written;
}

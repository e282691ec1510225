/**
 * The report's charts: Observable Plot marks rendered on a linkedom document to SVG strings, and
 * PNG images of the same SVGs through resvg.
 *
 * Every chart is one self-contained <svg> (a title, a legend and the Plot chart), so the HTML
 * report inlines it as is and the PNG files stack several of them into one image. Everything here
 * is a pure function of the simulation result: no clip-path or gradient ids (Plot numbers those
 * per process), no dates, so the same result always gives the same bytes.
 *
 * Charts:
 * - per workload, pods and available pods over time (step lines) with a dashed rule at
 *   spec.replicas (one segment per value when the workload was scaled);
 * - per traffic target, requests per second by outcome over time (step lines);
 * - the success ratio over time, one line per target.
 * Dotted vertical rules mark the timeline actions, labelled with their number in the report's
 * timeline table.
 */
import * as Plot from "@observablehq/plot";
import { Resvg } from "@resvg/resvg-js";
import { parseHTML } from "linkedom";
import { formatDurationMs } from "../sim/duration.ts";
import type { SimulationResult } from "../simulate.ts";
import { escapeHtml } from "./escape.ts";
import type { TimeseriesRow } from "./timeseries.ts";

/** One chart: a complete <svg> document, and its body for stacking into a bigger image. */
export interface Chart {
  /** Stable identifier (used as the HTML anchor). */
  id: string;
  title: string;
  /** The complete standalone <svg> element, with the xmlns attribute. */
  svg: string;
  width: number;
  height: number;
  /** The chart's content without the outer <svg> element (for stacking). */
  body: string;
}

export interface ReportCharts {
  /** One chart per workload that has samples, in the time series' order. */
  pods: Chart[];
  /** Requests per second by outcome, one chart per target, then the success ratio chart; empty without traffic. */
  requests: Chart[];
}

/** A timeline action drawn on the time axis. */
export interface ChartMarker {
  tMs: number;
  label: string;
}

export const CHART_WIDTH = 760;
const PLOT_HEIGHT = 240;
/** Height of the title and legend rows above the Plot chart. */
const HEADER_HEIGHT = 48;
const FONT_FAMILY = "DejaVu Sans, system-ui, sans-serif";

export const WORKLOAD_METRICS: readonly string[] = ["pods", "available", "replicas"];
export const TRAFFIC_METRICS: readonly string[] = ["succeeded", "failed", "rejected", "inFlight"];

const COLORS = {
  pods: "#93aaf0",
  available: "#3ca951",
  replicas: "#555555",
  succeeded: "#3ca951",
  failed: "#e4572e",
  rejected: "#efb118",
  marker: "#9a9a9a",
};
/** Observable's categorical palette, for one line per target. */
const PALETTE = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
];

interface LegendEntry {
  label: string;
  color: string;
  dashed?: boolean;
  /** Line width of the swatch. */
  width?: number;
}

interface Point {
  t: number;
  key: string;
  value: number | null;
}

/** Every chart of the report, built from the result alone. */
export function buildReportCharts(result: SimulationResult): ReportCharts {
  const markers = actionMarkers(result);
  const pods = workloadSeries(result.timeseries).map((workload, index) =>
    podsChart(result, workload, markers, `pods-${index + 1}`),
  );
  const targets = trafficTargets(result.timeseries);
  const requests: Chart[] = [];
  if (targets.length > 0) {
    targets.forEach((target, index) => {
      requests.push(requestRateChart(result, target, markers, `requests-${index + 1}`));
    });
    requests.push(successRatioChart(result, targets, markers, "success-ratio"));
  }
  return { pods, requests };
}

/** Workload series names in first-seen order. */
export function workloadSeries(rows: readonly TimeseriesRow[]): string[] {
  return seriesWith(rows, WORKLOAD_METRICS);
}

/** Traffic target names in first-seen order (the traffic metrics write them sorted). */
export function trafficTargets(rows: readonly TimeseriesRow[]): string[] {
  return seriesWith(rows, TRAFFIC_METRICS);
}

function seriesWith(rows: readonly TimeseriesRow[], metrics: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) if (metrics.includes(row.metric)) seen.add(row.series);
  return [...seen];
}

/** The timeline actions as markers; actions at the same time share one marker ("2,3"). */
export function actionMarkers(result: SimulationResult): ChartMarker[] {
  const byTime = new Map<number, string[]>();
  (result.actions ?? []).forEach((action, index) => {
    if (action.atMs < 0 || action.atMs > result.simulatedMs) return;
    const labels = byTime.get(action.atMs) ?? [];
    labels.push(String(index + 1));
    byTime.set(action.atMs, labels);
  });
  return [...byTime.entries()].map(([tMs, labels]) => ({ tMs, label: labels.join(",") }));
}

function podsChart(result: SimulationResult, workload: string, markers: readonly ChartMarker[], id: string): Chart {
  const rows = result.timeseries.filter((row) => row.series === workload);
  const endS = result.simulatedMs / 1000;
  const points: Point[] = [];
  for (const metric of ["pods", "available"]) {
    const series = rows
      .filter((row) => row.metric === metric)
      .map((row) => ({ t: row.tMs / 1000, key: metric, value: row.value }));
    points.push(...compressSteps(extendToEnd(series, endS)));
  }
  const replicas = constantRuns(
    rows.filter((row) => row.metric === "replicas"),
    result.simulatedMs,
  );
  const top = Math.max(1, ...points.map((point) => point.value ?? 0), ...replicas.map((run) => run.value));
  const yTicks = integerTicks(top);
  const plot = renderPlot({
    x: timeAxis(endS),
    y: { domain: [0, yTicks[yTicks.length - 1] as number], ticks: yTicks, tickFormat: "d", grid: true, label: "pods" },
    color: { type: "ordinal", domain: ["pods", "available"], range: [COLORS.pods, COLORS.available] },
    marks: [
      ...markerMarks(markers),
      Plot.line(
        points.filter((point) => point.key === "pods"),
        { x: "t", y: "value", stroke: "key", curve: "step-after", strokeWidth: 4 },
      ),
      Plot.line(
        points.filter((point) => point.key === "available"),
        { x: "t", y: "value", stroke: "key", curve: "step-after", strokeWidth: 1.75 },
      ),
      Plot.ruleY(replicas, {
        y: "value",
        x1: (run: Run) => run.fromMs / 1000,
        x2: (run: Run) => run.toMs / 1000,
        stroke: COLORS.replicas,
        strokeDasharray: "6,4",
        strokeWidth: 1.5,
      }),
    ],
  });
  return frame(id, `${workload}: pods and available pods`, plot, [
    { label: "pods (not being deleted)", color: COLORS.pods, width: 4 },
    { label: "available pods", color: COLORS.available },
    { label: "spec.replicas", color: COLORS.replicas, dashed: true },
  ]);
}

function requestRateChart(
  result: SimulationResult,
  target: string,
  markers: readonly ChartMarker[],
  id: string,
): Chart {
  const bins = trafficBins(result, target);
  const endS = result.simulatedMs / 1000;
  const outcomes = OUTCOMES.filter((outcome) => outcome !== "rejected" || bins.some((bin) => bin.rejected !== 0));
  const points: Point[] = [];
  for (const outcome of outcomes) {
    const series = bins.map((bin) => ({
      t: bin.tMs / 1000,
      key: outcome,
      value: bin[outcome] / (bin.lengthMs / 1000),
    }));
    points.push(...extendToEnd(series, endS));
  }
  const colors = outcomes.map((outcome) => COLORS[outcome as "succeeded" | "failed" | "rejected"]);
  const plot = renderPlot({
    x: timeAxis(endS),
    y: { grid: true, label: "requests/s", nice: true, zero: true },
    color: { type: "ordinal", domain: outcomes, range: colors },
    marks: [
      ...markerMarks(markers),
      Plot.ruleY([0], { stroke: "#cccccc" }),
      ...outcomes.map((outcome) =>
        Plot.line(
          points.filter((point) => point.key === outcome),
          { x: "t", y: "value", stroke: "key", curve: "step-after", strokeWidth: outcome === "succeeded" ? 1.75 : 1.5 },
        ),
      ),
    ],
  });
  return frame(
    id,
    `${target}: requests per second by outcome`,
    plot,
    outcomes.map((outcome, index) => ({ label: outcome, color: colors[index] as string })),
  );
}

function successRatioChart(
  result: SimulationResult,
  targets: readonly string[],
  markers: readonly ChartMarker[],
  id: string,
): Chart {
  const endS = result.simulatedMs / 1000;
  const points: Point[] = [];
  const drawn: string[] = [];
  for (const target of targets) {
    const series = trafficBins(result, target).map((bin) => {
      const all = bin.succeeded + bin.failed + bin.rejected;
      return { t: bin.tMs / 1000, key: target, value: all > 0 ? (bin.succeeded / all) * 100 : null };
    });
    if (series.every((point) => point.value === null)) continue;
    drawn.push(target);
    points.push(...extendToEnd(series, endS));
  }
  const lowest = Math.min(100, ...points.map((point) => point.value ?? 100));
  const bottom = lowest >= 100 ? 99 : Math.max(0, Math.floor(100 - (100 - lowest) * 1.15));
  const colors = drawn.map((_, index) => PALETTE[index % PALETTE.length] as string);
  const plot = renderPlot({
    x: timeAxis(endS),
    y: { domain: [bottom, 100], grid: true, label: "success %", tickFormat: (value: number) => `${value}%` },
    color: { type: "ordinal", domain: drawn, range: colors },
    marks: [
      ...markerMarks(markers),
      ...drawn.map((target) =>
        Plot.line(
          points.filter((point) => point.key === target),
          { x: "t", y: "value", stroke: "key", curve: "step-after", strokeWidth: 1.75 },
        ),
      ),
    ],
  });
  return frame(
    id,
    "Success ratio (succeeded / all requests with an outcome)",
    plot,
    drawn.map((target, index) => ({ label: target, color: colors[index] as string })),
  );
}

const OUTCOMES = ["succeeded", "failed", "rejected"] as const;

/** At most about this many intervals on a traffic chart; longer runs use wider intervals. */
export const MAX_TRAFFIC_BINS = 360;

interface TrafficBin {
  tMs: number;
  lengthMs: number;
  succeeded: number;
  failed: number;
  rejected: number;
}

/**
 * A target's requests by outcome in intervals of the time series' interval, or a whole multiple of
 * it so a run has at most about MAX_TRAFFIC_BINS of them. The last interval ends with the run.
 */
export function trafficBins(result: SimulationResult, target: string): TrafficBin[] {
  const rows = result.timeseries.filter(
    (row) =>
      row.series === target && (row.metric === "succeeded" || row.metric === "failed" || row.metric === "rejected"),
  );
  const times = [...new Set(rows.map((row) => row.tMs))].sort((a, b) => a - b);
  const rawMs = times.length > 1 ? (times[1] as number) - (times[0] as number) : 1000;
  const wantedMs = Math.ceil(result.simulatedMs / MAX_TRAFFIC_BINS / 1000) * 1000;
  const binMs = rawMs * Math.max(1, Math.ceil(wantedMs / rawMs));
  const bins = new Map<number, TrafficBin>();
  for (const row of rows) {
    const start = Math.floor(row.tMs / binMs) * binMs;
    let bin = bins.get(start);
    if (bin === undefined) {
      bin = { tMs: start, lengthMs: binMs, succeeded: 0, failed: 0, rejected: 0 };
      bins.set(start, bin);
    }
    bin[row.metric as (typeof OUTCOMES)[number]] += row.value;
  }
  const ordered = [...bins.values()].sort((a, b) => a.tMs - b.tMs);
  for (const bin of ordered) bin.lengthMs = Math.max(1, Math.min(bin.tMs + binMs, result.simulatedMs) - bin.tMs);
  return ordered;
}

/** Drops the points of a step series that repeat the previous value (the drawn line is the same). */
function compressSteps(series: Point[]): Point[] {
  return series.filter(
    (point, index) => index === 0 || index === series.length - 1 || point.value !== series[index - 1]?.value,
  );
}

/** Repeats a step series' last value at the end of the run, so the last step is drawn. */
function extendToEnd(series: Point[], endS: number): Point[] {
  const last = series[series.length - 1];
  if (last === undefined || last.t >= endS) return series;
  return [...series, { t: endS, key: last.key, value: last.value }];
}

interface Run {
  fromMs: number;
  toMs: number;
  value: number;
}

/** Intervals of constant value of a sampled series; the last one lasts to `endMs`. */
function constantRuns(rows: readonly TimeseriesRow[], endMs: number): Run[] {
  const runs: Run[] = [];
  for (const row of rows) {
    const current = runs[runs.length - 1];
    if (current !== undefined && current.value === row.value) continue;
    if (current !== undefined) current.toMs = row.tMs;
    runs.push({ fromMs: row.tMs, toMs: endMs, value: row.value });
  }
  return runs;
}

/** Whole-number ticks from 0 to at least `top` + 1, at most about ten of them. */
function integerTicks(top: number): number[] {
  const target = top + 1;
  const step =
    [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((each) => target / each <= 10) ?? Math.ceil(target / 10);
  const ticks: number[] = [];
  for (let value = 0; value < target + step; value += step) {
    ticks.push(value);
    if (value >= target) break;
  }
  return ticks;
}

/** The time axis in seconds, with ticks at round durations labelled "1m30s". */
function timeAxis(endS: number): Plot.ScaleOptions {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const step = steps.find((each) => endS / each <= 10) ?? Math.ceil(endS / 10);
  const ticks: number[] = [];
  for (let t = 0; t <= endS + 1e-9; t += step) ticks.push(t);
  return {
    type: "linear",
    domain: [0, Math.max(endS, 1)],
    ticks,
    tickFormat: (seconds: number) => formatDurationMs(Math.round(seconds * 1000)),
    label: "virtual time",
    labelAnchor: "right",
  };
}

function markerMarks(markers: readonly ChartMarker[]): Plot.Markish[] {
  if (markers.length === 0) return [];
  const data = markers.map((marker) => ({ t: marker.tMs / 1000, label: marker.label }));
  return [
    Plot.ruleX(data, { x: "t", stroke: COLORS.marker, strokeDasharray: "2,3" }),
    Plot.text(data, { x: "t", text: "label", frameAnchor: "top", dy: -7, fill: "#555555", fontSize: 10 }),
  ];
}

interface RenderedPlot {
  /** The Plot <svg>'s children, without its <style>. */
  inner: string;
  /** Presentation attributes of the Plot <svg>, moved onto a <g>. */
  attributes: string;
}

function renderPlot(options: Plot.PlotOptions): RenderedPlot {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const element = Plot.plot({
    ...options,
    document: document as unknown as Plot.PlotOptions["document"],
    width: CHART_WIDTH,
    height: PLOT_HEIGHT,
    marginLeft: 56,
    marginRight: 24,
    marginTop: 20,
    marginBottom: 36,
  });
  if (element.tagName.toLowerCase() !== "svg") throw new Error("Plot returned a figure instead of an <svg>");
  // The <style> uses a class and "height: auto", which would misbehave once nested; drop it.
  for (const style of [...element.querySelectorAll("style")]) style.remove();
  element.setAttribute("font-size", "11");
  const attributes = ["fill", "font-size", "text-anchor"]
    .map((name) => [name, element.getAttribute(name)] as const)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => ` ${name}="${escapeHtml(value as string)}"`)
    .join("");
  return { inner: element.innerHTML, attributes };
}

/** A chart: title and legend above the Plot chart, in one <svg> with a white background. */
function frame(id: string, title: string, plot: RenderedPlot, legend: readonly LegendEntry[]): Chart {
  const width = CHART_WIDTH;
  const height = HEADER_HEIGHT + PLOT_HEIGHT;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold" fill="#222222">${escapeHtml(title)}</text>`,
  ];
  let x = 12;
  for (const entry of legend) {
    const dash = entry.dashed === true ? ` stroke-dasharray="6,4"` : "";
    parts.push(
      `<line x1="${x}" y1="38" x2="${x + 22}" y2="38" stroke="${entry.color}" stroke-width="${entry.width ?? 2}"${dash}/>`,
      `<text x="${x + 28}" y="42" font-size="12" fill="#333333">${escapeHtml(entry.label)}</text>`,
    );
    x += 28 + approximateTextWidth(entry.label, 12) + 20;
  }
  parts.push(`<g transform="translate(0,${HEADER_HEIGHT})"${plot.attributes}>${plot.inner}</g>`);
  const body = parts.join("");
  return { id, title, width, height, body, svg: wrapSvg(body, width, height, title) };
}

function wrapSvg(body: string, width: number, height: number, label: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${FONT_FAMILY}" role="img" aria-label="${escapeHtml(label)}">${body}</svg>`
  );
}

/** A rough width of a text in DejaVu Sans (about 0.6 em per character). */
function approximateTextWidth(text: string, fontSize: number): number {
  return Math.ceil(text.length * fontSize * 0.6);
}

/**
 * Stacks charts vertically into one <svg> (for a PNG file), with an optional list of notes below
 * them (the numbered timeline actions the markers refer to).
 */
export function stackCharts(charts: readonly Chart[], notes: readonly string[] = []): string {
  const width = Math.max(CHART_WIDTH, ...charts.map((chart) => chart.width));
  const parts: string[] = [];
  let y = 0;
  for (const chart of charts) {
    parts.push(`<g transform="translate(0,${y})">${chart.body}</g>`);
    y += chart.height + 8;
  }
  if (notes.length > 0) {
    const lineHeight = 16;
    const top = y;
    parts.push(`<rect x="0" y="${top}" width="${width}" height="${notes.length * lineHeight + 16}" fill="white"/>`);
    notes.forEach((note, index) => {
      parts.push(
        `<text x="12" y="${top + 14 + index * lineHeight}" font-size="11" fill="#333333">${escapeHtml(note)}</text>`,
      );
    });
    y += notes.length * lineHeight + 16;
  }
  const height = Math.max(1, y);
  return wrapSvg(`<rect width="${width}" height="${height}" fill="white"/>${parts.join("")}`, width, height, "charts");
}

/** The numbered timeline actions, one line each, as the markers on the charts refer to them. */
export function actionNotes(result: SimulationResult): string[] {
  const actions = result.actions ?? [];
  if (actions.length === 0) return [];
  return [
    "Timeline actions (the numbers on the charts):",
    ...actions.map(
      (action, index) =>
        `#${index + 1} at ${formatDurationMs(action.atMs)}: ${action.action}${action.target === undefined ? "" : ` ${action.target}`}` +
        ` — ${action.ok ? "ok" : "refused"}: ${action.message}`,
    ),
  ];
}

/** Options for the PNG rendering: DejaVu Sans from the system fonts (fonts-dejavu-core). */
export const PNG_FONT = {
  loadSystemFonts: true,
  defaultFontFamily: "DejaVu Sans",
  sansSerifFamily: "DejaVu Sans",
} as const;

/** Renders an SVG to PNG bytes at twice its size, on white. */
export function renderPng(svg: string, zoom = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: zoom },
    font: { ...PNG_FONT },
  });
  return resvg.render().asPng();
}

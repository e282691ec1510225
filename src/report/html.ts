/**
 * report.html: one self-contained, offline page for a run (no scripts, no external resources):
 * the run's header, the assertions, the workloads, the requests (when there was traffic), the
 * charts as inline SVG, and the timeline actions with their outcomes.
 *
 * A pure function of the simulation result and the scenario's metadata: no dates, no random ids,
 * no locale-dependent number formatting, so the same run always gives the same bytes. Every text
 * taken from the run or the scenario is escaped.
 */

import { formatDurationMs } from "../sim/duration.ts";
import type { SimulationResult } from "../simulate.ts";
import { buildReportCharts, type Chart, type ReportCharts, TRAFFIC_METRICS } from "./charts.ts";
import { escapeHtml } from "./escape.ts";

/** What the report shows about the scenario besides the result (a resolved `Scenario` fits). */
export interface ReportScenario {
  readonly name: string;
  readonly description?: string;
  /** The scenario file as given on the command line. */
  readonly file?: string;
}

/** At most this many invariant violations are listed (the count is always shown). */
export const MAX_LISTED_VIOLATIONS = 50;

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", sans-serif; color: #1f2328; background: #ffffff; margin: 0 auto; max-width: 1000px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
p.description { margin: 0 0 0.8em; color: #444c56; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0.6em 0; }
dl.meta dt { color: #57606a; }
dl.meta dd { margin: 0; }
code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-weight: bold; font-size: 0.85em; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; }
.muted { color: #57606a; }
figure { margin: 0.5em 0 1.5em; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #57606a; font-size: 0.9em; margin-top: 4px; }
`;

/** The whole report page. `charts` defaults to the charts built from the result. */
export function renderReportHtml(
  result: SimulationResult,
  scenario: ReportScenario,
  charts: ReportCharts = buildReportCharts(result),
): string {
  const traffic = hasTraffic(result);
  const sections = [
    header(result, scenario),
    navigation(traffic, charts),
    assertionsSection(result),
    workloadsSection(result),
    traffic ? requestsSection(result) : "",
    chartsSection(charts),
    timelineSection(result),
    `<footer class="muted"><p>Written by rolloutsim from seed ${result.seed}; every number is virtual time or a count from the simulation.</p></footer>`,
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`rolloutsim: ${result.scenario}`)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...sections.filter((section) => section !== ""),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** True when the run had traffic: the time series has rows of a traffic target. */
export function hasTraffic(result: SimulationResult): boolean {
  return result.timeseries.some((row) => TRAFFIC_METRICS.includes(row.metric));
}

function header(result: SimulationResult, scenario: ReportScenario): string {
  const verdict = result.passed ? '<span class="badge pass">PASSED</span>' : '<span class="badge fail">FAILED</span>';
  const rows: [string, string][] = [];
  if (scenario.file !== undefined && scenario.file !== "")
    rows.push(["file", `<code>${escapeHtml(scenario.file)}</code>`]);
  rows.push(["seed", String(result.seed)]);
  rows.push([
    "trace hash",
    result.traceHash === ""
      ? '<span class="muted">not computed</span>'
      : `<code>sha256:${escapeHtml(result.traceHash)}</code>`,
  ]);
  rows.push(["simulated time", `${escapeHtml(formatMs(result.simulatedMs))} (${count(result.simulatedMs)} ms)`]);
  rows.push(["events", count(result.events)]);
  if (result.stopReason !== "until")
    rows.push(["stopped by", `<span class="fail badge">${escapeHtml(result.stopReason)}</span>`]);
  const description =
    scenario.description !== undefined && scenario.description !== ""
      ? `<p class="description">${escapeHtml(scenario.description)}</p>`
      : "";
  return [
    "<header>",
    `<h1>${escapeHtml(result.scenario)} ${verdict}</h1>`,
    description,
    `<dl class="meta">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join("")}</dl>`,
    "</header>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function navigation(traffic: boolean, charts: ReportCharts): string {
  const links = [
    ["assertions", "Assertions"],
    ["workloads", "Workloads"],
  ];
  if (traffic) links.push(["requests", "Requests"]);
  if (charts.pods.length + charts.requests.length > 0) links.push(["charts", "Charts"]);
  links.push(["timeline", "Timeline"]);
  return `<nav>${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join("")}</nav>`;
}

function assertionsSection(result: SimulationResult): string {
  const held = result.assertions.filter((each) => each.passed).length;
  const rows = result.assertions.map((each) =>
    row([
      each.passed ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>',
      escapeHtml(each.name),
      escapeHtml(each.message),
    ]),
  );
  const parts = [
    '<section id="assertions">',
    "<h2>Assertions</h2>",
    `<p>${held} of ${result.assertions.length} assertions hold.</p>`,
    table(["result", "assertion", "message"], rows),
  ];
  const violations = result.invariantViolations;
  if (violations.length > 0) {
    const listed = violations.slice(0, MAX_LISTED_VIOLATIONS);
    parts.push(
      "<h3>Invariant violations</h3>",
      `<p>${violations.length > listed.length ? `The first ${listed.length} of ${violations.length} recorded` : `${violations.length}`} violation(s).</p>`,
      table(
        ["at", "invariant", "message"],
        listed.map((each) =>
          row([escapeHtml(formatMs(each.atMs)), escapeHtml(each.invariant), escapeHtml(each.message)]),
        ),
      ),
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

function workloadsSection(result: SimulationResult): string {
  const entries = Object.entries(result.workloads);
  const parts = ['<section id="workloads">', "<h2>Workloads</h2>"];
  if (entries.length === 0) {
    parts.push('<p class="muted">No workloads.</p>', "</section>");
    return parts.join("\n");
  }
  const statusField = (status: Record<string, unknown>, field: string): string => {
    const value = status[field];
    return typeof value === "number" ? String(value) : "-";
  };
  const rows = entries.map(([name, workload]) => {
    const started = workload.rolloutStartedAtMs;
    const completed = workload.rolloutCompletedAtMs;
    const took = started !== null && completed !== null ? formatMs(completed - started) : "-";
    return row(
      [
        escapeHtml(name),
        String(workload.maxPods),
        workload.minAvailable === null ? "-" : String(workload.minAvailable),
        escapeHtml(formatMs(started)),
        escapeHtml(formatMs(completed)),
        escapeHtml(took),
        statusField(workload.status, "replicas"),
        statusField(workload.status, "updatedReplicas"),
        statusField(workload.status, "readyReplicas"),
        statusField(workload.status, "availableReplicas"),
      ],
      [false, true, true, true, true, true, true, true, true, true],
    );
  });
  parts.push(
    table(
      [
        "workload",
        "max pods",
        "min available",
        "rollout started",
        "rollout completed",
        "took",
        "replicas",
        "updated",
        "ready",
        "available",
      ],
      rows,
      [false, true, true, true, true, true, true, true, true, true],
    ),
    '<p class="muted">Max pods: peak pods not being deleted. Min available: lowest available pods after the workload was first fully available. Replicas to available: the status at the end of the run.</p>',
    "</section>",
  );
  return parts.join("\n");
}

function requestsSection(result: SimulationResult): string {
  const requests = result.requests;
  const share = (value: number): string =>
    requests.total === 0 ? "-" : `${((value / requests.total) * 100).toFixed(2)}%`;
  const outcomes: [string, number][] = [
    ["total", requests.total],
    ["succeeded", requests.succeeded],
    ["failed", requests.failed],
    ["rejected", requests.rejected],
  ];
  const parts = [
    '<section id="requests">',
    "<h2>Requests</h2>",
    "<h3>By outcome</h3>",
    table(
      ["outcome", "requests", "share of total"],
      [
        ...outcomes.map(([name, value]) => row([name, count(value), share(value)], [false, true, true])),
        row(["mirrored (not in total)", count(requests.mirrored), "-"], [false, true, true]),
      ],
      [false, true, true],
    ),
  ];
  const targets = perTarget(result);
  if (targets.length > 1) {
    parts.push(
      "<h3>By target</h3>",
      table(
        ["target", "total", "succeeded", "failed", "rejected", "success ratio"],
        targets.map((target) =>
          row(
            [
              escapeHtml(target.name),
              count(target.total),
              count(target.succeeded),
              count(target.failed),
              count(target.rejected),
              target.total === 0 ? "-" : `${((target.succeeded / target.total) * 100).toFixed(2)}%`,
            ],
            [false, true, true, true, true, true],
          ),
        ),
        [false, true, true, true, true, true],
      ),
    );
  }
  parts.push(
    "<h3>By failure or rejection reason</h3>",
    keyedTable("reason", requests.byReason, "no failed or rejected requests"),
  );
  parts.push(
    "<h3>By image</h3>",
    keyedTable("image", requests.byImage, "no request reached a pod"),
    '<p class="muted">By image counts every request sent to a pod (served, refused, reset or failed by the application), keyed by the pod\'s image.</p>',
    "</section>",
  );
  return parts.join("\n");
}

interface TargetTotals {
  name: string;
  total: number;
  succeeded: number;
  failed: number;
  rejected: number;
}

/** Totals per traffic target, summed from the time series. */
function perTarget(result: SimulationResult): TargetTotals[] {
  const byName = new Map<string, TargetTotals>();
  for (const each of result.timeseries) {
    if (each.metric !== "succeeded" && each.metric !== "failed" && each.metric !== "rejected") continue;
    const totals = byName.get(each.series) ?? { name: each.series, total: 0, succeeded: 0, failed: 0, rejected: 0 };
    totals[each.metric] += each.value;
    totals.total += each.value;
    byName.set(each.series, totals);
  }
  return [...byName.values()];
}

function keyedTable(label: string, counts: Record<string, number>, empty: string): string {
  const keys = Object.keys(counts).sort();
  if (keys.length === 0) return `<p class="muted">${escapeHtml(empty)}.</p>`;
  return table(
    [label, "requests"],
    keys.map((key) => row([escapeHtml(key), count(counts[key] as number)], [false, true])),
    [false, true],
  );
}

function chartsSection(charts: ReportCharts): string {
  if (charts.pods.length + charts.requests.length === 0) return "";
  const parts = ['<section id="charts">', "<h2>Charts</h2>"];
  parts.push(
    '<p class="muted">Time is virtual time since the start of the run. Dotted vertical lines mark timeline actions; their numbers are the # column of the timeline below.</p>',
  );
  if (charts.pods.length > 0) {
    parts.push("<h3>Pods and available pods over time</h3>");
    for (const chart of charts.pods) {
      parts.push(
        figure(
          chart,
          "Step lines: the workload's pods not being deleted (blue) and its available pods (green), sampled at a fixed interval; dashed: spec.replicas.",
        ),
      );
    }
  }
  if (charts.requests.length > 0) {
    parts.push("<h3>Requests over time</h3>");
    for (const chart of charts.requests) {
      parts.push(
        figure(
          chart,
          chart.id === "success-ratio"
            ? "Per target: succeeded requests as a share of the requests whose outcome became known in each interval; gaps where there were none."
            : "Requests per second whose outcome became known in each interval, by outcome.",
        ),
      );
    }
  }
  parts.push("</section>");
  return parts.join("\n");
}

function figure(chart: Chart, caption: string): string {
  return `<figure id="chart-${escapeHtml(chart.id)}">\n${chart.svg}\n<figcaption>${escapeHtml(caption)}</figcaption>\n</figure>`;
}

function timelineSection(result: SimulationResult): string {
  const actions = result.actions ?? [];
  const parts = ['<section id="timeline">', "<h2>Timeline</h2>"];
  if (actions.length === 0) {
    parts.push('<p class="muted">No timeline actions ran.</p>', "</section>");
    return parts.join("\n");
  }
  parts.push(
    table(
      ["#", "at", "action", "target", "outcome", "message"],
      actions.map((action, index) =>
        row(
          [
            String(index + 1),
            escapeHtml(formatMs(action.atMs)),
            escapeHtml(action.action),
            action.target === undefined ? "-" : escapeHtml(action.target),
            action.ok ? '<span class="badge pass">ok</span>' : '<span class="badge fail">refused</span>',
            escapeHtml(action.message),
          ],
          [true, true, false, false, false, false],
        ),
      ),
      [true, true, false, false, false, false],
    ),
    "</section>",
  );
  return parts.join("\n");
}

/** A table; cells are HTML already escaped by the caller. */
function table(headers: readonly string[], rows: readonly string[], numeric: readonly boolean[] = []): string {
  const head = headers
    .map((each, index) => `<th${numeric[index] === true ? ' class="num"' : ""}>${escapeHtml(each)}</th>`)
    .join("");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
}

function row(cells: readonly string[], numeric: readonly boolean[] = []): string {
  return `<tr>${cells.map((cell, index) => `<td${numeric[index] === true ? ' class="num"' : ""}>${cell}</td>`).join("")}</tr>`;
}

function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : formatDurationMs(ms);
}

/** An integer with thousands separated by commas, independent of the locale. */
function count(value: number): string {
  const text = String(value);
  return /^-?\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
}

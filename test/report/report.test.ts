/**
 * The run report (src/report): report.html's content and escaping, byte-identical renders, the
 * charts as SVG, the PNG files, and what `writeReport` writes for runs with and without traffic.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionMarkers, buildReportCharts, renderPng, stackCharts, trafficBins } from "../../src/report/charts.ts";
import { escapeHtml } from "../../src/report/escape.ts";
import { renderReportHtml, writeReport } from "../../src/report/index.ts";
import { loadScenario } from "../../src/scenario/loader.ts";
import type { Scenario } from "../../src/scenario/model.ts";
import { type SimulationResult, simulate } from "../../src/simulate.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const scratch = mkdtempSync(join(tmpdir(), "rolloutsim-report-"));

function load(file: string): Scenario {
  const loaded = loadScenario(join(ROOT, file));
  if (!loaded.ok) throw new Error(loaded.problems.map((each) => each.message).join("\n"));
  return loaded.scenario;
}

let rolling: { scenario: Scenario; result: SimulationResult };
let traffic: { scenario: Scenario; result: SimulationResult };

beforeAll(() => {
  const rollingScenario = load("scenarios/rolling-update-surge1-unavail0.yaml");
  const trafficScenario = load("test/fixtures/report/traffic.yaml");
  rolling = { scenario: rollingScenario, result: simulate(rollingScenario) };
  traffic = { scenario: trafficScenario, result: simulate(trafficScenario) };
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function svgCount(html: string): number {
  return html.match(/<svg[\s>]/g)?.length ?? 0;
}

/** 12345 -> "12,345", as the report writes counts. */
function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("report.html", () => {
  it("has the header, every assertion line, one <svg> per chart and no script (no traffic)", () => {
    const { scenario, result } = rolling;
    const html = renderReportHtml(result, scenario);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`<h1>rolling-update-surge1-unavail0 `);
    expect(html).toContain(`<dd>${result.seed}</dd>`);
    expect(html).toContain(`sha256:${result.traceHash}`);
    expect(html).toContain("3m (180,000 ms)");
    expect(html).toContain(`<dd>${thousands(result.events)}</dd>`);
    expect(result.assertions.length).toBe(4);
    for (const assertion of result.assertions) {
      expect(html).toContain(
        `<td><span class="badge ${assertion.passed ? "pass" : "fail"}">${assertion.passed ? "PASS" : "FAIL"}</span></td>` +
          `<td>${escapeHtml(assertion.name)}</td><td>${escapeHtml(assertion.message)}</td>`,
      );
    }
    expect(html).toContain("<td>Deployment/demo</td>");
    const charts = buildReportCharts(result);
    expect(charts.pods).toHaveLength(1);
    expect(charts.requests).toHaveLength(0);
    expect(svgCount(html)).toBe(1);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('id="requests"');
    expect(html).toContain("setImage");
    expect(html).toContain("Deployment/demo app image set to demo:v2");
  });

  it("with traffic: the requests tables and the request charts", () => {
    const { scenario, result } = traffic;
    const html = renderReportHtml(result, scenario);
    expect(result.requests.total).toBeGreaterThan(0);
    expect(html).toContain('<section id="requests">');
    expect(html).toContain(`<td>total</td><td class="num">${thousands(result.requests.total)}</td>`);
    for (const reason of Object.keys(result.requests.byReason)) expect(html).toContain(`<td>${reason}</td>`);
    for (const image of Object.keys(result.requests.byImage)) expect(html).toContain(`<td>${image}</td>`);
    const charts = buildReportCharts(result);
    expect(charts.pods.map((chart) => chart.title)).toEqual(["Deployment/web: pods and available pods"]);
    expect(charts.requests.map((chart) => chart.id)).toEqual(["requests-1", "success-ratio"]);
    expect(svgCount(html)).toBe(3);
    for (const chart of [...charts.pods, ...charts.requests]) expect(html).toContain(chart.svg);
    expect(html).not.toMatch(/<script/i);
    for (const assertion of result.assertions) expect(html).toContain(escapeHtml(assertion.name));
  });

  it("escapes every text from the scenario and the run", () => {
    const { result } = traffic;
    const hostile: SimulationResult = {
      ...result,
      scenario: "x<script>alert(1)</script>",
      assertions: [{ name: 'name "<b>" & more', passed: false, message: "<img src=x onerror=alert(1)>" }],
      invariantViolations: [{ atMs: 1000, invariant: "<i>", message: "a & b" }],
      actions: [{ atMs: 5000, action: "heal", ok: false, message: "<nope>" }],
    };
    const html = renderReportHtml(hostile, { name: "x", description: "</p><script>", file: "a&b.yaml" });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<img");
    expect(html).toContain("x&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("name &quot;&lt;b&gt;&quot; &amp; more");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;/p&gt;&lt;script&gt;");
    expect(html).toContain("a&amp;b.yaml");
    expect(html).toContain("<td>&lt;i&gt;</td><td>a &amp; b</td>");
    expect(html).toContain('<span class="badge fail">refused</span></td><td>&lt;nope&gt;</td>');
  });

  it("two renders of the same result are byte-identical, and so are two runs of the scenario", () => {
    const { scenario, result } = traffic;
    const first = renderReportHtml(result, scenario);
    const second = renderReportHtml(result, scenario);
    expect(second).toBe(first);
    const again = renderReportHtml(simulate(scenario), scenario);
    expect(again).toBe(first);
  });

  it("leaves out the charts section when there is nothing to draw", () => {
    const { result } = rolling;
    const html = renderReportHtml({ ...result, timeseries: [], workloads: {}, actions: [] }, { name: "empty" });
    expect(svgCount(html)).toBe(0);
    expect(html).not.toContain('id="charts"');
    expect(html).toContain("No workloads.");
    expect(html).toContain("No timeline actions ran.");
  });
});

describe("charts", () => {
  it("marks the timeline actions, sharing one marker for actions at the same time", () => {
    const result = {
      ...rolling.result,
      actions: [
        { atMs: 10_000, action: "scale", ok: true, message: "" },
        { atMs: 20_000, action: "pause", ok: true, message: "" },
        { atMs: 20_000, action: "resume", ok: true, message: "" },
        { atMs: 999_000, action: "late", ok: true, message: "" },
      ],
    };
    expect(actionMarkers(result)).toEqual([
      { tMs: 10_000, label: "1" },
      { tMs: 20_000, label: "2,3" },
    ]);
  });

  it("has no Plot warning sign with numeric-looking series names (ordinal colour scale)", () => {
    const rows = [];
    for (let tMs = 0; tMs < 10_000; tMs += 1000) {
      for (const series of ["1", "2"]) {
        rows.push({ tMs, series, metric: "succeeded", value: tMs === 3000 ? 0 : 10 });
        rows.push({ tMs, series, metric: "failed", value: tMs === 3000 ? 5 : 0 });
        rows.push({ tMs, series, metric: "rejected", value: 0 });
        rows.push({ tMs, series, metric: "inFlight", value: 1 });
      }
    }
    const result: SimulationResult = { ...rolling.result, simulatedMs: 10_000, actions: [], timeseries: rows };
    const charts = buildReportCharts(result);
    expect(charts.requests.map((chart) => chart.id)).toEqual(["requests-1", "requests-2", "success-ratio"]);
    for (const chart of charts.requests) {
      expect(chart.svg).not.toContain("\u26a0");
      expect(chart.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    }
  });

  it("rates are per second over intervals of the series; the last interval ends with the run", () => {
    const rows = [0, 2000, 4000].flatMap((tMs) => [
      { tMs, series: "Service/a", metric: "succeeded", value: 10 },
      { tMs, series: "Service/a", metric: "failed", value: 2 },
      { tMs, series: "Service/a", metric: "rejected", value: 0 },
    ]);
    const result: SimulationResult = { ...rolling.result, simulatedMs: 5000, timeseries: rows };
    expect(trafficBins(result, "Service/a")).toEqual([
      { tMs: 0, lengthMs: 2000, succeeded: 10, failed: 2, rejected: 0 },
      { tMs: 2000, lengthMs: 2000, succeeded: 10, failed: 2, rejected: 0 },
      { tMs: 4000, lengthMs: 1000, succeeded: 10, failed: 2, rejected: 0 },
    ]);
  });
});

describe("PNG", () => {
  it("starts with the PNG signature, has the stacked charts' size at twice the scale, and draws text", () => {
    const charts = buildReportCharts(traffic.result);
    const svg = stackCharts(charts.requests);
    const png = renderPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(20_000);
    const height = charts.requests.reduce((sum, chart) => sum + chart.height + 8, 0);
    expect(pngSize(png)).toEqual({ width: 2 * 760, height: 2 * height });
    // Without any font resvg silently drops all text; the real rendering must differ from that.
    const withoutText = new Resvg(svg, {
      background: "white",
      fitTo: { mode: "zoom", value: 2 },
      font: { loadSystemFonts: false },
    })
      .render()
      .asPng();
    expect(Buffer.compare(png, withoutText)).not.toBe(0);
  });
});

describe("writeReport", () => {
  it("writes report.html, pods.png and requests.png with traffic; a later run without traffic removes requests.png", () => {
    const dir = mkdtempSync(join(scratch, "write-"));
    const written = writeReport(dir, traffic.result, traffic.scenario);
    expect(written).toEqual(["report.html", "pods.png", "requests.png"].map((file) => join(dir, file)));
    for (const file of ["pods.png", "requests.png"]) {
      const png = readFileSync(join(dir, file));
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(png.length).toBeGreaterThan(20_000);
    }
    expect(readFileSync(join(dir, "report.html"), "utf8")).toBe(renderReportHtml(traffic.result, traffic.scenario));
    writeReport(dir, rolling.result, rolling.scenario);
    expect(existsSync(join(dir, "requests.png"))).toBe(false);
    expect(existsSync(join(dir, "pods.png"))).toBe(true);
  });

  it("PNG files are byte-identical across renders", () => {
    const first = mkdtempSync(join(scratch, "png-a-"));
    const second = mkdtempSync(join(scratch, "png-b-"));
    writeReport(first, traffic.result, traffic.scenario);
    writeReport(second, traffic.result, traffic.scenario);
    for (const file of ["report.html", "pods.png", "requests.png"]) {
      expect(readFileSync(join(second, file)).equals(readFileSync(join(first, file)))).toBe(true);
    }
  });
});

import { describe, expect, it } from "vitest";
import {
  Backoff,
  formatGoDuration,
  preStopDurationMs,
  readinessSuccessMs,
} from "../../src/cluster/container-timing.ts";

describe("readinessSuccessMs (prober worker timing)", () => {
  // Worker started at 50, container started at 2550.
  it.each([
    ["first tick after the app is healthy", { periodSeconds: 10 }, 7550, 10_050],
    ["healthy exactly on a tick", { periodSeconds: 10 }, 10_050, 10_050],
    ["the manual probe at container start when already healthy", { periodSeconds: 10 }, 2550, 2550],
    ["initialDelaySeconds pushes past the healthy time", { periodSeconds: 10, initialDelaySeconds: 15 }, 2550, 20_050],
    ["initial delay shorter than startup", { periodSeconds: 10, initialDelaySeconds: 1 }, 7550, 10_050],
    ["successThreshold 2 needs the next tick too", { periodSeconds: 10, successThreshold: 2 }, 7550, 20_050],
    ["successThreshold 3 from the manual probe", { periodSeconds: 5, successThreshold: 3 }, 2550, 10_050],
    ["short period", { periodSeconds: 1 }, 7551, 8050],
  ] as const)("%s", (_name, probe, healthyAtMs, expected) => {
    expect(readinessSuccessMs(50, 2550, healthyAtMs, probe)).toBe(expected);
  });

  it("never succeeds for an app that never becomes healthy", () => {
    expect(readinessSuccessMs(0, 100, Number.POSITIVE_INFINITY, { periodSeconds: 10 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("preStopDurationMs", () => {
  it.each([
    ["no hook", undefined, null],
    ["exec sh -c sleep 15", { exec: { command: ["/bin/sh", "-c", "sleep 15"] } }, 15_000],
    ["exec sleep 2.5", { exec: { command: ["sleep", "2.5"] } }, 2500],
    ["exec with a unit", { exec: { command: ["sh", "-c", "echo bye; sleep 1m"] } }, 60_000],
    ["exec without sleep", { exec: { command: ["nginx", "-s", "quit"] } }, 0],
    ["sleep action", { sleep: { seconds: 7 } }, 7000],
    ["httpGet", { httpGet: { path: "/drain", port: 8080 } }, 0],
  ] as const)("%s", (_name, preStop, expected) => {
    const container = preStop === undefined ? { name: "c" } : { name: "c", lifecycle: { preStop: preStop as never } };
    expect(preStopDurationMs(container)).toBe(expected);
  });
});

describe("Backoff (flowcontrol)", () => {
  it("doubles from 10 s to 300 s", () => {
    const backoff = new Backoff();
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      backoff.next(i * 1000, i * 1000);
      seen.push(backoff.currentMs);
    }
    expect(seen).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it("is in back-off only for the delay after the event", () => {
    const backoff = new Backoff();
    expect(backoff.inBackOffSince(0, 0)).toBe(false);
    backoff.next(0, 0);
    expect(backoff.inBackOffSince(5000, 14_999)).toBe(true);
    expect(backoff.inBackOffSince(5000, 15_000)).toBe(false);
  });

  it("starts over after twice the maximum without an update", () => {
    const backoff = new Backoff();
    backoff.next(0, 0);
    backoff.next(1000, 1000);
    expect(backoff.currentMs).toBe(20_000);
    expect(backoff.inBackOffSince(601_001, 601_001)).toBe(false);
    backoff.next(601_001, 601_001);
    expect(backoff.currentMs).toBe(10_000);
  });
});

describe("formatGoDuration", () => {
  it.each([
    [10_000, "10s"],
    [80_000, "1m20s"],
    [300_000, "5m0s"],
    [3_600_000, "1h0m0s"],
    [500, "500ms"],
    [1500, "1.5s"],
  ] as const)("%d -> %s", (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

import { describe, expect, it } from "vitest";
import { distributionValue, durationValueMs } from "../../src/network/spec-values.ts";

describe("LoadBalancer spec values", () => {
  it.each([
    ["2s", 2000],
    ["1m30s", 90_000],
    [0, 0],
    [250, 250],
    ["fast", undefined],
    [-5, undefined],
    [null, undefined],
  ])("duration %j -> %j", (value, expected) => {
    expect(durationValueMs(value)).toBe(expected);
  });

  it.each([
    ["500ms", { kind: "constant", valueMs: 500 }],
    [{ uniform: { min: "1s", max: "3s" } }, { kind: "uniform", minMs: 1000, maxMs: 3000 }],
    [{ exponential: { mean: "2s" } }, { kind: "exponential", meanMs: 2000 }],
    [{ lognormal: { median: "2s", sigma: 0.3 } }, { kind: "lognormal", medianMs: 2000, sigma: 0.3 }],
    [
      { kind: "constant", valueMs: 7 },
      { kind: "constant", valueMs: 7 },
    ],
    [{ uniform: { min: "3s", max: "1s" } }, undefined],
    [{ gamma: { k: 2 } }, undefined],
    [{ uniform: { min: "1s", max: "2s" }, exponential: { mean: "1s" } }, undefined],
  ])("distribution %j -> %j", (value, expected) => {
    expect(distributionValue(value)).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import {
  formatCpuMilli,
  formatMemoryBytes,
  parseCpuMilli,
  parseMemoryBytes,
  parseQuantity,
} from "../../src/api/quantity.ts";

describe("parseQuantity", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    ["16Gi", 16 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1Ki", 1024],
    ["1G", 1e9],
    ["1M", 1e6],
    ["1k", 1000],
    ["1e3", 1000],
    ["1E3", 1000],
    ["2.5e-3", 0.0025],
    ["100u", 0.0001],
    ["3n", 3e-9],
    [".5", 0.5],
    ["+1", 1],
    ["-1", -1],
    [" 250m ", 0.25],
    [7, 7],
  ] as const)("%s -> %d", (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(["", "abc", "1K", "1Gb", "1.2.3", "m", "1 Gi", "Gi", "1ee3", "--1", "1e"])("rejects %j", (text) => {
    expect(parseQuantity(text)).toBeNull();
  });

  it("rejects non-finite numbers", () => {
    expect(parseQuantity(Number.NaN)).toBeNull();
    expect(parseQuantity(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe("cpu and memory conversions", () => {
  it.each([
    ["500m", 500],
    ["2", 2000],
    ["1.5", 1500],
    ["0.1", 100],
    ["100m", 100],
    ["1e3", 1_000_000],
    ["0.0001", 1],
  ] as const)("cpu %s = %d millicores (rounded up)", (text, milli) => {
    expect(parseCpuMilli(text)).toBe(milli);
  });

  it.each([
    ["16Gi", 16 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1G", 1_000_000_000],
    ["1e3", 1000],
    ["1.5Ki", 1536],
    ["1m", 1],
  ] as const)("memory %s = %d bytes (rounded up)", (text, bytes) => {
    expect(parseMemoryBytes(text)).toBe(bytes);
  });

  it("returns null for bad input", () => {
    expect(parseCpuMilli("two")).toBeNull();
    expect(parseMemoryBytes("16GB")).toBeNull();
  });

  it("formats as the API shows quantities", () => {
    expect(formatCpuMilli(4000)).toBe("4");
    expect(formatCpuMilli(3500)).toBe("3500m");
    expect(formatMemoryBytes(16 * 2 ** 30)).toBe("16Gi");
    expect(formatMemoryBytes(512 * 2 ** 20)).toBe("512Mi");
    expect(formatMemoryBytes(1000)).toBe("1000");
  });
});

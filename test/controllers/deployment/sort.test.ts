import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { sortInPlace } from "../../../src/controllers/deployment/util.ts";

describe("sortInPlace", () => {
  // Entries compare by key only, so equal keys keep their input order only if the sort is stable.
  const entries = fc.array(fc.record({ key: fc.integer({ min: 0, max: 5 }), id: fc.nat() }), { maxLength: 40 });
  const byKey = (a: { key: number }, b: { key: number }): number => a.key - b.key;

  fcTest.prop([entries])("orders exactly as the built-in stable sort, small and large", (items) => {
    const expected = [...items].sort(byKey);
    const input = [...items];
    const sorted = sortInPlace(input, byKey);
    expect(sorted).toBe(input);
    expect(sorted).toEqual(expected);
  });
});

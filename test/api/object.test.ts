import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { copyWith, deepFreeze, fromTimestamp, objectKey, shallowCopy, toTimestamp } from "../../src/api/object.ts";

describe("copyWith and shallowCopy", () => {
  const record = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 8 });

  fcTest.prop([record, record])("give the keys, values and key order of the spread", (source, extra) => {
    const spread = { ...source, ...extra };
    const copied = copyWith(source, extra);
    expect(Object.keys(copied)).toEqual(Object.keys(spread));
    expect(copied).toEqual(spread);
    expect(Object.keys(shallowCopy(source))).toEqual(Object.keys({ ...source }));
  });

  it("keep an own __proto__ key a plain property, as the spread does", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copied = copyWith(parsed, { b: 2 }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(["__proto__", "a", "b"]);
    expect(Object.getPrototypeOf(shallowCopy(parsed))).toBe(Object.prototype);
  });

  it("copy frozen sources into unfrozen objects", () => {
    const frozen = deepFreeze({ a: 1 });
    const copied = copyWith(frozen, { b: 2 });
    expect(Object.isFrozen(copied)).toBe(false);
    expect(copied).toEqual({ a: 1, b: 2 });
  });
});

describe("objectKey", () => {
  fcTest.prop([fc.string(), fc.string()])("is namespace/name, the same string each time", (namespace, name) => {
    const key = objectKey(namespace, name);
    expect(key).toBe(`${namespace}/${name}`);
    expect(objectKey(namespace, name)).toBe(key);
  });
});

describe("fromTimestamp", () => {
  fcTest.prop([fc.array(fc.integer({ min: 0, max: 10 ** 10 }), { maxLength: 20 })])(
    "reads back what toTimestamp wrote, whatever the order of calls",
    (times) => {
      for (const ms of times) expect(fromTimestamp(toTimestamp(ms))).toBe(Math.floor(ms / 1000) * 1000);
    },
  );
});

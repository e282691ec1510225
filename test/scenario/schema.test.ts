/**
 * The schema as a whole: the JSON Schema `rolloutsim schema` prints is a usable draft 2020-12
 * document covering the Scenario and every object kind; the support registry and the timing keys
 * agree with the schema and the runtime configuration; value types convert as documented.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ACTION_NAMES,
  ASSERTION_NAMES,
  FAULT_SCHEMAS,
  scenarioDocument,
  scenarioJsonSchema,
  TIMING_FIELDS,
} from "../../src/scenario/schema.ts";
import { OBJECT_SCHEMAS } from "../../src/scenario/schema-objects.ts";
import {
  distribution,
  duration,
  fraction,
  intOrPercent,
  ipOrCidr,
  objectRef,
  percent,
  rate,
} from "../../src/scenario/schema-values.ts";
import { SUPPORTED } from "../../src/scenario/support.ts";
import { DEFAULT_TIMING } from "../../src/world/config.ts";

type JsonObject = Record<string, unknown>;

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const each of value) collectRefs(each, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") out.push(child);
      else collectRefs(child, out);
    }
  }
  return out;
}

describe("the JSON Schema", () => {
  const schema = scenarioJsonSchema();
  const defs = schema.$defs as Record<string, JsonObject>;

  it("is plain JSON, draft 2020-12, with an id and a title", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(typeof schema.$id).toBe("string");
    expect(typeof schema.title).toBe("string");
  });

  it("offers the Scenario and every object kind for each document", () => {
    const refs = (schema.anyOf as { $ref: string }[]).map((each) => each.$ref);
    expect(refs).toEqual(["#/$defs/Scenario", ...Object.keys(OBJECT_SCHEMAS).map((kind) => `#/$defs/${kind}`)]);
  });

  it("describes the Scenario's top-level and spec properties, strictly", () => {
    const scenario = defs.Scenario as {
      properties: Record<string, JsonObject>;
      required: string[];
      additionalProperties: unknown;
    };
    expect(Object.keys(scenario.properties)).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(scenario.required).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(scenario.additionalProperties).toBe(false);
    const spec = scenario.properties.spec as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(spec.properties)).toEqual([
      "seed",
      "duration",
      "include",
      "cluster",
      "timing",
      "images",
      "traffic",
      "timeline",
      "assertions",
    ]);
    expect(spec.required).toEqual(["duration"]);
  });

  it("points timeline apply entries at the object kinds", () => {
    const scenario = defs.Scenario as {
      properties: { spec: { properties: { timeline: { items: { properties: JsonObject } } } } };
    };
    const entry = scenario.properties.spec.properties.timeline.items.properties;
    expect(Object.keys(entry)).toEqual(["at", "for", "name", ...ACTION_NAMES]);
    expect(entry.apply).toEqual({ $ref: "#/$defs/KubernetesObject" });
  });

  it("resolves every $ref inside the document", () => {
    const refs = collectRefs(schema);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref.startsWith("#/$defs/")).toBe(true);
      expect(defs[ref.slice("#/$defs/".length)]).toBeDefined();
    }
  });

  it("matches the copy in docs/ (regenerate: npx rolloutsim schema > docs/scenario.schema.json)", () => {
    const copy = readFileSync(join(import.meta.dirname, "..", "..", "docs", "scenario.schema.json"), "utf8");
    expect(JSON.parse(copy)).toEqual(schema);
  });

  it("pins each object kind's apiVersion", () => {
    const deployment = defs.Deployment as { properties: { apiVersion: { enum: string[] }; kind: { const: string } } };
    expect(deployment.properties.apiVersion.enum).toEqual(["apps/v1"]);
    expect(deployment.properties.kind.const).toBe("Deployment");
  });
});

describe("registries agree with the schema", () => {
  it("supports only kinds, actions, faults and assertions the format has", () => {
    for (const kind of SUPPORTED.kinds) expect(Object.keys(OBJECT_SCHEMAS)).toContain(kind);
    for (const action of SUPPORTED.actions) expect(ACTION_NAMES).toContain(action);
    for (const fault of SUPPORTED.faults) expect(Object.keys(FAULT_SCHEMAS)).toContain(fault);
    for (const assertion of SUPPORTED.assertions) expect(ASSERTION_NAMES).toContain(assertion);
  });

  it("has a spec.timing key for every TimingConfig field", () => {
    const covered = Object.values(TIMING_FIELDS)
      .map((each) => each.field)
      .sort();
    expect(covered).toEqual(Object.keys(DEFAULT_TIMING).sort());
  });
});

describe("value types", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    [0, 0],
    ["0", 0],
  ] as const)("duration %s is %i ms", (text, ms) => {
    expect(duration.parse(text)).toBe(ms);
  });

  it.each(["-5s", "5", "5 minutes", "5us", 5, "", "1h-3m"])("duration %s is refused", (text) => {
    expect(duration.safeParse(text).success).toBe(false);
  });

  it("reads distributions", () => {
    expect(distribution.parse("2s")).toEqual({ kind: "constant", valueMs: 2000 });
    expect(distribution.parse({ uniform: { min: "1s", max: "3s" } })).toEqual({
      kind: "uniform",
      minMs: 1000,
      maxMs: 3000,
    });
    expect(distribution.parse({ exponential: { mean: "500ms" } })).toEqual({ kind: "exponential", meanMs: 500 });
    expect(distribution.parse({ lognormal: { median: "8s", sigma: 0.3 } })).toEqual({
      kind: "lognormal",
      medianMs: 8000,
      sigma: 0.3,
    });
    expect(distribution.safeParse({ uniform: { min: "1s", max: "3s" }, exponential: { mean: "1s" } }).success).toBe(
      false,
    );
    expect(distribution.safeParse({ gamma: { k: 1 } }).success).toBe(false);
  });

  it("reads percentages, fractions, rates", () => {
    expect(percent.parse("99.5%")).toBeCloseTo(0.995, 12);
    expect(percent.safeParse("100.1%").success).toBe(false);
    expect(percent.safeParse(99.5).success).toBe(false);
    expect(fraction.parse(0.01)).toBe(0.01);
    expect(fraction.parse("1%")).toBe(0.01);
    expect(fraction.safeParse(2).success).toBe(false);
    expect(rate.parse("200/s")).toBe(200);
    expect(rate.parse("30/m")).toBe(0.5);
    expect(rate.parse("36/h")).toBe(0.01);
    expect(rate.safeParse("200").success).toBe(false);
  });

  it("reads references", () => {
    expect(objectRef.parse("Deployment/demo")).toEqual({ kind: "Deployment", namespace: "default", name: "demo" });
    expect(objectRef.parse("Service/team-a/web")).toEqual({ kind: "Service", namespace: "team-a", name: "web" });
    expect(objectRef.safeParse("Deploymnet/demo").success).toBe(false);
    expect(objectRef.safeParse("demo").success).toBe(false);
    expect(objectRef.safeParse("Deployment/Demo").success).toBe(false);
  });

  it("checks int-or-percent and CIDRs", () => {
    const maxUnavailable = intOrPercent({ maxPercent: 100 });
    expect(maxUnavailable.safeParse(2).success).toBe(true);
    expect(maxUnavailable.safeParse("25%").success).toBe(true);
    expect(maxUnavailable.safeParse("101%").success).toBe(false);
    expect(maxUnavailable.safeParse("25").success).toBe(false);
    expect(maxUnavailable.safeParse(-1).success).toBe(false);
    expect(intOrPercent().safeParse("200%").success).toBe(true);
    for (const good of ["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"])
      expect(ipOrCidr.safeParse(good).success).toBe(true);
    for (const bad of ["10.0.0.0/33", "300.1.2.3", "10.1", "0x7f.1", "example.com"])
      expect(ipOrCidr.safeParse(bad).success).toBe(false);
  });

  it("fills the documented defaults", () => {
    const parsed = scenarioDocument.parse({
      apiVersion: "rolloutsim/v1",
      kind: "Scenario",
      metadata: { name: "d" },
      spec: { duration: "1m" },
    });
    expect(parsed.spec.seed).toBe(1);
    expect(parsed.spec.cluster.datacenters).toEqual([
      { name: "DC1", nodes: { count: 3, cpu: 4000, memory: 16 * 2 ** 30, pods: 110 } },
    ]);
  });
});

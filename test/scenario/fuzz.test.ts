/**
 * parseScenario on hostile input: random text, YAML-shaped token soup, mutations of a valid
 * scenario (deleted keys, swapped types, random values, deep nesting) and of its text. It must
 * always return a scenario or problems, never throw, and never fall back to its "internal error"
 * problem (which would mean an exception was caught inside).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { type LoadResult, parseScenario } from "../../src/scenario/loader.ts";

const GOOD = join(import.meta.dirname, "..", "fixtures", "good");
const FULL_TEXT = readFileSync(join(GOOD, "full.yaml"), "utf8");
const SERVICE_TEXT = readFileSync(join(GOOD, "manifests", "service.yaml"), "utf8");

function readInclude(path: string): string {
  if (path.endsWith(join("manifests", "service.yaml"))) return SERVICE_TEXT;
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
}

function parse(text: string): LoadResult {
  return parseScenario(text, join(GOOD, "fuzzed.yaml"), readInclude);
}

function expectWellFormed(result: LoadResult): void {
  if (result.ok) {
    expect(result.scenario.durationMs).toBeGreaterThan(0);
    const times = result.scenario.timeline.map((each) => each.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(typeof problem.file).toBe("string");
    expect(Number.isInteger(problem.line) && problem.line >= 0).toBe(true);
    expect(Number.isInteger(problem.column) && problem.column >= 0).toBe(true);
    expect(typeof problem.path).toBe("string");
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message).not.toMatch(/^internal error/);
  }
}

// ---- mutations of the parsed documents --------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const BASE_DOCUMENTS = Array.from(parseAllDocuments(FULL_TEXT)).map((document) => document.toJS() as Json);

function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((child, index) => {
      pathsOf(child, [...prefix, index], out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...prefix, key], out);
  }
  return out;
}

function parentAndKey(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } | null {
  if (path.length === 0) return null;
  let current: Json = root;
  for (const segment of path.slice(0, -1)) current = (current as Record<string | number, Json>)[segment] as Json;
  return { parent: current as Json[] | Record<string, Json>, key: path[path.length - 1] as string | number };
}

type Mutation = {
  op: "delete" | "replace" | "nest" | "swapType" | "addKey";
  at: number;
  value: Json;
  depth: number;
  key: string;
};

function mutate(root: Json, mutation: Mutation): Json {
  const paths = pathsOf(root);
  const path = paths[mutation.at % paths.length] as Path;
  const target = parentAndKey(root, path);
  if (target === null) return mutation.op === "replace" ? mutation.value : root;
  const { parent, key } = target;
  const record = parent as Record<string | number, Json>;
  const current = record[key] as Json;
  switch (mutation.op) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete record[key];
      break;
    case "replace":
      record[key] = mutation.value;
      break;
    case "nest": {
      let nested: Json = current;
      for (let i = 0; i < mutation.depth; i++) nested = i % 2 === 0 ? [nested] : { x: nested };
      record[key] = nested;
      break;
    }
    case "swapType":
      record[key] =
        typeof current === "string"
          ? Number(current.replace(/\D/g, "") || "7")
          : typeof current === "number"
            ? String(current)
            : current === null
              ? {}
              : null;
      break;
    case "addKey":
      if (current !== null && typeof current === "object" && !Array.isArray(current))
        current[mutation.key] = mutation.value;
      break;
  }
  return root;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("delete", "replace", "nest", "swapType", "addKey"),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  depth: fc.integer({ min: 1, max: 120 }),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("replicas", "spec", "at", "target", "kind", "<<")),
});

function mutatedStream(mutations: readonly Mutation[], documentIndex: number): string {
  const documents = structuredClone(BASE_DOCUMENTS);
  const index = documentIndex % documents.length;
  let document = documents[index] as Json;
  for (const mutation of mutations) document = mutate(document, mutation);
  documents[index] = document;
  return documents.map((each) => stringify(each)).join("---\n");
}

// ---- text-level noise -------------------------------------------------------------------------------

const TOKENS = [
  "apiVersion: rolloutsim/v1\n",
  "kind: Scenario\n",
  "metadata: {name: fuzz}\n",
  "spec:\n",
  "  duration: 5m\n",
  "  timeline:\n",
  "    - {at: 1m, scale: {target: Deployment/demo, replicas: 2}}\n",
  "---\n",
  "kind: Deployment\n",
  "  ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  ": ",
  ",",
  "&a ",
  "*a",
  "<<: *a\n",
  "!tag ",
  '"',
  "'",
  "#",
  "\t",
  "\n",
  "%YAML 1.2\n",
  "? ",
  "|\n",
];

describe("parseScenario never throws", () => {
  test.prop([fc.string({ maxLength: 400 })], { numRuns: 200 })("on random strings", (text) => {
    expectWellFormed(parse(text));
  });

  test.prop([fc.string({ unit: "binary", maxLength: 300 })], { numRuns: 100 })("on random unicode", (text) => {
    expectWellFormed(parse(text));
  });

  test.prop([fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 })], { numRuns: 300 })(
    "on YAML-shaped token soup",
    (tokens) => {
      expectWellFormed(parse(tokens.join("")));
    },
  );

  test.prop([fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }), fc.nat()], { numRuns: 200 })(
    "on mutations of a valid scenario",
    (mutations, documentIndex) => {
      expectWellFormed(parse(mutatedStream(mutations, documentIndex)));
    },
  );

  test.prop([fc.nat(), fc.nat({ max: 200 }), fc.string({ maxLength: 30 })], { numRuns: 200 })(
    "on the valid scenario's text with a slice replaced",
    (start, length, insert) => {
      const at = start % FULL_TEXT.length;
      expectWellFormed(parse(FULL_TEXT.slice(0, at) + insert + FULL_TEXT.slice(at + length)));
    },
  );

  test.prop([fc.integer({ min: 1, max: 5000 }), fc.constantFrom("[", "{a: ", "- ")], { numRuns: 20 })(
    "on deep nesting",
    (depth, opener) => {
      const closer = opener === "[" ? "]" : opener === "{a: " ? "}" : "";
      const nested =
        opener === "- "
          ? Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${" ".repeat(i * 2)}- `).join("\n")
          : opener.repeat(depth) + closer.repeat(depth);
      expectWellFormed(
        parse(
          `apiVersion: rolloutsim/v1\nkind: Scenario\nmetadata: {name: deep}\nspec:\n  duration: 1m\n  images: ${nested}\n`,
        ),
      );
    },
  );

  test("on an alias bomb", () => {
    const levels = Array.from(
      { length: 9 },
      (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]`,
    );
    const text = `l0: &l0 "lol"\n${levels.join("\n")}\n`;
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]?.message).toMatch(/alias/i);
  });

  test("the unmutated scenario parses (the mutation tests start from a valid file)", () => {
    expect(parse(mutatedStream([], 0)).ok).toBe(true);
  });
});

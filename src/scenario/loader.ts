/**
 * Scenario files to the resolved `Scenario` (src/scenario/model.ts), or to the list of every
 * problem found, each with FILE:LINE:COL and the path of the offending field.
 *
 * The pipeline: parse the YAML stream (limits on size, documents, aliases, depth) -> apply
 * `--set` overrides to the syntax tree -> validate the Scenario document -> read includes ->
 * validate each object by its kind (refusing kinds the runner does not support yet) -> resolve
 * (references, duplicates, nodes, timeline order).
 *
 * Never throws: an unexpected failure inside is reported as a problem too.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { API_VERSIONS } from "../api/kinds.ts";
import type { NewObject } from "../api/object.ts";
import { issuesToProblems } from "./issues.ts";
import { formatRef, type ObjectRef, type Problem, type Scenario } from "./model.ts";
import { applyOverrides, type Override } from "./overrides.ts";
import type { ValidatedObject } from "./references.ts";
import { resolveScenario } from "./resolve.ts";
import { LIMITS, scenarioDocument } from "./schema.ts";
import { isObjectKind, OBJECT_SCHEMAS } from "./schema-objects.ts";
import { isSupported, notSupportedMessage, SUPPORTED } from "./support.ts";
import { documentValue, fileProblem, parseYamlStream, type SourceDocument, SourceMap } from "./yaml-source.ts";

export type { Override } from "./overrides.ts";

export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] };

export interface ParseOptions {
  /** Reads an included file (the path is already resolved against the scenario file's folder). */
  readInclude?: (path: string) => string;
  /** Values set before validation (`sweep --set`), in order. */
  overrides?: readonly Override[];
}

/** Parses a scenario stream. `readInclude` (or options.readInclude) reads `spec.include` files. */
export function parseScenario(
  text: string,
  file: string,
  readIncludeOrOptions?: ((path: string) => string) | ParseOptions,
): LoadResult {
  const options =
    typeof readIncludeOrOptions === "function" ? { readInclude: readIncludeOrOptions } : (readIncludeOrOptions ?? {});
  try {
    return load(text, file, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [fileProblem(file, `internal error while reading the scenario: ${message}`)] };
  }
}

/** Reads a scenario file and the files it includes (relative to it). */
export function loadScenario(path: string, options: Omit<ParseOptions, "readInclude"> = {}): LoadResult {
  const text = readText(path);
  if (typeof text !== "string") return { ok: false, problems: [fileProblem(path, text.error)] };
  return parseScenario(text, path, { ...options, readInclude: (include) => readFileSync(include, "utf8") });
}

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    return { error: `cannot read the file: ${describeFsError(error)}` };
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

// ---- the pipeline ------------------------------------------------------------------------------

function load(text: string, file: string, options: ParseOptions): LoadResult {
  const main = parseYamlStream(text, file);
  if (main.problems.length > 0) return failed(main.problems, [file]);
  const [scenarioSource, ...streamObjects] = main.documents;
  if (scenarioSource === undefined) {
    return failed(
      [fileProblem(file, "is empty: a scenario starts with a document of kind Scenario (apiVersion: rolloutsim/v1)")],
      [file],
    );
  }
  const problems: Problem[] = [];
  const scenarioMap = new SourceMap(scenarioSource, "");
  const overrides = applyOverrides(options.overrides ?? [], scenarioSource, null);
  problems.push(...overrides.problems);
  const read = documentValue(scenarioSource);
  if ("problem" in read) return failed([read.problem], [file]);
  const firstProblem = checkFirstDocument(read.value, scenarioMap);
  if (firstProblem !== null) return failed([firstProblem], [file]);

  const validated = scenarioDocument.safeParse(read.value);
  if (!validated.success)
    problems.push(...issuesToProblems(validated.error.issues, scenarioDocument, read.value, scenarioMap));

  const includes = readIncludes(read.value, file, scenarioMap, options);
  problems.push(...includes.problems);
  const objectSources = [...includes.documents, ...streamObjects];
  problems.push(...applyOverrides(options.overrides ?? [], null, objectSources).problems);
  const objects = validateStreamObjects(objectSources, problems);
  const applies = validateApplies(read.value, scenarioMap, problems);
  const files = [file, ...includes.files];
  if (problems.length > 0 || !validated.success) return failed(problems, files);

  const resolved = resolveScenario({ file, document: validated.data, map: scenarioMap, objects, applies });
  return "scenario" in resolved ? { ok: true, scenario: resolved.scenario } : failed(resolved.problems, files);
}

function failed(problems: Problem[], files: readonly string[]): LoadResult {
  const rank = (file: string): number => {
    const index = files.indexOf(file);
    return index < 0 ? files.length : index;
  };
  const sorted = problems
    .map((problem, order) => ({ problem, order }))
    .sort(
      (a, b) =>
        rank(a.problem.file) - rank(b.problem.file) ||
        a.problem.line - b.problem.line ||
        a.problem.column - b.problem.column ||
        a.order - b.order,
    )
    .map(({ problem }) => problem);
  return { ok: false, problems: sorted };
}

function checkFirstDocument(value: unknown, map: SourceMap): Problem | null {
  const kind = isRecord(value) ? value.kind : undefined;
  if (kind === "Scenario") return null;
  const found = typeof kind === "string" ? `; found kind ${kind}` : "";
  return map.problem(
    typeof kind === "string" ? ["kind"] : [],
    `the first document must be the scenario (apiVersion: rolloutsim/v1, kind: Scenario)${found}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- includes ---------------------------------------------------------------------------------------

function readIncludes(
  scenario: unknown,
  file: string,
  map: SourceMap,
  options: ParseOptions,
): { documents: SourceDocument[]; problems: Problem[]; files: string[] } {
  const list = isRecord(scenario) && isRecord(scenario.spec) ? scenario.spec.include : undefined;
  const result = { documents: [] as SourceDocument[], problems: [] as Problem[], files: [] as string[] };
  if (!Array.isArray(list)) return result;
  list.slice(0, LIMITS.includes).forEach((include, index) => {
    if (typeof include !== "string" || include === "") return;
    const path = isAbsolute(include) ? include : join(dirname(file), include);
    const text = readInclude(path, options);
    if (typeof text !== "string") {
      result.problems.push(map.problem(["spec", "include", index], `cannot include ${include}: ${text.error}`));
      return;
    }
    const parsed = parseYamlStream(text, path);
    result.files.push(path);
    result.problems.push(...parsed.problems);
    for (const document of parsed.documents) {
      if (result.documents.length >= LIMITS.documents) break;
      result.documents.push(document);
    }
  });
  return result;
}

function readInclude(path: string, options: ParseOptions): string | { error: string } {
  if (options.readInclude === undefined) return { error: "includes can only be read from files (use loadScenario)" };
  try {
    return options.readInclude(path);
  } catch (error) {
    return { error: describeFsError(error) };
  }
}

// ---- objects ---------------------------------------------------------------------------------------

const NOT_IN_SCENARIOS: Readonly<Record<string, string>> = {
  Node: "nodes come from spec.cluster.datacenters, not from objects",
};

/** "Deployment/demo" for a document whose kind and name can be read; "document N" otherwise. */
function labelOf(value: unknown, source: SourceDocument): string {
  const metadata = isRecord(value) && isRecord(value.metadata) ? value.metadata : {};
  const kind = isRecord(value) ? value.kind : undefined;
  if (typeof kind === "string" && typeof metadata.name === "string") {
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
    return formatRef({ kind, namespace, name: metadata.name });
  }
  return `document ${source.index + 1}`;
}

function validateStreamObjects(sources: readonly SourceDocument[], problems: Problem[]): ValidatedObject[] {
  const objects: ValidatedObject[] = [];
  for (const source of sources) {
    const read = documentValue(source);
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    if (isRecord(read.value) && read.value.kind === "Scenario") {
      problems.push(
        new SourceMap(source, "").problem(["kind"], "a stream has one Scenario document, and it comes first"),
      );
      continue;
    }
    if (objects.length >= LIMITS.objects) {
      problems.push(new SourceMap(source, "").problem([], `more than ${LIMITS.objects} objects`));
      break;
    }
    const object = validateObject(read.value, new SourceMap(source, labelOf(read.value, source)), problems);
    if (object !== null) objects.push(object);
  }
  return objects;
}

/** `apply:` objects of the timeline, by entry index; validated like stream objects. */
function validateApplies(scenario: unknown, map: SourceMap, problems: Problem[]): Map<number, ValidatedObject> {
  const applies = new Map<number, ValidatedObject>();
  const timeline = isRecord(scenario) && isRecord(scenario.spec) ? scenario.spec.timeline : undefined;
  if (!Array.isArray(timeline)) return applies;
  timeline.slice(0, LIMITS.timelineEntries).forEach((entry, index) => {
    if (!isRecord(entry) || entry.apply === undefined) return;
    const object = validateObject(entry.apply, map.child(["spec", "timeline", index, "apply"]), problems);
    if (object !== null) applies.set(index, object);
  });
  return applies;
}

/** Checks one object against its kind's schema; null (with problems) when it is not valid. */
export function validateObject(value: unknown, map: SourceMap, problems: Problem[]): ValidatedObject | null {
  if (!isRecord(value)) {
    problems.push(map.problem([], "expected a Kubernetes-style object (apiVersion, kind, metadata, spec)"));
    return null;
  }
  const kindProblem = checkKind(value.kind, map);
  if (kindProblem !== null) {
    problems.push(kindProblem);
    return null;
  }
  const schema = OBJECT_SCHEMAS[value.kind as keyof typeof OBJECT_SCHEMAS];
  const result = schema.safeParse(value);
  if (!result.success) {
    problems.push(...issuesToProblems(result.error.issues, schema, value, map));
    return null;
  }
  const object = structuredClone(value) as unknown as NewObject;
  object.metadata.namespace ??= "default";
  const ref: ObjectRef = {
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name as string,
  };
  const source = { ...map.position(["metadata", "name"]), path: map.label === "" ? map.displayPath([]) : map.label };
  return { ref, object, source, map };
}

function checkKind(kind: unknown, map: SourceMap): ReturnType<SourceMap["problem"]> | null {
  if (kind === undefined) return map.problem(["kind"], "is required");
  if (typeof kind !== "string") return map.problem(["kind"], "expected a kind name (a string)");
  if (!isObjectKind(kind)) {
    const reason =
      NOT_IN_SCENARIOS[kind] ??
      (API_VERSIONS[kind] !== undefined
        ? `${kind} objects are made by controllers, not written in scenarios`
        : undefined);
    const supported = SUPPORTED.kinds.join(", ");
    return map.problem(
      ["kind"],
      reason !== undefined
        ? `kind ${kind} cannot be used here: ${reason}`
        : `unknown kind "${kind}" (supported: ${supported})`,
    );
  }
  if (!isSupported("kinds", kind)) return map.problem(["kind"], notSupportedMessage(`the ${kind} kind`));
  return null;
}

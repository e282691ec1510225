/**
 * zod issues to problems a user can act on: each at the line of the offending node (an unknown
 * field at its key, a missing field at its parent), with one problem per unknown key and a "did you
 * mean" when a known field is close. A failed union reports the branch the value was meant for
 * (an object given where a duration or a distribution is expected reports the object's problems).
 */
import type { z } from "zod";
import type { Problem } from "./model.ts";
import { SERVER_SET_FIELDS } from "./schema-objects.ts";
import type { PathSegment, SourceMap } from "./yaml-source.ts";

type Issue = z.core.$ZodIssue;

/** Converts the issues of `schema.safeParse(value)` into problems. */
export function issuesToProblems(
  issues: readonly Issue[],
  schema: z.ZodType,
  value: unknown,
  map: SourceMap,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of withoutRedundant(issues)) collect(issue, [], schema, value, map, problems);
  return dedupe(problems);
}

/**
 * "needs exactly one action" next to "unknown field restart" at the same entry says the same thing
 * twice; keep the unknown field, which names the culprit.
 */
function withoutRedundant(issues: readonly Issue[]): Issue[] {
  const unknownAt = new Set(
    issues.filter((each) => each.code === "unrecognized_keys").map((each) => JSON.stringify(each.path)),
  );
  return issues.filter(
    (each) => !(each.code === "custom" && each.params?.exactlyOne === true && unknownAt.has(JSON.stringify(each.path))),
  );
}

function collect(
  issue: Issue,
  base: readonly PathSegment[],
  schema: z.ZodType,
  value: unknown,
  map: SourceMap,
  out: Problem[],
): void {
  const path = [...base, ...(issue.path as PathSegment[])];
  switch (issue.code) {
    case "unrecognized_keys":
      for (const key of issue.keys) {
        out.push(map.problem([...path, key], unknownFieldMessage(key, knownKeys(schema, path)), "key"));
      }
      return;
    case "invalid_union": {
      const branch = intendedBranch(issue.errors);
      if (branch !== undefined) {
        for (const inner of branch) collect(inner, path, schema, value, map, out);
        return;
      }
      break;
    }
    default:
      break;
  }
  const missing = valueAt(value, path) === undefined && issue.code !== "custom";
  out.push(map.problem(path, missing ? "is required" : issue.message));
}

/**
 * The union branch whose issues are not "wrong type at the root": the one the value was written
 * for. Undefined when none or several qualify (the union's own message is clearer then).
 */
function intendedBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const typeMatched = branches.filter(
    (issues) =>
      !issues.some((each) => each.path.length === 0 && (each.code === "invalid_type" || each.code === "invalid_value")),
  );
  return typeMatched.length === 1 ? typeMatched[0] : undefined;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment as string];
  }
  return current;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((each) => {
    const key = `${each.file}:${each.line}:${each.column}:${each.path}:${each.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- unknown fields --------------------------------------------------------------------------------

const SERVER_SET = new Set<string>(SERVER_SET_FIELDS);

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  if (SERVER_SET.has(key) && !known.includes(key)) {
    return `unknown field "${key}": it is set by the API server or controllers; remove it from the manifest`;
  }
  const suggestion = closest(key, known);
  const hint =
    suggestion !== undefined
      ? `; did you mean "${suggestion}"?`
      : known.length > 0 && known.length <= 20
        ? ` (known: ${known.join(", ")})`
        : "";
  return `unknown field "${key}"${hint}`;
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

// ---- walking a schema -----------------------------------------------------------------------------------

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Looks through optional, default, nullable, pipe (transform) and lazy wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let hops = 0; hops < 32; hops++) {
    const def = defOf(current);
    const next = def.innerType ?? def.in ?? (def.type === "lazy" ? def.getter?.() : undefined);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

/** The object schemas that a path can lead to (unions can lead to several). */
function schemasAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  let current = [unwrap(schema)];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const each of current.flatMap(expandUnion)) {
      const def = defOf(each);
      const child =
        def.type === "object"
          ? def.shape?.[String(segment)]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : undefined;
      if (child !== undefined) next.push(unwrap(child));
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  return def.type === "union" ? (def.options ?? []).map(unwrap) : [schema];
}

/** The field names of the object at a path, for suggestions. */
export function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const keys = new Set<string>();
  for (const each of schemasAt(schema, path)) {
    const def = defOf(each);
    if (def.type === "object") for (const key of Object.keys(def.shape ?? {})) keys.add(key);
  }
  return [...keys];
}

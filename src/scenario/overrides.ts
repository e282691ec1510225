/**
 * `--set` overrides (rolloutsim sweep): values written into the parsed YAML before validation, so
 * an override is checked exactly like the file itself.
 *
 * Paths: `spec.seed`, `spec.timing.watchDelay`, `spec.images["demo:v2"].errorRate` (scenario
 * document), or `Deployment/demo.spec.strategy.rollingUpdate.maxSurge` (an object of the stream or
 * an include; `Kind/namespace/name.` for another namespace). `[n]` indexes a list.
 */
import type { Problem } from "./model.ts";
import type { PathSegment, SourceDocument } from "./yaml-source.ts";
import { setInDocument } from "./yaml-source.ts";

export interface Override {
  /** As written after --set, before "=". */
  readonly path: string;
  readonly value: unknown;
}

/** Splits `a.b[0]["x.y"]` into ["a", "b", 0, "x.y"]; null when malformed. */
export function tokenizePath(path: string): PathSegment[] | null {
  const tokens: PathSegment[] = [];
  let current = "";
  let i = 0;
  while (i < path.length) {
    const char = path[i] as string;
    if (char === ".") {
      if (current === "" && !(i > 0 && path[i - 1] === "]")) return null;
      if (current !== "") tokens.push(current);
      current = "";
      i++;
    } else if (char === "[") {
      if (current !== "") tokens.push(current);
      current = "";
      const close = path.indexOf("]", path[i + 1] === '"' ? path.indexOf('"', i + 2) : i);
      if (close < 0) return null;
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) tokens.push(Number(inner));
      else if (/^".*"$/.test(inner)) tokens.push(inner.slice(1, -1));
      else return null;
      i = close + 1;
    } else {
      current += char;
      i++;
    }
  }
  if (current !== "") tokens.push(current);
  return tokens.length > 0 ? tokens : null;
}

function overrideProblem(override: Override, message: string): Problem {
  return { file: "--set", line: 0, column: 0, path: override.path, message };
}

type Target =
  | { kind: "scenario"; path: PathSegment[] }
  | { kind: "object"; tokens: PathSegment[] }
  | { kind: "invalid"; message: string };

function targetOf(override: Override): Target {
  const tokens = tokenizePath(override.path);
  if (tokens === null)
    return { kind: "invalid", message: "is not a valid path (like spec.seed or Deployment/demo.spec.replicas)" };
  const first = String(tokens[0]);
  if (first === "spec" || first === "metadata") return { kind: "scenario", path: tokens };
  if (first.includes("/")) return { kind: "object", tokens };
  return { kind: "invalid", message: "must start with spec., metadata. or an object like Deployment/demo." };
}

function identityOf(source: SourceDocument): string | null {
  const kind = source.document.get("kind");
  const name = source.document.getIn(["metadata", "name"]);
  const namespace = source.document.getIn(["metadata", "namespace"]) ?? "default";
  if (typeof kind !== "string" || typeof name !== "string" || typeof namespace !== "string") return null;
  return `${kind}/${namespace}/${name}`;
}

/** The object an override names, trying the longest prefix first (names may contain dots). */
function findObject(
  tokens: PathSegment[],
  objects: readonly SourceDocument[],
): { source: SourceDocument; path: PathSegment[] } | null {
  const identities = objects.map(identityOf);
  for (let split = tokens.length - 1; split >= 1; split--) {
    if (tokens.slice(0, split).some((token) => typeof token === "number")) continue;
    const parts = tokens.slice(0, split).join(".").split("/");
    const key = parts.length === 2 ? `${parts[0]}/default/${parts[1]}` : parts.length === 3 ? parts.join("/") : null;
    const index = key === null ? -1 : identities.indexOf(key);
    if (index >= 0) return { source: objects[index] as SourceDocument, path: tokens.slice(split) };
  }
  return null;
}

/**
 * Applies the overrides meant for the scenario document (when `scenario` is given) or for the
 * objects (when `objects` is given); each call reports only the problems of its part.
 */
export function applyOverrides(
  overrides: readonly Override[],
  scenario: SourceDocument | null,
  objects: readonly SourceDocument[] | null,
): { problems: Problem[] } {
  const problems: Problem[] = [];
  for (const override of overrides) {
    const target = targetOf(override);
    if (target.kind === "invalid") {
      if (scenario !== null) problems.push(overrideProblem(override, target.message));
    } else if (target.kind === "scenario" && scenario !== null) {
      if (!setInDocument(scenario, target.path, override.value))
        problems.push(overrideProblem(override, "runs into a value that is not a map or list"));
    } else if (target.kind === "object" && objects !== null) {
      const found = findObject(target.tokens, objects);
      if (found === null)
        problems.push(
          overrideProblem(
            override,
            "names no object of the scenario (write Kind/name.path, e.g. Deployment/demo.spec.replicas)",
          ),
        );
      else if (!setInDocument(found.source, found.path, override.value))
        problems.push(overrideProblem(override, "runs into a value that is not a map or list"));
    }
  }
  return { problems };
}

/**
 * YAML streams with their source positions: parsing (with the limits that keep it bounded), the
 * plain values of each document, and the map from a path inside a document (["spec", "timeline",
 * 2, "at"]) back to the FILE:LINE:COL of the node that holds it, so every problem points at the
 * line a user has to change.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
} from "yaml";
import type { Problem, SourcePosition } from "./model.ts";
import { LIMITS } from "./schema.ts";

export type PathSegment = string | number;

/** One document of a YAML stream, with what is needed to point into it. */
export interface SourceDocument {
  readonly file: string;
  /** 0-based position of the document in its file (empty documents skipped). */
  readonly index: number;
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

export interface ParsedStream {
  readonly documents: SourceDocument[];
  readonly problems: Problem[];
}

/** Deepest nesting a document may have; deeper values are refused before anything walks them. */
export const MAX_DEPTH = 64;

function positionOf(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** yaml's messages end with " at line L, column C:" and a code excerpt; we print our own position. */
function cleanYamlMessage(code: string, message: string): string {
  if (code === "RESOURCE_EXHAUSTION") return "the YAML is nested too deeply to read";
  const cut = message.search(/ at line \d+, column \d+/);
  return (cut >= 0 ? message.slice(0, cut) : message).trim();
}

function isEmptyDocument(document: Document): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === undefined);
}

/** Parses a stream; YAML errors and warnings (unknown tags, duplicate keys, tabs) are problems. */
export function parseYamlStream(text: string, file: string): ParsedStream {
  if (text.length > LIMITS.textChars) {
    return {
      documents: [],
      problems: [fileProblem(file, `is larger than the limit of ${LIMITS.textChars} characters`)],
    };
  }
  const lineCounter = new LineCounter();
  const parsed = Array.from(
    parseAllDocuments(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false, logLevel: "error" }),
  );
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  for (const document of parsed) {
    for (const error of [...document.errors, ...document.warnings]) {
      problems.push({
        file,
        ...positionOf(lineCounter, error.pos[0]),
        path: "",
        message: cleanYamlMessage(error.code, error.message),
      });
    }
    if (isEmptyDocument(document)) continue;
    documents.push({ file, index: documents.length, document, lineCounter });
    if (documents.length > LIMITS.documents) {
      problems.push(fileProblem(file, `has more than ${LIMITS.documents} documents`));
      break;
    }
  }
  return { documents, problems };
}

export function fileProblem(file: string, message: string): Problem {
  return { file, line: 0, column: 0, path: "", message };
}

/** The plain value of a document, or a problem (an unresolved alias, an alias bomb, too deep). */
export function documentValue(source: SourceDocument): { value: unknown } | { problem: Problem } {
  let value: unknown;
  try {
    value = source.document.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problem: { ...documentStart(source), path: "", message: `cannot read this document: ${message}` } };
  }
  if (depthOf(value) > MAX_DEPTH) {
    return { problem: { ...documentStart(source), path: "", message: `is nested more than ${MAX_DEPTH} levels deep` } };
  }
  return { value };
}

/** Nesting depth of a plain value, without recursion (stops counting past MAX_DEPTH). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_DEPTH) return deepest;
    if (typeof current !== "object" || current === null) continue;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function documentStart(source: SourceDocument): { file: string; line: number; column: number } {
  const range = source.document.contents?.range ?? source.document.range;
  return { file: source.file, ...positionOf(source.lineCounter, range?.[0] ?? 0) };
}

// ---- paths to positions ---------------------------------------------------------------------------------

interface Step {
  readonly node: Node | null;
  /** The key node when this step went through a map entry. */
  readonly key: Node | null;
}

function resolveAlias(source: SourceDocument, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 16 && isAlias(current); hops++) current = current.resolve(source.document);
  return current;
}

function keyMatches(pair: Pair, segment: PathSegment): boolean {
  return isScalar(pair.key) ? String(pair.key.value) === String(segment) : String(pair.key) === String(segment);
}

/** The entry of a map for a key, looking through `<<` merge keys as the values do. */
function findPair(source: SourceDocument, map: unknown, segment: PathSegment, depth = 0): Pair | undefined {
  if (!isMap(map) || depth > 8) return undefined;
  const own = map.items.find((pair) => keyMatches(pair, segment));
  if (own !== undefined) return own;
  for (const pair of map.items) {
    if (!(isScalar(pair.key) && pair.key.value === "<<")) continue;
    const merged = resolveAlias(source, pair.value);
    const sources = isSeq(merged) ? merged.items.map((item) => resolveAlias(source, item)) : [merged];
    for (const each of sources) {
      const found = findPair(source, each, segment, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The nodes along a path, as far as the document goes. */
function walk(source: SourceDocument, path: readonly PathSegment[]): Step[] {
  const steps: Step[] = [{ node: (source.document.contents as Node | null) ?? null, key: null }];
  for (const segment of path) {
    const current = resolveAlias(source, (steps[steps.length - 1] as Step).node);
    if (isMap(current)) {
      const pair = findPair(source, current, segment);
      if (pair === undefined) break;
      steps.push({ node: (pair.value as Node | null) ?? null, key: pair.key as Node });
    } else if (isSeq(current) && typeof segment === "number" && segment < current.items.length) {
      steps.push({ node: current.items[segment] as Node, key: null });
    } else {
      break;
    }
  }
  return steps;
}

function offsetOf(node: Node | null): number | undefined {
  return node?.range?.[0];
}

/**
 * Where a path is written. "value": the node at the path (for a wrong value); "key": its key (for
 * an unknown field). A path that does not exist (a missing field) points at the key of the
 * deepest part that does.
 */
export function locate(
  source: SourceDocument,
  path: readonly PathSegment[],
  at: "value" | "key" = "value",
): { file: string; line: number; column: number } {
  const steps = walk(source, path);
  const complete = steps.length === path.length + 1;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i] as Step;
    const isTarget = i === steps.length - 1 && complete && at === "value";
    const valueFirst = isTarget && (step.key === null || (step.node !== null && !isCollection(step.node)));
    for (const node of valueFirst ? [step.node, step.key] : [step.key, step.node]) {
      const offset = offsetOf(node);
      if (offset !== undefined) return { file: source.file, ...positionOf(source.lineCounter, offset) };
    }
  }
  return documentStart(source);
}

/** `spec.timeline[2].at`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Points into one validated value of a document: the whole document (prefix []) or a part of it
 * (an `apply:` object at ["spec", "timeline", 3, "apply"]). `label` names the document in paths
 * ("Deployment/demo"); empty for the scenario document.
 */
export class SourceMap {
  constructor(
    readonly source: SourceDocument,
    readonly label: string,
    readonly prefix: readonly PathSegment[] = [],
  ) {}

  displayPath(path: readonly PathSegment[]): string {
    const inner = formatPath([...this.prefix, ...path]);
    if (this.label === "") return inner;
    if (inner === "") return this.label;
    return inner.startsWith("[") ? `${this.label}${inner}` : `${this.label}.${inner}`;
  }

  position(path: readonly PathSegment[], at: "value" | "key" = "value"): SourcePosition {
    return { ...locate(this.source, [...this.prefix, ...path], at), path: this.displayPath(path) };
  }

  problem(path: readonly PathSegment[], message: string, at: "value" | "key" = "value"): Problem {
    return { ...this.position(path, at), message };
  }

  /** The same document, deeper. */
  child(path: readonly PathSegment[], label = this.label): SourceMap {
    return new SourceMap(this.source, label, [...this.prefix, ...path]);
  }
}

/** Sets a value in a document before validation (`sweep --set`); false if the path runs into a scalar. */
export function setInDocument(source: SourceDocument, path: readonly PathSegment[], value: unknown): boolean {
  const document = source.document;
  for (let i = 1; i < path.length; i++) {
    const parent = document.getIn(path.slice(0, i), true);
    if (parent !== undefined && parent !== null && !isCollection(parent)) return false;
  }
  document.setIn(path, document.createNode(value));
  return true;
}

/**
 * What a scenario defines, for reference checks: the objects of the stream (and includes) by
 * "Kind/namespace/name", the objects any timeline `apply` creates, the nodes and datacenters.
 */
import type { NewObject } from "../api/object.ts";
import { formatRef, type ObjectRef, type Problem, type SourcePosition } from "./model.ts";
import type { SourceMap } from "./yaml-source.ts";

/** An object that passed validation, with where it was written. */
export interface ValidatedObject {
  readonly ref: ObjectRef;
  /** As written, with metadata.namespace defaulted to "default". */
  readonly object: NewObject;
  readonly source: SourcePosition;
  readonly map: SourceMap;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The defined names a scenario's references are checked against. */
export class Definitions {
  /** Every object any part of the scenario creates (stream, includes, timeline applies). */
  readonly anywhere = new Map<string, SourcePosition>();

  constructor(
    readonly stream: readonly ValidatedObject[],
    applies: readonly ValidatedObject[],
    readonly nodeNames: readonly string[],
    readonly datacenterNames: readonly string[],
  ) {
    for (const each of [...stream, ...applies]) {
      if (!this.anywhere.has(refKey(each.ref))) this.anywhere.set(refKey(each.ref), each.source);
    }
  }

  /** A problem when `ref` is not created anywhere in the scenario. */
  checkDefinedAnywhere(ref: ObjectRef, map: SourceMap, path: readonly (string | number)[]): Problem | null {
    if (this.anywhere.has(refKey(ref))) return null;
    return map.problem(path, `${formatRef(ref)} is not defined in the scenario${this.similar(ref)}`);
  }

  /** " (defined: Deployment/web)" listing objects of the same kind, if any. */
  similar(ref: ObjectRef): string {
    const sameKind = [...this.anywhere.keys()].filter((key) => key.startsWith(`${ref.kind}/`));
    if (sameKind.length === 0) return "";
    const names = sameKind.slice(0, 5).map((key) => {
      const [kind, namespace, name] = key.split("/") as [string, string, string];
      return formatRef({ kind, namespace, name });
    });
    return ` (defined: ${names.join(", ")}${sameKind.length > 5 ? ", ..." : ""})`;
  }
}

/** "dca-1, dca-2, dca-3, ... (6 nodes)" for messages. */
export function listNames(names: readonly string[], noun: string): string {
  if (names.length === 0) return `the scenario has no ${noun}s`;
  const shown = names.slice(0, 6).join(", ");
  return names.length > 6 ? `${noun}s: ${shown}, ... (${names.length} in all)` : `${noun}s: ${shown}`;
}

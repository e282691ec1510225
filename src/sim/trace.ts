/**
 * The trace: every store change and every fault, action and summary record, in the order the
 * simulator applied them, as NDJSON lines (interfaces.md §4). The trace hash is the SHA-256 of
 * those lines, each followed by "\n", so two runs can be compared without keeping the lines.
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";

export type TraceMode = "hash" | "off";

const FLUSH_BYTES = 1 << 20;
/** Lines are hashed in batches of about this many characters: one call into the hash per batch, not per line. */
const HASH_BATCH_CHARS = 1 << 14;

export class Trace {
  private readonly hash: Hash | null;
  private fd: number | null = null;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private lineCount = 0;
  /** Lines (each with its "\n") not yet given to the hash; concatenation builds a rope, flattened once per batch. */
  private unhashed = "";

  constructor(
    readonly mode: TraceMode = "hash",
    filePath?: string,
  ) {
    this.hash = mode === "hash" || filePath !== undefined ? createHash("sha256") : null;
    if (filePath !== undefined) this.fd = openSync(filePath, "w");
  }

  /** True when records are hashed or written; callers skip building records when false. */
  get enabled(): boolean {
    return this.hash !== null;
  }

  get lines(): number {
    return this.lineCount;
  }

  /** Appends one record; `t` is the virtual time in ms and comes first in the line. */
  record(t: number, type: string, body: Record<string, unknown>): void {
    if (this.hash === null) return;
    this.writeLine(`{"t":${t},"type":${JSON.stringify(type)},${JSON.stringify(body).slice(1)}`);
  }

  /** Appends a watch event with the full object after the change. */
  recordWatchEvent(t: number, type: "ADDED" | "MODIFIED" | "DELETED", object: unknown): void {
    if (this.hash === null) return;
    this.writeLine(`{"t":${t},"type":"${type}","object":${JSON.stringify(object)}}`);
  }

  private writeLine(line: string): void {
    this.lineCount++;
    this.unhashed += line;
    this.unhashed += "\n";
    if (this.unhashed.length >= HASH_BATCH_CHARS) this.hashUnhashed();
    if (this.fd === null) return;
    this.buffer.push(line);
    this.bufferedBytes += line.length + 1;
    if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
  }

  private hashUnhashed(): void {
    (this.hash as Hash).update(this.unhashed);
    this.unhashed = "";
  }

  private flush(): void {
    if (this.fd === null || this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join("\n")}\n`);
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  /** Finishes the trace: flushes and closes the file, returns the hex SHA-256 ("" when off). */
  finish(): string {
    if (this.hash !== null) this.hashUnhashed();
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    return this.hash === null ? "" : this.hash.digest("hex");
  }
}

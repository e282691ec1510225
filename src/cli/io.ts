/**
 * What every command shares: where output goes, the exit codes (interfaces.md §2), and how bad
 * input is printed (`FILE:LINE:COL: path.to.field: message`, one problem a line, on stderr).
 */
import { formatProblem, type Problem } from "../scenario/model.ts";

export const EXIT = {
  /** Every assertion held (or: the files are valid). */
  ok: 0,
  /** An assertion or invariant failed. */
  failed: 1,
  /** Bad input: a missing file, YAML syntax, an unknown kind or field, a wrong value. */
  badInput: 2,
  /** A bug in rolloutsim. */
  internal: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars). */
  readonly interactive: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};

export function printProblems(io: Io, problems: readonly Problem[]): void {
  io.err(problems.map((problem) => `${formatProblem(problem)}\n`).join(""));
}

/** Bad command-line input found by a command (not by commander): printed as problems, exit 2. */
export class BadInput extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "BadInput";
  }
}

/** A problem about a command-line argument rather than a file. */
export function argumentProblem(option: string, message: string): Problem {
  return { file: option, line: 0, column: 0, path: "", message };
}

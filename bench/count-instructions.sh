#!/usr/bin/env bash
# Counts the CPU instructions of a rollout of NODES·10 pods on NODES nodes (default 100) with
# valgrind's cachegrind, split into V8's optimizing compiler, GC, builtins, generated code and the
# rest. Repeatable to about a thousand instructions (single-threaded, --predictable, fixed seeds),
# unlike wall time on a shared VM; compare a change by "total" and by "without compiler" (a change
# of code shape can move the compiler's share by tens of millions either way).
#   bench/count-instructions.sh [NODES]          (needs valgrind; esbuild comes with tsx)
set -euo pipefail
nodes=${1:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/node_modules/.bin/esbuild" "$here/bench/instructions-rollout.ts" --bundle --platform=node --format=esm \
  --outfile="$work/rollout.mjs" --define:process.env.NODE_ENV='"production"' --log-level=error
NODES=$nodes setarch -R valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$work/cg.out" \
  node --single-threaded --predictable --hash-seed=1 --random-seed=1 "$work/rollout.mjs" >/dev/null 2>&1
cg_annotate --threshold=0 "$work/cg.out" | node "$here/bench/instruction-categories.mjs"

/**
 * Trace hashes (and a hash of the whole summary) of every bundled scenario and of a reduced big
 * rollout, one per line. Optimizations
 * must leave this output unchanged:
 *   NODE_ENV=production tsx bench/hashes.ts > /tmp/before.txt   (then diff after the change)
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { loadScenario } from "../src/scenario/loader.ts";
import { simulate } from "../src/simulate.ts";
import { bigRolloutScenario } from "./rollout.ts";

for (const file of readdirSync("scenarios")
  .filter((name) => name.endsWith(".yaml"))
  .sort()) {
  const loaded = loadScenario(`scenarios/${file}`);
  if (!loaded.ok) throw new Error(`${file}: ${loaded.problems.map((problem) => problem.message).join("; ")}`);
  const result = simulate(loaded.scenario);
  console.log(file, result.traceHash, result.events, summaryHash(result));
}
const big = simulate(bigRolloutScenario(100, 1000, 1_800_000));
console.log("big-rollout-1000", big.traceHash, big.events, summaryHash(big));

/** The whole result (summary and time series) hashed, so report-side changes are checked too. */
function summaryHash(result: unknown): string {
  return createHash("sha256").update(JSON.stringify(result)).digest("hex").slice(0, 16);
}

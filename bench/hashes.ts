/**
 * Trace hashes of every bundled scenario and of a reduced big rollout, one per line. Optimizations
 * must leave this output unchanged:
 *   NODE_ENV=production tsx bench/hashes.ts > /tmp/before.txt   (then diff after the change)
 */
import { readdirSync } from "node:fs";
import { loadScenario } from "../src/scenario/loader.ts";
import { simulate } from "../src/simulate.ts";
import { bigRolloutScenario } from "./rollout.ts";

for (const file of readdirSync("scenarios").filter((name) => name.endsWith(".yaml")).sort()) {
  const loaded = loadScenario(`scenarios/${file}`);
  if (!loaded.ok) throw new Error(`${file}: ${loaded.problems.map((problem) => problem.message).join("; ")}`);
  const result = simulate(loaded.scenario);
  console.log(file, result.traceHash, result.events);
}
const big = simulate(bigRolloutScenario(100, 1000, 1_800_000));
console.log("big-rollout-1000", big.traceHash, big.events);

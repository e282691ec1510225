/**
 * A rollout of NODES·10 pods on NODES nodes (default 100), for counting instructions with
 * bench/count-instructions.sh. Prints the number of events.
 */
import { simulate } from "../src/simulate.ts";
import { bigRolloutScenario } from "./rollout.ts";

const nodes = Number(process.env.NODES ?? 100);
const result = simulate(bigRolloutScenario(nodes, nodes * 10), { trace: "off" });
console.log(result.events);

/**
 * The 10,000-pod rollout alone, in a fresh process, for profiling:
 *   NODE_ENV=production node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-rollout.ts [off]
 * Prints the wall time in ms (the JIT warm-up included, unless `off` turns it off) and the number
 * of events.
 */
import { benchRollout } from "./rollout.ts";

const result = benchRollout("off", process.argv[2] === "off" ? "off" : "auto");
console.log(result.wallMs.toFixed(0), result.result.events);

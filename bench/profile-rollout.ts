/**
 * The 10,000-pod rollout alone, for profiling:
 *   NODE_ENV=production node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-rollout.ts
 * Prints the wall time in ms and the number of events.
 */
import { benchRollout } from "./rollout.ts";

const result = benchRollout("off");
console.log(result.wallMs.toFixed(0), result.result.events);

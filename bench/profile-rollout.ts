import { benchRollout } from "./rollout.ts";

const r = benchRollout("off");
console.log(r.wallMs, r.result.events);

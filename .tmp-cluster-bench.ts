import { bigRolloutScenario } from "./bench/rollout.ts";
import { simulate } from "./src/simulate.ts";
const nodes = Number(process.argv[2] ?? 100), replicas = Number(process.argv[3] ?? 1000), dur = Number(process.argv[4] ?? 3_600_000);
const s = bigRolloutScenario(nodes, replicas, dur);
const t = performance.now();
const r = simulate(s, { trace: "off" });
const w = r.workloads["Deployment/big"];
console.log("wall", ((performance.now()-t)/1000).toFixed(2), "events", r.events, "completed", w?.rolloutCompletedAtMs, JSON.stringify(r.assertions).slice(0,300));

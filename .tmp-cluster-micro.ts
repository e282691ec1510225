import { Scheduler } from "./src/cluster/scheduler.ts";
import { makeWorld } from "./test/helpers/world.ts";
import { nodeManifest, layoutNodes } from "./src/cluster/nodes.ts";
import { datacenterNodes } from "./src/world/config.ts";
const dcs = [{ name: "DCA", nodeLabels: {} }, { name: "DCB", nodeLabels: {} }];
const world = makeWorld({ nodes: 1 });
const s = new Scheduler(world) as any;
const infos = layoutNodes(dcs.flatMap((dc) => datacenterNodes(dc, 500, { cpuMilli: 32000, memoryBytes: 128 * 2 ** 30, pods: 110 })), ["DCA", "DCB"]);
for (const info of infos) { const n = s.cache.node(info.name); s.cache.applyNode(n, { ...nodeManifest(info, 0), metadata: { ...nodeManifest(info, 0).metadata } }); }
s.cache.rebuildOrder();
const pod = { metadata: { name: "x", namespace: "default", uid: "u", ownerReferences: [{ uid: "owner1", controller: true, kind: "ReplicaSet", name: "rs", apiVersion: "apps/v1" }] }, spec: { containers: [{ name: "app", image: "i", resources: { requests: { cpu: "100m", memory: "128Mi" } } }] } };
const { podToPlace } = await import("./src/cluster/scheduling.ts");
const N = 20000;
let best = Infinity;
for (let round = 0; round < 6; round++) {
let t = performance.now();
for (let k = 0; k < N; k++) {
  const place = podToPlace(pod.spec as any, 300);
  const found = s.findFeasibleNodes(place);

  s.cache.charge("k" + k, "u" + k, s.cache.nodes[best0(s, pod, place, found)], place.requests, "owner1", false);
}
best = Math.min(best, performance.now() - t);
for (let k = 0; k < N; k++) s.cache.uncharge("k" + k, s.cache.charges.get("k" + k));
}
function best0(s: any, pod: any, place: any, found: number) { return found === 1 ? s.feasible[0] : s.pickBest(pod, place, found); }
console.log("per cycle us (min of 6)", (best * 1000 / N).toFixed(1));
let t = performance.now();
for (let k = 0; k < N; k++) { const place = podToPlace(pod.spec as any, 300); s.findFeasibleNodes(place); }
console.log("filter only per cycle us", ((performance.now() - t) * 1000 / N).toFixed(1));

import { leastAllocatedScore, balancedAllocationScore, spreadScoreForCount, normalizeSpreadScore } from "./src/cluster/scheduling.ts";
const n = 1000, count = 420;
const a = new Float64Array(n).fill(32000), b = new Float64Array(n).fill(128 * 2 ** 30), c = new Float64Array(n).map(() => Math.random() * 1000), d = new Float64Array(n).map(() => Math.random() * 2 ** 30);
const feasible = new Int32Array(n).map((_, i) => i);
const base = new Float64Array(n), spread = new Float64Array(n);
const perNode = new Int32Array(n), zoneOf = new Int32Array(n).map((_, i) => i % 2), perZone = new Int32Array(2);
function run(): number {
  let best = -1, bestScore = -Infinity, min = Infinity, max = 0;
  const hw = Math.log(count + 2), zw = Math.log(4);
  for (let j = 0; j < count; j++) {
    const i = feasible[j]!;
    base[j] = leastAllocatedScore(c[i]! + 100, a[i]!, d[i]! + 1e8, b[i]!) + balancedAllocationScore(c[i]! + 100, a[i]!, d[i]! + 1e8, b[i]!);
    let raw = spreadScoreForCount(perNode[i]!, 3, hw);
    const z = zoneOf[i]!;
    if (z >= 0) raw += spreadScoreForCount(perZone[z]!, 5, zw);
    const r = Math.round(raw); spread[j] = r; if (r < min) min = r; if (r > max) max = r;
  }
  for (let j = 0; j < count; j++) {
    const score = base[j]! + 2 * normalizeSpreadScore(spread[j]!, min, max);
    if (score > bestScore) { best = j; bestScore = score; }
  }
  return best;
}
let t0 = Infinity;
for (let r = 0; r < 8; r++) { const t = performance.now(); let x = 0; for (let k = 0; k < 20000; k++) x += run(); t0 = Math.min(t0, performance.now() - t); if (x < 0) console.log(x); }
console.log("us per cycle", (t0 * 1000 / 20000).toFixed(2));

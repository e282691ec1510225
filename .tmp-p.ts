import { readFileSync } from "node:fs";
import { parseScenario } from "./src/scenario/loader.ts";
const text = readFileSync("test/fixtures/good/full.yaml", "utf8");
const inc = readFileSync("test/fixtures/good/manifests/service.yaml", "utf8");
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) parseScenario(text, "test/fixtures/good/full.yaml", () => inc);
  console.log("full x100", (performance.now() - t0).toFixed(0), "ms");
}
const deep = `apiVersion: rolloutsim/v1\nkind: Scenario\nmetadata: {name: deep}\nspec:\n  duration: 1m\n  images: ${"[".repeat(20000)}${"]".repeat(20000)}\n`;
let t0 = performance.now(); const r = parseScenario(deep, "d.yaml"); console.log("deep", (performance.now() - t0).toFixed(0), JSON.stringify(r).slice(0, 300));

/**
 * Builders for tests: a World with a few nodes, and shorthands for manifests.
 */
import { constantMs } from "../../src/sim/random.ts";
import { datacenterNodes, defaultWorldConfig, type WorldConfig } from "../../src/world/config.ts";
import { World } from "../../src/world/world.ts";

export interface TestWorldOptions {
  seed?: number;
  nodes?: number;
  cpuMilli?: number;
  memoryBytes?: number;
  pods?: number;
  watchDelayMs?: number;
  config?: Partial<WorldConfig>;
}

/** A world with one datacenter "DCA" of `nodes` nodes (dca-1..n); components not yet registered. */
export function makeWorld(options: TestWorldOptions = {}): World {
  const datacenter = { name: "DCA", nodeLabels: { datacenter: "dca" } };
  const config = defaultWorldConfig({
    seed: options.seed ?? 1,
    datacenters: [datacenter],
    nodes: datacenterNodes(datacenter, options.nodes ?? 3, {
      cpuMilli: options.cpuMilli ?? 4000,
      memoryBytes: options.memoryBytes ?? 16 * 2 ** 30,
      pods: options.pods ?? 110,
    }),
    ...options.config,
  });
  if (options.watchDelayMs !== undefined) config.timing.watchDelay = constantMs(options.watchDelayMs);
  return new World(config);
}

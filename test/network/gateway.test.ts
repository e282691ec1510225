import { describe, expect, it } from "vitest";
import { parseSource, sourceAllowed } from "../../src/network/gateway.ts";
import { registerTraffic } from "../../src/traffic/index.ts";
import { createGateway, createService, netWorld, ref, traffic } from "../helpers/network.ts";

function ranges(entries: string[]) {
  return entries.map((entry) => {
    const range = parseSource(entry);
    if (range === undefined) throw new Error(`bad entry ${entry}`);
    return range;
  });
}

describe("gateway whitelist matching", () => {
  const cases: [string[] | null, string, boolean][] = [
    [null, "203.0.113.5", true],
    [[], "203.0.113.5", false],
    [["203.0.113.0/25"], "203.0.113.5", true],
    [["203.0.113.0/25"], "203.0.113.127", true],
    [["203.0.113.0/25"], "203.0.113.128", false],
    [["203.0.113.7"], "203.0.113.7", true],
    [["203.0.113.7"], "203.0.113.8", false],
    [["10.0.0.0/8", "203.0.113.9"], "10.244.1.3", true],
    [["2001:db8::/32"], "2001:db8::1", true],
    [["2001:db8::/32"], "203.0.113.5", false],
    [["203.0.113.0/24"], "::ffff:203.0.113.5", true],
    [["::ffff:203.0.113.0/120"], "203.0.113.5", true],
    [["203.0.113.0/24"], "not-an-ip", false],
  ];
  it.each(cases)("allowedSources %j, source %s -> %s", (entries, source, allowed) => {
    expect(sourceAllowed(entries === null ? null : ranges(entries), source)).toBe(allowed);
  });

  it("refuses entries that are neither an IP nor a CIDR", () => {
    expect(parseSource("203.0.113.0/33")).toBeUndefined();
    expect(parseSource("example.com")).toBeUndefined();
    expect(parseSource(" 203.0.113.1 ")).toBeDefined();
  });
});

describe("Gateway in front of a Service", () => {
  function run(allowedSources: string[] | undefined, mode: "exact" | "aggregated") {
    const { world, kubelet } = netWorld({ seed: 3 });
    createService(world, "web");
    createGateway(world, "edge", { service: "web", ...(allowedSources === undefined ? {} : { allowedSources }) });
    const metrics = registerTraffic(world, [traffic("users", ref("Gateway", "edge"), 200)], { mode });
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    const before = metrics.counts();
    world.kernel.run(61_000);
    const after = metrics.counts(ref("Gateway", "edge"));
    return { before, after, world };
  }

  for (const mode of ["exact", "aggregated"] as const) {
    it(`${mode}: rejects sources outside a CIDR as not-whitelisted and forwards the rest`, () => {
      const { before, after } = run(["203.0.113.0/25"], mode);
      const rejected = after.rejected - before.rejected;
      const total = after.total - before.total;
      // 127 of the 254 external sources are in 203.0.113.0/25: Binomial(total, 127/254).
      expect(total).toBeGreaterThan(10_000);
      expect(Math.abs(rejected - total / 2)).toBeLessThan(5 * Math.sqrt(total / 4));
      expect(after.byReason["not-whitelisted"]).toBe(after.rejected);
      // Before the data plane learns the pod (first 520 ms) accepted requests find no endpoint.
      expect(after.byReason["no-endpoint"] ?? 0).toBe(after.failed);
      expect(after.failed).toBeLessThan(150);
    });

    it(`${mode}: a single allowed IP lets about 1 in 254 through`, () => {
      const { after } = run(["203.0.113.7"], mode);
      const expected = after.total / 254;
      expect(after.succeeded).toBeGreaterThan(0);
      expect(Math.abs(after.succeeded - expected)).toBeLessThan(5 * Math.sqrt(expected));
    });
  }

  it("allows everything without allowedSources and nothing with an empty list", () => {
    expect(run(undefined, "exact").after.rejected).toBe(0);
    const none = run([], "exact").after;
    expect(none.rejected).toBe(none.total);
  });

  it("fails requests with no-endpoint when the gateway or its Service is missing", () => {
    const { world, kubelet } = netWorld();
    createGateway(world, "edge", { service: "missing" });
    const metrics = registerTraffic(
      world,
      [traffic("a", ref("Gateway", "edge"), 50), traffic("b", ref("Gateway", "nowhere"), 50)],
      { mode: "exact" },
    );
    world.start();
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(10_000);
    const counts = metrics.counts();
    expect(counts.failed).toBe(counts.total);
    expect(counts.byReason["no-endpoint"]).toBe(counts.total);
  });
});

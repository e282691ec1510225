import { describe, expect, it } from "vitest";
import { formatDurationMs, parseDurationMs } from "../../src/sim/duration.ts";
import { Kernel } from "../../src/sim/kernel.ts";
import { createRandomStream, meanMs, sampleMs } from "../../src/sim/random.ts";

describe("Kernel", () => {
  it("advances the virtual clock to each event's time and stops at until", () => {
    const kernel = new Kernel(1);
    const times: number[] = [];
    kernel.schedule(100, () => times.push(kernel.nowMs));
    kernel.schedule(50, () => {
      times.push(kernel.nowMs);
      kernel.schedule(25, () => times.push(kernel.nowMs));
    });
    kernel.schedule(500, () => times.push(kernel.nowMs));
    const result = kernel.run(200);
    expect(times).toEqual([50, 75, 100]);
    expect(result.reason).toBe("until");
    expect(kernel.nowMs).toBe(200);
    kernel.run(1000);
    expect(times).toEqual([50, 75, 100, 500]);
  });

  it("runs events scheduled exactly at until", () => {
    const kernel = new Kernel(1);
    let ran = false;
    kernel.schedule(200, () => {
      ran = true;
    });
    kernel.run(200);
    expect(ran).toBe(true);
  });

  it("stops at the event limit with a reason", () => {
    const kernel = new Kernel(1, { maxEvents: 10, maxTimeMs: 1e9 });
    const loop = (): void => {
      kernel.schedule(1, loop);
    };
    kernel.schedule(0, loop);
    const result = kernel.run(1e6);
    expect(result.reason).toBe("limit-events");
    expect(result.events).toBe(10);
  });

  it("stops at the time limit before until", () => {
    const kernel = new Kernel(1, { maxEvents: 1e6, maxTimeMs: 1000 });
    kernel.schedule(5000, () => {});
    expect(kernel.run(10_000).reason).toBe("limit-time");
    expect(kernel.nowMs).toBe(1000);
  });

  it("cancels timers", () => {
    const kernel = new Kernel(1);
    let ran = false;
    const id = kernel.schedule(10, () => {
      ran = true;
    });
    expect(kernel.cancel(id)).toBe(true);
    kernel.run(100);
    expect(ran).toBe(false);
  });
});

describe("random streams", () => {
  it("give the same sequence for the same (seed, name) and differ across names and seeds", () => {
    const a = createRandomStream(7, "kubelet/startup");
    const b = createRandomStream(7, "kubelet/startup");
    const c = createRandomStream(7, "scheduler");
    const d = createRandomStream(8, "kubelet/startup");
    const draw = (s: ReturnType<typeof createRandomStream>) => Array.from({ length: 5 }, () => s.next());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    expect(draw(d)).not.toEqual(first);
  });

  it("samples distributions with the right means", () => {
    const stream = createRandomStream(1, "test");
    const cases = [
      { kind: "uniform", minMs: 1000, maxMs: 3000 } as const,
      { kind: "exponential", meanMs: 2000 } as const,
      { kind: "lognormal", medianMs: 2000, sigma: 0.3 } as const,
    ];
    for (const distribution of cases) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += sampleMs(distribution, stream);
      expect(sum / n).toBeGreaterThan(meanMs(distribution) * 0.97);
      expect(sum / n).toBeLessThan(meanMs(distribution) * 1.03);
    }
    expect(sampleMs({ kind: "constant", valueMs: 42 }, stream)).toBe(42);
  });
});

describe("durations", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["0", 0],
  ])("parses %s", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "5", "5 minutes", "-3s", "1x", "s"])("rejects %j", (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });

  it("formats back", () => {
    expect(formatDurationMs(90_000)).toBe("1m30s");
    expect(formatDurationMs(250)).toBe("250ms");
    expect(formatDurationMs(1500)).toBe("1.5s");
  });
});

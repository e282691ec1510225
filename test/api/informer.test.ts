import { describe, expect, it } from "vitest";
import { InformerCache } from "../../src/api/informer.ts";
import { Store } from "../../src/api/store.ts";
import { dropFront, RateLimiter, WorkQueue } from "../../src/api/workqueue.ts";
import { Kernel } from "../../src/sim/kernel.ts";
import { constantMs } from "../../src/sim/random.ts";
import { Trace } from "../../src/sim/trace.ts";

const cm = (name: string, data = "x") => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

describe("InformerCache", () => {
  it("sees store changes exactly watchDelay later, in order", () => {
    const kernel = new Kernel(1);
    const store = new Store(kernel, new Trace("off"));
    const cache = new InformerCache(kernel, store, "test", constantMs(20));
    const seen: string[] = [];
    cache.on("ConfigMap", (type, object) => seen.push(`${kernel.nowMs}:${type}:${object.metadata.name}`));
    kernel.schedule(100, () => store.create(cm("a")));
    kernel.schedule(105, () => store.create(cm("b")));
    kernel.schedule(110, () => store.delete("ConfigMap", "default", "a"));
    kernel.run(115);
    expect(cache.get("ConfigMap", "default", "a")).toBeUndefined();
    kernel.run(121);
    expect(cache.get("ConfigMap", "default", "a")).toBeDefined();
    expect(cache.get("ConfigMap", "default", "b")).toBeUndefined();
    kernel.run(200);
    expect(seen).toEqual(["120:ADDED:a", "125:ADDED:b", "130:DELETED:a"]);
    expect([...cache.list("ConfigMap")].map((o) => o.metadata.name)).toEqual(["b"]);
  });

  it("never reorders events even when sampled delays would", () => {
    const kernel = new Kernel(3);
    const store = new Store(kernel, new Trace("off"));
    const cache = new InformerCache(kernel, store, "test", { kind: "uniform", minMs: 0, maxMs: 100 });
    const seen: string[] = [];
    cache.on("ConfigMap", (_type, object) => seen.push(object.metadata.name));
    for (let i = 0; i < 50; i++) kernel.schedule(i, () => store.create(cm(`c${i}`)));
    kernel.run(1000);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
  });

  it("delivers a long queue in order across its compaction, and again after it drains", () => {
    // 1,500 events due at 10 ms and 1,000 due at 15 ms: the delivery at 10 ms leaves 1,000 behind
    // 1,500 delivered, which moves them to the front of the queue's arrays.
    const kernel = new Kernel(1);
    const store = new Store(kernel, new Trace("off"));
    const cache = new InformerCache(kernel, store, "test", constantMs(10));
    const seen: string[] = [];
    cache.on("ConfigMap", (type, object) => seen.push(`${kernel.nowMs}:${type[0]}:${object.metadata.name}`));
    for (let i = 0; i < 1500; i++) store.create(cm(`a${i}`));
    kernel.schedule(5, () => {
      for (let i = 0; i < 1000; i++) store.create(cm(`b${i}`));
    });
    kernel.run(12);
    expect(seen.length).toBe(1500);
    kernel.schedule(10, () => store.delete("ConfigMap", "default", "a0"));
    kernel.run(100);
    kernel.schedule(0, () => store.create(cm("c")));
    kernel.run(200);
    expect(seen).toEqual([
      ...Array.from({ length: 1500 }, (_, i) => `10:A:a${i}`),
      ...Array.from({ length: 1000 }, (_, i) => `15:A:b${i}`),
      "32:D:a0",
      "110:A:c",
    ]);
    expect(cache.count("ConfigMap")).toBe(2500);
  });

  it("keeps indexes up to date", () => {
    const kernel = new Kernel(1);
    const store = new Store(kernel, new Trace("off"));
    const cache = new InformerCache(kernel, store, "test", constantMs(0));
    cache.addIndex("by-data", "ConfigMap", (object) => (object as unknown as { data: string }).data);
    store.create(cm("a", "red"));
    store.create(cm("b", "red"));
    kernel.run(1);
    expect([...cache.byIndex("by-data", "red")].map((o) => o.metadata.name)).toEqual(["a", "b"]);
    store.patch("ConfigMap", "default", "a", (draft) => {
      (draft as unknown as { data: string }).data = "blue";
    });
    kernel.run(2);
    expect([...cache.byIndex("by-data", "red")].map((o) => o.metadata.name)).toEqual(["b"]);
    expect(cache.countByIndex("by-data", "blue")).toBe(1);
  });

  it("holds events while paused and delivers them on resume", () => {
    const kernel = new Kernel(1);
    const store = new Store(kernel, new Trace("off"));
    const cache = new InformerCache(kernel, store, "test", constantMs(10));
    cache.pause();
    store.create(cm("a"));
    kernel.run(100);
    expect(cache.count("ConfigMap")).toBe(0);
    cache.resume();
    kernel.run(101);
    expect(cache.count("ConfigMap")).toBe(1);
  });
});

describe("WorkQueue", () => {
  it("de-duplicates waiting keys and processes in FIFO order", () => {
    const kernel = new Kernel(1);
    const processed: string[] = [];
    const queue = new WorkQueue(kernel, "q", (key) => processed.push(key));
    queue.add("a");
    queue.add("b");
    queue.add("a");
    kernel.run(0);
    expect(processed).toEqual(["a", "b"]);
  });

  it("queues a key again once it was processed, also while processing it", () => {
    const kernel = new Kernel(1);
    const processed: string[] = [];
    const queue = new WorkQueue(kernel, "q", (key) => {
      processed.push(key);
      if (processed.length === 1) queue.add(key);
    });
    queue.add("a");
    kernel.run(0);
    queue.add("a");
    queue.add("b");
    queue.add("a");
    kernel.run(1);
    expect(processed).toEqual(["a", "a", "a", "b"]);
    expect(queue.length).toBe(0);
  });

  it("keeps FIFO order across compactions of a long queue", () => {
    const kernel = new Kernel(1);
    const processed: string[] = [];
    const queue = new WorkQueue(kernel, "q", (key) => {
      processed.push(key);
      // Keeps the queue from draining, so the processed front is compacted away as it grows.
      if (processed.length <= 3000) queue.add(`k${processed.length + 5000}`);
    });
    for (let i = 0; i < 2000; i++) queue.add(`k${i}`);
    kernel.run(0);
    expect(processed.length).toBe(5000);
    expect(processed.slice(1998, 2002)).toEqual(["k1998", "k1999", "k5001", "k5002"]);
    expect(new Set(processed).size).toBe(5000);
  });

  it("addAfter keeps the earliest due time", () => {
    const kernel = new Kernel(1);
    const processed: string[] = [];
    const queue = new WorkQueue(kernel, "q", (key) => processed.push(`${kernel.nowMs}:${key}`));
    queue.addAfter("a", 500);
    queue.addAfter("a", 200);
    queue.addAfter("a", 900);
    kernel.run(1000);
    expect(processed).toEqual(["200:a"]);
  });

  it("backs off exponentially per key (client-go default controller rate limiter)", () => {
    const limiter = new RateLimiter();
    const delays = Array.from({ length: 5 }, () => limiter.whenMs("k", 0));
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    limiter.forget("k");
    expect(limiter.whenMs("k", 0)).toBe(5);
  });

  it("the token bucket limits overall retries to 10/s after a burst of 100", () => {
    const limiter = new RateLimiter();
    const delays = Array.from({ length: 102 }, (_, i) => limiter.whenMs(`k${i}`, 0));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBe(100);
    expect(delays[101]).toBe(200);
  });
});

describe("dropFront", () => {
  it("removes the first entries in place, as splice(0, count) does", () => {
    const list = [1, 2, 3, 4, 5];
    dropFront(list, 2);
    expect(list).toEqual([3, 4, 5]);
    dropFront(list, 3);
    expect(list).toEqual([]);
    const untouched = ["a"];
    dropFront(untouched, 0);
    expect(untouched).toEqual(["a"]);
  });
});

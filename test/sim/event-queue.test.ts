import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/sim/event-queue.ts";

describe("EventQueue", () => {
  it("runs events in time order, FIFO among equal times", () => {
    const queue = new EventQueue(2);
    const seen: unknown[] = [];
    const record = (v: unknown): void => {
      seen.push(v);
    };
    queue.push(30, record, "c");
    queue.push(10, record, "a1");
    queue.push(20, record, "b");
    queue.push(10, record, "a2");
    queue.push(10, record, "a3");
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(["a1", "a2", "a3", "b", "c"]);
  });

  it("cancels an event and ignores a stale id after its slot is reused", () => {
    const queue = new EventQueue(2);
    const seen: unknown[] = [];
    const record = (v: unknown): void => {
      seen.push(v);
    };
    const a = queue.push(5, record, "a");
    queue.push(6, record, "b");
    expect(queue.cancel(a)).toBe(true);
    expect(queue.cancel(a)).toBe(false);
    expect(queue.size).toBe(1);
    while (queue.popAndRun(() => {})) {}
    const c = queue.push(7, record, "c");
    expect(queue.cancel(a)).toBe(false);
    expect(c).not.toBe(a);
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(["b", "c"]);
  });

  it("reports the earliest live time, skipping cancelled events", () => {
    const queue = new EventQueue();
    const first = queue.push(1, () => {}, undefined);
    queue.push(9, () => {}, undefined);
    queue.cancel(first);
    expect(queue.peekTimeMs()).toBe(9);
  });

  test.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 300 })])(
    "pops in (time, insertion) order whatever the pushes and cancels",
    (ops) => {
      const queue = new EventQueue(4);
      const seen: number[] = [];
      const record = (v: unknown): void => {
        seen.push(v as number);
      };
      const expected: { t: number; i: number }[] = [];
      ops.forEach(([t, cancel], i) => {
        const id = queue.push(t, record, i);
        if (cancel) queue.cancel(id);
        else expected.push({ t, i });
      });
      while (queue.popAndRun(() => {})) {}
      expected.sort((x, y) => x.t - y.t || x.i - y.i);
      expect(seen).toEqual(expected.map((e) => e.i));
      expect(queue.size).toBe(0);
    },
  );

  it("keeps FIFO among equal times across a renumbering of seqs", () => {
    // A and B tie at 5; C (time 1) moves A below B in the heap's layout, then D's push renumbers.
    const queue = new EventQueue(4, { seqLimit: 4 });
    const seen: unknown[] = [];
    const record = (v: unknown): void => {
      seen.push(v);
    };
    queue.push(5, record, "A");
    queue.push(5, record, "B");
    queue.push(1, record, "C");
    queue.push(9, record, "D");
    queue.push(5, record, "E");
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(["C", "A", "B", "E", "D"]);
  });

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.boolean()), { maxLength: 300 }),
    fc.integer({ min: 2, max: 40 }),
  ])("keeps (time, insertion) order and cancellation when seqs are renumbered", (ops, seqLimit) => {
    // A tiny seq limit renumbers the pending entries again and again while pops interleave.
    const queue = new EventQueue(4, { seqLimit });
    const seen: number[] = [];
    const record = (v: unknown): void => {
      seen.push(v as number);
    };
    const pending: { t: number; i: number; id: number }[] = [];
    const expected: number[] = [];
    let nowMs = 0;
    ops.forEach(([dt, cancel, popOne], i) => {
      const t = nowMs + dt;
      const id = queue.push(t, record, i);
      pending.push({ t, i, id });
      if (cancel) {
        const victim = pending.splice(Math.floor(pending.length / 2), 1)[0];
        if (victim !== undefined) expect(queue.cancel(victim.id)).toBe(true);
      }
      if (popOne && pending.length > 0) {
        pending.sort((x, y) => x.t - y.t || x.i - y.i);
        const next = pending.shift() as { t: number; i: number };
        expected.push(next.i);
        queue.popAndRun((timeMs) => {
          nowMs = timeMs;
        });
        expect(nowMs).toBe(next.t);
      }
    });
    pending.sort((x, y) => x.t - y.t || x.i - y.i);
    for (const entry of pending) expected.push(entry.i);
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(expected);
    expect(queue.size).toBe(0);
  });
});

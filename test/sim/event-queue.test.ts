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
    // All beyond a 32 ms wheel, so all in the heap. A and B tie at 500; C (time 100) moves A below
    // B in the heap's layout, then D's push renumbers.
    const queue = new EventQueue(4, { seqLimit: 4, wheelSpanMs: 32 });
    const seen: unknown[] = [];
    const record = (v: unknown): void => {
      seen.push(v);
    };
    queue.push(500, record, "A");
    queue.push(500, record, "B");
    queue.push(100, record, "C");
    queue.push(900, record, "D");
    queue.push(500, record, "E");
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(["C", "A", "B", "E", "D"]);
  });

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.boolean()), { maxLength: 300 }),
    fc.integer({ min: 2, max: 40 }),
  ])("keeps (time, insertion) order and cancellation when seqs are renumbered", (ops, seqLimit) => {
    // A tiny seq limit renumbers the heap's entries again and again while pops interleave; steps
    // of 100 ms against a 32 ms wheel keep most entries in the heap.
    const queue = new EventQueue(4, { seqLimit, wheelSpanMs: 32 });
    const seen: number[] = [];
    const record = (v: unknown): void => {
      seen.push(v as number);
    };
    const pending: { t: number; i: number; id: number }[] = [];
    const expected: number[] = [];
    let nowMs = 0;
    ops.forEach(([dt, cancel, popOne], i) => {
      const t = nowMs + dt * 100;
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

  it("keeps FIFO at one time when earlier pushes wait in the heap and later ones in the wheel", () => {
    // With a 32 ms wheel, B at 40 is beyond the window when pushed (heap); after the pop at 10
    // moves the window to [10, 42), C at 40 goes to the wheel. B was scheduled first: B runs first.
    const queue = new EventQueue(4, { wheelSpanMs: 32 });
    const seen: unknown[] = [];
    const record = (v: unknown): void => {
      seen.push(v);
    };
    queue.push(10, record, "A");
    queue.push(40, record, "B");
    expect(queue.popAndRun(() => {})).toBe(true);
    queue.push(40, record, "C");
    queue.push(40.5, record, "D");
    queue.push(3, record, "E"); // in the past of the window: the heap keeps it in order
    while (queue.popAndRun(() => {})) {}
    expect(seen).toEqual(["A", "E", "B", "C", "D"]);
  });

  it("rejects a wheel span that is not a power of two from 32", () => {
    expect(() => new EventQueue(4, { wheelSpanMs: 48 })).toThrow(/power of two/);
    expect(() => new EventQueue(4, { wheelSpanMs: 16 })).toThrow(/power of two/);
  });

  test.prop(
    [
      fc.array(
        fc.record({
          // Delays on a 16 ms grid from the last time popped, so pushes often share a time: one
          // pushed while its time was beyond the window (heap), another after the window reached
          // it (wheel). `past` pushes before the last time popped, as only a caller other than
          // the kernel can; the heap takes it and it still comes out in order.
          delayMs: fc.integer({ min: 0, max: 5 }).map((k) => k * 16),
          past: fc.boolean(),
          fraction: fc.constantFrom(0, 0, 0, 0.25),
          cancel: fc.boolean(),
          pops: fc.integer({ min: 0, max: 2 }),
        }),
        { minLength: 20, maxLength: 300, size: "large" },
      ),
      fc.constantFrom(32, 64, 128),
      fc.integer({ min: 2, max: 1000 }),
    ],
    { numRuns: 200 },
  )(
    "pops in (time, insertion) order across wheel, heap, wrap-around, cancels and renumbering",
    (ops, wheelSpanMs, seqLimit) => {
      const queue = new EventQueue(4, { wheelSpanMs, seqLimit });
      const seen: number[] = [];
      const record = (v: unknown): void => {
        seen.push(v as number);
      };
      const pending: { t: number; i: number; id: number }[] = [];
      const expected: number[] = [];
      const byTimeThenInsertion = (x: { t: number; i: number }, y: { t: number; i: number }): number =>
        x.t - y.t || x.i - y.i;
      let nowMs = 0;
      ops.forEach(({ delayMs, past, fraction, cancel, pops }, i) => {
        const t = (past ? Math.max(0, nowMs - delayMs) : nowMs + delayMs) + fraction;
        const id = queue.push(t, record, i);
        pending.push({ t, i, id });
        if (cancel) {
          const victim = pending.splice(Math.floor(pending.length / 2), 1)[0];
          if (victim !== undefined) expect(queue.cancel(victim.id)).toBe(true);
        }
        for (let k = 0; k < pops && pending.length > 0; k++) {
          pending.sort(byTimeThenInsertion);
          const next = pending.shift() as { t: number; i: number };
          expected.push(next.i);
          expect(queue.peekTimeMs()).toBe(next.t);
          let poppedMs = -1;
          queue.popAndRun((timeMs) => {
            poppedMs = timeMs;
          });
          expect(poppedMs).toBe(next.t);
          nowMs = Math.floor(poppedMs);
        }
        expect(queue.size).toBe(pending.length);
      });
      pending.sort(byTimeThenInsertion);
      for (const entry of pending) expected.push(entry.i);
      while (queue.popAndRun(() => {})) {}
      expect(seen).toEqual(expected);
      expect(queue.size).toBe(0);
      expect(queue.peekTimeMs()).toBe(Number.POSITIVE_INFINITY);
    },
  );
});

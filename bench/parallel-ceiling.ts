/**
 * What two threads can give on this machine at best: the same allocation-heavy, CPU-bound work
 * (building and sorting arrays of small objects, like a simulation) run twice in a row on the main
 * thread, then once in each of two worker threads. The ratio is the ceiling for the sweep's
 * 2-worker speed-up; on a VM whose two vCPUs share a core or memory bandwidth it is well under 2.
 */
import { Worker } from "node:worker_threads";

const WORK_SOURCE = `
  function work(rounds) {
    let checksum = 0;
    for (let r = 0; r < rounds; r++) {
      const items = [];
      for (let i = 0; i < 20000; i++) items.push({ key: (i * 7919 + r) % 10007, name: "pod-" + i });
      items.sort((a, b) => a.key - b.key || (a.name < b.name ? -1 : 1));
      checksum += items[0].key;
    }
    return checksum;
  }
`;

const ROUNDS = 400;

function runInWorker(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `${WORK_SOURCE}; require("node:worker_threads").parentPort.postMessage(work(${ROUNDS}));`,
      {
        eval: true,
      },
    );
    worker.once("message", (value) => {
      resolve(value as number);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

export async function benchParallelCeiling(): Promise<{ sequentialMs: number; parallelMs: number; ratio: number }> {
  const work = new Function(`${WORK_SOURCE}; return work;`)() as (rounds: number) => number;
  work(20); // warm-up
  let start = performance.now();
  work(ROUNDS);
  work(ROUNDS);
  const sequentialMs = performance.now() - start;
  start = performance.now();
  await Promise.all([runInWorker(), runInWorker()]);
  const parallelMs = performance.now() - start;
  return { sequentialMs, parallelMs, ratio: sequentialMs / parallelMs };
}

/**
 * The piscina worker of `rolloutsim sweep`: one sweep job per call (see sweep-job.ts).
 */
import { runSweepJob, type SweepJob, type SweepRunResult } from "./sweep-job.ts";

export default function sweepWorker(job: SweepJob): SweepRunResult {
  return runSweepJob(job);
}

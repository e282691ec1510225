/**
 * Exact traffic: every request is simulated. Arrivals of each source are a Poisson process (rate
 * from the spec, exponential gaps from "traffic/<name>"), rounded up to the next whole millisecond;
 * each arrival is routed at once and, if a running process accepts it, holds that pod for a
 * service time drawn from the image's distribution, then succeeds or fails with the image's error
 * rate. Outcomes (kubernetes-semantics.md §5.2 for the process side):
 *
 * - rejected "not-whitelisted": the Gateway refused the source IP;
 * - failed "no-endpoint": nothing to route to (no Service/Gateway/ready endpoint/registered IP);
 * - failed "connection-refused": the pod's process is absent, stopped, or draining (after SIGTERM
 *   a process finishes what it has in flight but accepts nothing new);
 * - failed "reset": in flight when the process stopped or was killed;
 * - failed "app-error": the application answered with an error (image errorRate);
 * - succeeded.
 *
 * Handlers are created once; the arrival event's argument is the source, the completion's a pooled
 * request record, so the hot path allocates nothing per request once warm.
 */
import type { ProcessState } from "../cluster/runtime.ts";
import type { Networking } from "../network/index.ts";
import { sampleMs } from "../sim/random.ts";
import type { World } from "../world/world.ts";
import { type Generator, NO_ENDPOINT, pickSource, REJECTED, type RouteObserver, routeRequest } from "./generator.ts";
import type { PodDirectory, PodDirectoryListener, PodInfo } from "./pods.ts";
import { exponential } from "./sampling.ts";

interface ExactRequest {
  generator: Generator | null;
  info: PodInfo | null;
  live: boolean;
}

export class ExactTraffic implements PodDirectoryListener {
  private readonly nextArrivalMs: number[] = [];
  private readonly free: ExactRequest[] = [];
  private readonly arrive = (generator: unknown): void => this.onArrival(generator as Generator);
  private readonly complete = (request: unknown): void => this.onComplete(request as ExactRequest);
  observer: RouteObserver | null = null;

  constructor(
    private readonly world: World,
    private readonly net: Networking,
    private readonly pods: PodDirectory,
    private readonly generators: readonly Generator[],
  ) {}

  start(): void {
    this.pods.addListener(this);
    for (const generator of this.generators) {
      if (generator.spec.ratePerSecond <= 0) continue;
      const first = generator.spec.startMs + this.gapMs(generator);
      this.nextArrivalMs[generator.index] = first;
      this.world.kernel.scheduleAt(Math.ceil(first), this.arrive, generator);
    }
  }

  beforePodChange(): void {}

  /** A process that stopped or vanished resets every request it was serving. */
  afterStateChange(info: PodInfo, _previous: ProcessState): void {
    if (info.state !== "stopped" && info.state !== "absent") return;
    const inFlight = info.inFlight;
    if (inFlight === null || inFlight.size === 0) return;
    const nowMs = this.world.nowMs;
    for (const entry of inFlight) {
      const request = entry as ExactRequest;
      request.live = false;
      const stats = (request.generator as Generator).stats;
      stats.inFlight--;
      stats.addFailed(1, "reset", nowMs);
    }
    inFlight.clear();
  }

  private gapMs(generator: Generator): number {
    return exponential(1000 / generator.spec.ratePerSecond, generator.arrivals);
  }

  private onArrival(generator: Generator): void {
    const nowMs = this.world.nowMs;
    let next = this.nextArrivalMs[generator.index] as number;
    while (next <= nowMs) {
      this.send(generator, nowMs);
      next += this.gapMs(generator);
    }
    this.nextArrivalMs[generator.index] = next;
    const stopMs = generator.spec.stopMs;
    if (stopMs !== null && next > stopMs) return;
    this.world.kernel.scheduleAt(Math.ceil(next), this.arrive, generator);
  }

  private send(generator: Generator, nowMs: number): void {
    const sourceIp = pickSource(generator);
    if (sourceIp === undefined) return;
    const stats = generator.stats;
    const backend = routeRequest(this.net, generator, sourceIp);
    if (backend === REJECTED) {
      stats.addRejected(1, "not-whitelisted", nowMs);
      return;
    }
    if (backend === NO_ENDPOINT) {
      stats.addFailed(1, "no-endpoint", nowMs);
      return;
    }
    if (this.observer !== null) this.observer(generator, backend, sourceIp);
    const info = this.pods.info(backend);
    stats.sentTo(1, info.image, info.datacenter);
    if (info.state !== "running") {
      stats.addFailed(1, "connection-refused", nowMs);
      return;
    }
    const request = this.free.pop() ?? { generator: null, info: null, live: false };
    request.generator = generator;
    request.info = info;
    request.live = true;
    if (info.inFlight === null) info.inFlight = new Set();
    info.inFlight.add(request);
    stats.inFlight++;
    this.world.kernel.schedule(sampleMs(info.serviceTime, generator.work), this.complete, request);
  }

  private onComplete(request: ExactRequest): void {
    const generator = request.generator as Generator;
    const info = request.info as PodInfo;
    if (request.live) {
      info.inFlight?.delete(request);
      const stats = generator.stats;
      stats.inFlight--;
      const nowMs = this.world.nowMs;
      if (info.errorRate > 0 && generator.work.next() < info.errorRate) stats.addFailed(1, "app-error", nowMs);
      else stats.addSucceeded(1, nowMs);
    }
    request.generator = null;
    request.info = null;
    request.live = false;
    this.free.push(request);
  }
}

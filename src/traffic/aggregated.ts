/**
 * Aggregated traffic: no event per request. Time is cut into intervals during which nothing that
 * decides a request's fate changes — at most FLUSH_MS long, and cut short whenever the data plane,
 * a load balancer, a gateway, a pod's process state or image, or a client workload's pods are
 * about to change (each of those calls `flush` first, so the interval is settled with the state
 * that held during it). For each source and interval [a, b):
 *
 * - n ~ Poisson(rate · (b − a)), the number of arrivals of the Poisson process;
 * - through a Gateway: allowed ~ Binomial(n, allowed sources / sources) (each request picks a
 *   source uniformly), the rest rejected "not-whitelisted";
 * - no candidate: all fail "no-endpoint";
 * - otherwise the requests are split over the candidates by a multinomial draw. Candidates that
 *   behave alike (same process state, image and datacenter) form one class, so the split costs
 *   O(classes), not O(pods) or O(requests); with ClientIP session affinity each request is routed
 *   through the data plane (no event, but one draw per request) so stickiness is honoured;
 * - per class: a running process accepts (errors ~ Binomial(accepted, errorRate), the rest
 *   succeed); any other state refuses ("connection-refused").
 *
 * This is exact in distribution except for one approximation: requests in flight when a process
 * stops. When a pod stops (or vanishes) at t, for each recent interval in which it accepted
 * requests, its share is drawn (Binomial(n, 1/K), or the exact count with affinity) and each of
 * those is taken as in flight with probability |[a, b) ∩ (t − S, t)| / (b − a), S the image's mean
 * service time (exact for a constant service time; for a random one the expected count is still
 * right when the rate was steady). They are moved from succeeded (or app-error) to "reset".
 * In-flight counts for the time series are estimated as accepted · min(1, S / (b − a)).
 *
 * Counts are timestamped with the interval's start; intervals never cross a 1 s bucket boundary.
 */
import type { ProcessState } from "../cluster/runtime.ts";
import type { Backend } from "../network/dataplane.ts";
import type { GatewayRules } from "../network/gateway.ts";
import type { Networking } from "../network/index.ts";
import { meanMs, type RandomStream } from "../sim/random.ts";
import { DEFAULT_IMAGE_PROFILE } from "../world/config.ts";
import type { World } from "../world/world.ts";
import type { Generator } from "./generator.ts";
import type { TargetStats, TrafficMetrics } from "./metrics.ts";
import type { PodDirectory, PodDirectoryListener, PodInfo } from "./pods.ts";
import { binomial, multinomial, poisson } from "./sampling.ts";

/** Longest interval settled at once. Divides the 1 s metrics bucket. */
export const FLUSH_MS = 100;
/** Most recent intervals remembered per source for in-flight resets. */
const MAX_RECENT = 512;

interface PodClass {
  readonly accepting: boolean;
  readonly image: string | undefined;
  readonly datacenter: string | undefined;
  readonly errorRate: number;
  readonly meanServiceMs: number;
  size: number;
}

interface ClassTable {
  readonly epoch: number;
  readonly classes: PodClass[];
  readonly weights: number[];
  readonly counts: number[];
}

/** Requests a source routed over one candidate set during [startMs, endMs). */
interface RecentInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly routed: number;
  /** How many a running process accepted, and their mean service time. */
  readonly accepted: number;
  readonly serviceMs: number;
  readonly candidates: readonly Backend[];
  /** Exact per-pod counts (session affinity), else null: a pod's share is Binomial(routed, 1/K). */
  readonly perPod: Map<string, number> | null;
}

interface SourceState {
  readonly recent: RecentInterval[];
  /** Σ accepted · service time over the interval being settled. */
  acceptedServiceMs: number;
}

interface Candidates {
  readonly backends: readonly Backend[];
  readonly stream: RandomStream;
  /** The Service key when routing honours session affinity, else undefined. */
  readonly affinityService: string | undefined;
}

export class AggregatedTraffic implements PodDirectoryListener {
  private lastFlushMs = 0;
  private epoch = 0;
  private horizonMs = 0;
  private readonly classTables = new WeakMap<readonly Backend[], ClassTable>();
  private readonly memberships = new WeakMap<readonly Backend[], Set<string>>();
  private readonly allowedSources = new WeakMap<
    GatewayRules,
    { sources: readonly string[]; allowed: readonly string[] }
  >();
  private readonly states: SourceState[];
  private readonly tick = (): void => {
    this.flush(this.world.nowMs);
    this.world.kernel.schedule(FLUSH_MS, this.tick);
  };
  private readonly flushNow = (): void => this.flush(this.world.nowMs);

  constructor(
    private readonly world: World,
    private readonly net: Networking,
    private readonly pods: PodDirectory,
    private readonly metrics: TrafficMetrics,
    private readonly generators: readonly Generator[],
  ) {
    this.states = generators.map(() => ({ recent: [], acceptedServiceMs: 0 }));
  }

  start(): void {
    this.horizonMs = meanMs(DEFAULT_IMAGE_PROFILE.serviceTime);
    for (const profile of this.world.config.images.values())
      this.horizonMs = Math.max(this.horizonMs, meanMs(profile.serviceTime));
    this.lastFlushMs = this.world.nowMs;
    this.pods.addListener(this);
    this.net.dataplane.onBeforeChange(this.flushNow);
    this.net.loadBalancers.onBeforeChange(this.flushNow);
    this.net.gateways.onBeforeChange(this.flushNow);
    this.metrics.onSettle((nowMs) => this.flush(nowMs));
    this.world.kernel.schedule(FLUSH_MS - (this.world.nowMs % FLUSH_MS), this.tick);
  }

  /** Settles everything up to now before something that matters changes. */
  beforeChange(): void {
    this.flush(this.world.nowMs);
  }

  beforePodChange(_info: PodInfo): void {
    this.flush(this.world.nowMs);
    this.epoch++;
  }

  afterStateChange(info: PodInfo, previous: ProcessState): void {
    const stoppedNow = info.state === "stopped" || info.state === "absent";
    if (stoppedNow && (previous === "running" || previous === "draining")) this.resetInFlight(info);
  }

  /** Settles [lastFlush, nowMs) for every source. */
  flush(nowMs: number): void {
    const startMs = this.lastFlushMs;
    if (nowMs <= startMs) return;
    this.lastFlushMs = nowMs;
    for (const generator of this.generators) generator.stats.inFlight = 0;
    for (const generator of this.generators) {
      const state = this.states[generator.index] as SourceState;
      this.settle(generator, state, startMs, nowMs);
      generator.stats.inFlight += this.inFlightEstimate(state, nowMs);
    }
  }

  /** Expected requests still in flight at `nowMs`: accepted ones that arrived within their service time. */
  private inFlightEstimate(state: SourceState, nowMs: number): number {
    let sum = 0;
    for (const interval of state.recent) {
      const from = Math.max(interval.startMs, nowMs - interval.serviceMs);
      const to = Math.min(interval.endMs, nowMs);
      if (to > from) sum += (interval.accepted * (to - from)) / (interval.endMs - interval.startMs);
    }
    return Math.round(sum);
  }

  private settle(generator: Generator, state: SourceState, startMs: number, endMs: number): void {
    let n = poisson(
      (generator.spec.ratePerSecond * sendingMs(generator.spec, startMs, endMs)) / 1000,
      generator.arrivals,
    );
    if (n === 0) return;
    let sources = generator.sources.ips();
    if (sources.length === 0) return;
    const stats = generator.stats;
    let serviceKey = generator.key;
    if (generator.kind === "Gateway") {
      const rules = this.net.gateways.get(generator.key);
      if (rules?.serviceKey === undefined) {
        stats.addFailed(n, "no-endpoint", startMs);
        return;
      }
      sources = this.allowedOf(rules, sources);
      const total = generator.sources.ips().length;
      const allowed = sources.length === total ? n : binomial(n, sources.length / total, generator.work);
      if (allowed < n) stats.addRejected(n - allowed, "not-whitelisted", startMs);
      n = allowed;
      serviceKey = rules.serviceKey;
      if (n === 0) return;
    }
    const candidates = this.candidatesOf(generator, serviceKey);
    if (candidates === undefined || candidates.backends.length === 0) {
      stats.addFailed(n, "no-endpoint", startMs);
      return;
    }
    state.acceptedServiceMs = 0;
    const perPod =
      candidates.affinityService === undefined
        ? null
        : this.routeEach(generator, candidates.affinityService, sources, n);
    const accepted =
      perPod === null
        ? this.settleByClass(generator, state, candidates, n, startMs)
        : this.settleByPod(generator, state, candidates.backends, perPod, startMs);
    if (accepted > 0) {
      const serviceMs = state.acceptedServiceMs / accepted;
      this.remember(
        state,
        { startMs, endMs, routed: n, accepted, serviceMs, candidates: candidates.backends, perPod },
        endMs,
      );
    }
  }

  private candidatesOf(generator: Generator, serviceKey: string): Candidates | undefined {
    if (generator.kind === "LoadBalancer") {
      const routes = this.net.loadBalancers.routes(generator.key);
      return routes === undefined
        ? undefined
        : {
            backends: routes.backends,
            stream: this.net.loadBalancers.stream(generator.key),
            affinityService: undefined,
          };
    }
    const routes = this.net.dataplane.routes(serviceKey);
    if (routes === undefined) return undefined;
    return {
      backends: routes.candidates,
      stream: this.net.dataplane.stream(serviceKey),
      affinityService: routes.affinityTimeoutMs > 0 ? serviceKey : undefined,
    };
  }

  /** Multinomial split over classes of alike candidates; returns how many were accepted. */
  private settleByClass(
    generator: Generator,
    state: SourceState,
    candidates: Candidates,
    n: number,
    startMs: number,
  ): number {
    const table = this.classTable(candidates.backends);
    multinomial(n, table.weights, table.counts, candidates.stream);
    let accepted = 0;
    for (let i = 0; i < table.classes.length; i++) {
      const count = table.counts[i] as number;
      if (count === 0) continue;
      accepted += this.settleClass(generator, state, table.classes[i] as PodClass, count, startMs);
    }
    return accepted;
  }

  private settleByPod(
    generator: Generator,
    state: SourceState,
    backends: readonly Backend[],
    perPod: Map<string, number>,
    startMs: number,
  ): number {
    let accepted = 0;
    for (const backend of backends) {
      const count = perPod.get(backend.podUid);
      if (count === undefined) continue;
      const info = this.pods.info(backend);
      const podClass: PodClass = {
        accepting: info.state === "running",
        image: info.image,
        datacenter: info.datacenter,
        errorRate: info.errorRate,
        meanServiceMs: info.meanServiceMs,
        size: 1,
      };
      accepted += this.settleClass(generator, state, podClass, count, startMs);
    }
    return accepted;
  }

  private settleClass(
    generator: Generator,
    state: SourceState,
    podClass: PodClass,
    count: number,
    startMs: number,
  ): number {
    const stats: TargetStats = generator.stats;
    stats.sentTo(count, podClass.image, podClass.datacenter);
    if (!podClass.accepting) {
      stats.addFailed(count, "connection-refused", startMs);
      return 0;
    }
    const errors = podClass.errorRate > 0 ? binomial(count, podClass.errorRate, generator.work) : 0;
    if (errors > 0) stats.addFailed(errors, "app-error", startMs);
    if (count > errors) stats.addSucceeded(count - errors, startMs);
    state.acceptedServiceMs += count * podClass.meanServiceMs;
    return count;
  }

  /** Session affinity: each request picks a source and goes through the data plane's sticky routing. */
  private routeEach(
    generator: Generator,
    serviceKey: string,
    sources: readonly string[],
    n: number,
  ): Map<string, number> {
    const perPod = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const source =
        sources.length === 1
          ? (sources[0] as string)
          : (sources[Math.floor(generator.sourceStream.next() * sources.length)] as string);
      const backend = this.net.dataplane.route(serviceKey, source);
      if (backend !== undefined) perPod.set(backend.podUid, (perPod.get(backend.podUid) ?? 0) + 1);
    }
    return perPod;
  }

  /** Candidates grouped into classes (accepting, image, datacenter), in first-seen order; cached until a pod changes. */
  private classTable(backends: readonly Backend[]): ClassTable {
    const cached = this.classTables.get(backends);
    if (cached !== undefined && cached.epoch === this.epoch) return cached;
    const byKey = new Map<string, PodClass>();
    const classes: PodClass[] = [];
    for (const backend of backends) {
      const info = this.pods.info(backend);
      const accepting = info.state === "running";
      const key = `${accepting ? 1 : 0}|${info.image ?? ""}|${info.datacenter ?? ""}`;
      let podClass = byKey.get(key);
      if (podClass === undefined) {
        podClass = {
          accepting,
          image: info.image,
          datacenter: info.datacenter,
          errorRate: info.errorRate,
          meanServiceMs: info.meanServiceMs,
          size: 0,
        };
        byKey.set(key, podClass);
        classes.push(podClass);
      }
      podClass.size++;
    }
    const table: ClassTable = {
      epoch: this.epoch,
      classes,
      weights: classes.map((each) => each.size),
      counts: classes.map(() => 0),
    };
    this.classTables.set(backends, table);
    return table;
  }

  private allowedOf(rules: GatewayRules, sources: readonly string[]): readonly string[] {
    const cached = this.allowedSources.get(rules);
    if (cached !== undefined && cached.sources === sources) return cached.allowed;
    const allowed = sources.filter((ip) => this.net.gateways.allows(rules, ip));
    this.allowedSources.set(rules, { sources, allowed });
    return allowed;
  }

  private remember(state: SourceState, interval: RecentInterval, nowMs: number): void {
    const recent = state.recent;
    let drop = 0;
    while (drop < recent.length && (recent[drop] as RecentInterval).endMs <= nowMs - this.horizonMs - FLUSH_MS) drop++;
    if (recent.length - drop >= MAX_RECENT) drop = recent.length - MAX_RECENT + 1;
    if (drop > 0) recent.splice(0, drop);
    recent.push(interval);
  }

  /** The pod stopped at now: requests it accepted in (now − S, now) were in flight and are reset. */
  private resetInFlight(info: PodInfo): void {
    const nowMs = this.world.nowMs;
    const serviceMs = info.meanServiceMs;
    if (serviceMs <= 0) return;
    for (const generator of this.generators) {
      const state = this.states[generator.index] as SourceState;
      for (const interval of state.recent) {
        const from = Math.max(interval.startMs, nowMs - serviceMs, info.runningFromMs);
        const to = Math.min(interval.endMs, nowMs, info.runningUntilMs);
        if (to <= from) continue;
        const routedHere = this.shareOf(generator, interval, info.uid);
        if (routedHere === 0) continue;
        const resets = binomial(routedHere, (to - from) / (interval.endMs - interval.startMs), generator.work);
        if (resets === 0) continue;
        const fromErrors = info.errorRate > 0 ? binomial(resets, info.errorRate, generator.work) : 0;
        generator.stats.convertToReset(resets, fromErrors, interval.startMs, nowMs);
      }
    }
  }

  private shareOf(generator: Generator, interval: RecentInterval, podUid: string): number {
    if (interval.perPod !== null) return interval.perPod.get(podUid) ?? 0;
    let members = this.memberships.get(interval.candidates);
    if (members === undefined) {
      members = new Set(interval.candidates.map((backend) => backend.podUid));
      this.memberships.set(interval.candidates, members);
    }
    if (!members.has(podUid)) return 0;
    return binomial(interval.routed, 1 / interval.candidates.length, generator.work);
  }
}

/** How much of [startMs, endMs) lies inside the source's sending window. */
function sendingMs(spec: { startMs: number; stopMs: number | null }, startMs: number, endMs: number): number {
  const from = Math.max(startMs, spec.startMs);
  const to = spec.stopMs === null ? endMs : Math.min(endMs, spec.stopMs);
  return to > from ? to - from : 0;
}

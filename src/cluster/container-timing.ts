/**
 * Timing rules of the kubelet, as pure functions: when a readiness probe first records success,
 * how long a preStop hook takes, the flowcontrol back-off used for image pulls and container
 * restarts, and Go's duration formatting for the messages that quote a back-off.
 */
import type { Container, Probe } from "kubernetes-types/core/v1.js";

/** Kubelet back-off bounds (pkg/kubelet/kubelet.go backOffPeriod, MaxContainerBackOff). */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

/**
 * When a readiness probe worker records success for a container (pkg/kubelet/prober/worker.go).
 *
 * The worker starts with the pod (`workerStartMs`) and ticks every periodSeconds from then on; a
 * manual trigger also runs one probe when the status of a running, not yet ready container is
 * first generated, which we place at the container start (prober_manager.go UpdatePodStatus). A
 * probe is skipped while less than initialDelaySeconds have passed since the container started,
 * fails until the application is healthy (`healthyAtMs`), and the result turns Success after
 * successThreshold consecutive successes. Returns Infinity when the app never becomes healthy.
 */
export function readinessSuccessMs(
  workerStartMs: number,
  startedAtMs: number,
  healthyAtMs: number,
  probe: Probe,
): number {
  if (!Number.isFinite(healthyAtMs)) return Number.POSITIVE_INFINITY;
  const periodMs = Math.max(1, probe.periodSeconds ?? 10) * 1000;
  const earliestMs = Math.max(healthyAtMs, startedAtMs + (probe.initialDelaySeconds ?? 0) * 1000);
  const successes = Math.max(1, probe.successThreshold ?? 1);
  let probeMs = startedAtMs >= earliestMs ? startedAtMs : firstTickAtOrAfter(workerStartMs, periodMs, earliestMs);
  for (let run = 1; run < successes; run++) probeMs = firstTickAtOrAfter(workerStartMs, periodMs, probeMs + 1);
  return probeMs;
}

/** The first ticker time workerStart + k·period (k >= 1) at or after `atMs`. */
function firstTickAtOrAfter(workerStartMs: number, periodMs: number, atMs: number): number {
  const k = Math.max(1, Math.ceil((atMs - workerStartMs) / periodMs));
  return workerStartMs + k * periodMs;
}

const SLEEP_COMMAND = /(?:^|[\s;&|(])sleep\s+(\d+(?:\.\d+)?)([smhd]?)(?=$|[\s;&|)])/;
const SLEEP_UNIT_MS: Readonly<Record<string, number>> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * How long the container's preStop hook runs, or null when it has none: the `sleep` action's
 * seconds; an exec command's `sleep N` (the usual `sh -c "sleep 15"` guard); anything else
 * (httpGet, tcpSocket, an exec without sleep) returns at once.
 */
export function preStopDurationMs(container: Container): number | null {
  const hook = container.lifecycle?.preStop as
    | (NonNullable<NonNullable<Container["lifecycle"]>["preStop"]> & { sleep?: { seconds?: number } })
    | undefined;
  if (hook === undefined) return null;
  if (hook.sleep?.seconds !== undefined) return Math.max(0, hook.sleep.seconds) * 1000;
  const command = hook.exec?.command;
  if (command !== undefined) {
    const match = SLEEP_COMMAND.exec(command.join(" "));
    if (match !== null) return Math.round(Number(match[1]) * (SLEEP_UNIT_MS[match[2] ?? ""] as number));
  }
  return 0;
}

/**
 * One key of client-go's flowcontrol.Backoff (util/flowcontrol/backoff.go, no jitter as the kubelet
 * uses it): the delay starts at 10 s and doubles to 300 s per Next; an entry whose last update is
 * more than twice the maximum before the event starts over.
 */
export class Backoff {
  private durationMs = 0;
  private lastUpdateMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  /** The current back-off delay (0 before the first Next). */
  get currentMs(): number {
    return this.durationMs;
  }

  private expired(eventMs: number): boolean {
    return eventMs - this.lastUpdateMs > 2 * this.maxMs;
  }

  /** Next(id, eventTime): start (or restart, if unused for long) or double the delay; lastUpdate = now. */
  next(eventMs: number, nowMs: number): void {
    this.durationMs =
      this.durationMs === 0 || this.expired(eventMs) ? this.initialMs : Math.min(this.durationMs * 2, this.maxMs);
    this.lastUpdateMs = nowMs;
  }

  /** IsInBackOffSince(id, eventTime): still inside the delay counted from `eventMs`. */
  inBackOffSince(eventMs: number, nowMs: number): boolean {
    if (this.durationMs === 0 || this.expired(eventMs)) return false;
    return nowMs - eventMs < this.durationMs;
  }
}

/** Go's time.Duration.String() for whole milliseconds: "10s", "1m20s", "5m0s", "1h0m0s", "500ms". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/**
 * Everything a World is built from, after the scenario loader has validated and defaulted it.
 * Latencies are distributions (sampled per occurrence from the owning subsystem's random stream).
 */
import { DEFAULT_LIMITS, type RunLimits } from "../sim/kernel.ts";
import { constantMs, type Distribution } from "../sim/random.ts";
import type { TraceMode } from "../sim/trace.ts";

/** Latencies of the real system's parts; every one is configurable from `spec.timing`. */
export interface TimingConfig {
  /** Store change -> informer caches of controllers, scheduler and kubelets. */
  watchDelay: Distribution;
  /** Endpoints change -> data planes and load balancers route by it. */
  endpointPropagation: Distribution;
  /** First pull of an image on a node. */
  imagePull: Distribution;
  /** Container runtime: create and start a container once the image is present. */
  containerStart: Distribution;
  /** Scheduler: from seeing a pending pod to the binding. */
  scheduling: Distribution;
  /** Retry period for pods the scheduler could not place. */
  schedulingRetryMs: number;
  /** Kubelet: how long a container takes to exit after SIGTERM when the image says nothing. */
  containerStop: Distribution;
  /** Garbage collector: owner deleted -> dependents deleted. */
  garbageCollection: Distribution;
  /** Node lifecycle: node-monitor-period, node-monitor-grace-period (kubernetes-semantics.md §6.1). */
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  /** Kubelet heartbeat (Lease renewal) period. */
  nodeHeartbeatMs: number;
  /** DefaultTolerationSeconds for not-ready/unreachable NoExecute taints. */
  defaultTolerationSeconds: number;
  /** External load balancer controller: pod ready -> IP registered, and deregistration. */
  lbRegistration: Distribution;
  lbDeregistration: Distribution;
}

export const DEFAULT_TIMING: TimingConfig = {
  watchDelay: constantMs(20),
  endpointPropagation: constantMs(500),
  imagePull: constantMs(2000),
  containerStart: constantMs(500),
  scheduling: constantMs(10),
  schedulingRetryMs: 10_000,
  containerStop: constantMs(100),
  garbageCollection: constantMs(100),
  nodeMonitorPeriodMs: 5000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeHeartbeatMs: 10_000,
  defaultTolerationSeconds: 300,
  lbRegistration: constantMs(1000),
  lbDeregistration: constantMs(1000),
};

/** How containers of an image behave (`spec.images`). */
export interface ImageProfile {
  /** Container started -> the application passes its readiness check. */
  startup: Distribution;
  /** False: the application never becomes ready (a bad release). */
  ready: boolean;
  /** Fraction of requests that fail with an application error. */
  errorRate: number;
  /** How long a request holds the pod. */
  serviceTime: Distribution;
  /** SIGTERM -> the process exits on its own (after draining). */
  shutdown: Distribution;
  /** The container exits with an error this long after starting (a crash-looping release); null: never. */
  crashAfter: Distribution | null;
}

export const DEFAULT_IMAGE_PROFILE: ImageProfile = {
  startup: constantMs(5000),
  ready: true,
  errorRate: 0,
  serviceTime: constantMs(20),
  shutdown: constantMs(100),
  crashAfter: null,
};

export interface Resources {
  /** CPU in millicores. */
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

export interface NodeConfig {
  name: string;
  datacenter: string;
  labels: Record<string, string>;
  capacity: Resources;
}

export interface DatacenterConfig {
  name: string;
  nodeLabels: Record<string, string>;
}

export interface WorldConfig {
  seed: number;
  timing: TimingConfig;
  images: Map<string, ImageProfile>;
  datacenters: DatacenterConfig[];
  nodes: NodeConfig[];
  limits: RunLimits;
  trace: { mode: TraceMode; file?: string };
}

export function defaultWorldConfig(overrides: Partial<WorldConfig> = {}): WorldConfig {
  return {
    seed: 1,
    timing: { ...DEFAULT_TIMING },
    images: new Map(),
    datacenters: [],
    nodes: [],
    limits: DEFAULT_LIMITS,
    trace: { mode: "hash" },
    ...overrides,
  };
}

/** Builds `count` nodes named `<dc lowercased>-1..count` with the datacenter's labels. */
export function datacenterNodes(datacenter: DatacenterConfig, count: number, capacity: Resources): NodeConfig[] {
  const nodes: NodeConfig[] = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({
      name: `${datacenter.name.toLowerCase()}-${i}`,
      datacenter: datacenter.name,
      labels: {
        ...datacenter.nodeLabels,
        "topology.kubernetes.io/zone": datacenter.name,
        "kubernetes.io/hostname": `${datacenter.name.toLowerCase()}-${i}`,
      },
      capacity,
    });
  }
  return nodes;
}

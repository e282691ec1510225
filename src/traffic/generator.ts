/**
 * A traffic source as both modes run it, and the path a request takes:
 *
 *   source IP ──► Gateway (IP whitelist) ──► Service: data plane (kube-proxy) ──► pod IP
 *             └─────────────────────────────► LoadBalancer (registered IPs) ─────┘
 *
 * Random streams, one per purpose so that adding a source or a fault shifts nothing else:
 * "traffic/<name>" for arrivals, "traffic/<name>/source" for the source IP, "traffic/<name>/work"
 * for service times, application errors and aggregated splits; backend choices draw from the data
 * plane's "dataplane/<namespace>/<service>" (or the balancer's) stream.
 */

import { objectKey } from "../api/object.ts";
import type { Backend } from "../network/dataplane.ts";
import type { Networking } from "../network/index.ts";
import type { TrafficSpec } from "../scenario/model.ts";
import type { RandomStream } from "../sim/random.ts";
import type { World } from "../world/world.ts";
import type { TargetStats } from "./metrics.ts";
import type { SourcePool } from "./sources.ts";

export type TargetKind = "Service" | "Gateway" | "LoadBalancer";
export const TARGET_KINDS: readonly TargetKind[] = ["Service", "Gateway", "LoadBalancer"];

export interface Generator {
  readonly index: number;
  readonly spec: TrafficSpec;
  readonly kind: TargetKind;
  /** "namespace/name" of the target. */
  readonly key: string;
  readonly stats: TargetStats;
  readonly sources: SourcePool;
  readonly arrivals: RandomStream;
  readonly sourceStream: RandomStream;
  readonly work: RandomStream;
}

/** Why a request reached no pod. */
export const REJECTED = 1;
export const NO_ENDPOINT = 2;
export type Unrouted = typeof REJECTED | typeof NO_ENDPOINT;

/** Called for every request routed to a pod, with the data plane's candidates at that moment (tests, invariants). */
export type RouteObserver = (generator: Generator, backend: Backend, sourceIp: string) => void;

export function makeGenerator(
  world: World,
  index: number,
  spec: TrafficSpec,
  stats: TargetStats,
  sources: SourcePool,
): Generator {
  const kind = spec.to.kind;
  if (!(TARGET_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`traffic ${spec.name}: cannot send to a ${kind} (only ${TARGET_KINDS.join(", ")})`);
  }
  return {
    index,
    spec,
    kind: kind as TargetKind,
    key: objectKey(spec.to.namespace, spec.to.name),
    stats,
    sources,
    arrivals: world.random(`traffic/${spec.name}`),
    sourceStream: world.random(`traffic/${spec.name}/source`),
    work: world.random(`traffic/${spec.name}/work`),
  };
}

/** Routes one request: the backend pod it is sent to, or why there is none. */
export function routeRequest(net: Networking, generator: Generator, sourceIp: string): Backend | Unrouted {
  switch (generator.kind) {
    case "Service":
      return net.dataplane.route(generator.key, sourceIp) ?? NO_ENDPOINT;
    case "LoadBalancer":
      return net.loadBalancers.route(generator.key) ?? NO_ENDPOINT;
    case "Gateway": {
      const rules = net.gateways.get(generator.key);
      if (rules?.serviceKey === undefined) return NO_ENDPOINT;
      if (!net.gateways.allows(rules, sourceIp)) return REJECTED;
      return net.dataplane.route(rules.serviceKey, sourceIp) ?? NO_ENDPOINT;
    }
  }
}

/** A uniformly random source IP (undefined: the pool is empty, nothing is sent). */
export function pickSource(generator: Generator): string | undefined {
  const ips = generator.sources.ips();
  if (ips.length <= 1) return ips[0];
  return ips[Math.floor(generator.sourceStream.next() * ips.length)];
}

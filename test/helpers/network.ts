/**
 * Builders for networking and traffic tests: a world with the fake kubelet and the networking
 * components, Services, LoadBalancers, Gateways and traffic specs.
 */
import type { Service } from "../../src/api/kinds.ts";
import { type Networking, registerNetworking } from "../../src/network/index.ts";
import type { ObjectRef, TrafficSpec } from "../../src/scenario/model.ts";
import { constantMs, type Distribution } from "../../src/sim/random.ts";
import { DEFAULT_IMAGE_PROFILE, type ImageProfile } from "../../src/world/config.ts";
import type { World } from "../../src/world/world.ts";
import { type FakeKubelet, registerFakeKubelet } from "./fake-kubelet.ts";
import { makeWorld } from "./world.ts";

export interface NetWorldOptions {
  seed?: number;
  watchDelayMs?: number;
  propagationMs?: number;
  propagation?: Distribution;
  lbRegistrationMs?: number;
  lbDeregistrationMs?: number;
  images?: Record<string, Partial<ImageProfile>>;
  traceFile?: string;
}

export interface NetWorld {
  world: World;
  kubelet: FakeKubelet;
  net: Networking;
}

export function netWorld(options: NetWorldOptions = {}): NetWorld {
  const images = new Map<string, ImageProfile>();
  for (const [name, profile] of Object.entries(options.images ?? {}))
    images.set(name, { ...DEFAULT_IMAGE_PROFILE, ...profile });
  const world = makeWorld({
    seed: options.seed ?? 1,
    watchDelayMs: options.watchDelayMs ?? 20,
    config: {
      images,
      ...(options.traceFile === undefined ? {} : { trace: { mode: "hash", file: options.traceFile } }),
    },
  });
  const timing = world.config.timing;
  timing.endpointPropagation = options.propagation ?? constantMs(options.propagationMs ?? 500);
  if (options.lbRegistrationMs !== undefined) timing.lbRegistration = constantMs(options.lbRegistrationMs);
  if (options.lbDeregistrationMs !== undefined) timing.lbDeregistration = constantMs(options.lbDeregistrationMs);
  const kubelet = registerFakeKubelet(world);
  const net = registerNetworking(world);
  return { world, kubelet, net };
}

export function createService(world: World, name: string, spec: Record<string, unknown> = {}): Service {
  return world.store.create<Service>({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { selector: { app: "demo" }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  });
}

export function createLoadBalancer(world: World, name: string, spec: Record<string, unknown>): void {
  world.store.create({
    apiVersion: "rolloutsim/v1",
    kind: "LoadBalancer",
    metadata: { name, namespace: "default" },
    spec,
  });
}

export function createGateway(world: World, name: string, spec: Record<string, unknown>): void {
  world.store.create({ apiVersion: "rolloutsim/v1", kind: "Gateway", metadata: { name, namespace: "default" }, spec });
}

export function ref(kind: string, name: string): ObjectRef {
  return { kind, namespace: "default", name };
}

export function traffic(
  name: string,
  to: ObjectRef,
  ratePerSecond: number,
  from: TrafficSpec["from"] = "external",
): TrafficSpec {
  return {
    name,
    to,
    ratePerSecond,
    startMs: 0,
    stopMs: null,
    segments: [{ share: 1, headers: {} }],
    from,
    source: { file: "test", line: 0, column: 0, path: "" },
  };
}

/**
 * Networking: the EndpointSlice controller, the data plane (kube-proxy), the external
 * LoadBalancer controller and the IP-whitelist Gateway, registered in that order.
 */
import type { World } from "../world/world.ts";
import { DATAPLANE_COMPONENT, DataPlane } from "./dataplane.ts";
import { EndpointSliceController } from "./endpoints.ts";
import { GatewayRegistry } from "./gateway.ts";
import { LoadBalancerController } from "./loadbalancer.ts";

export interface Networking {
  readonly endpoints: EndpointSliceController;
  readonly dataplane: DataPlane;
  readonly loadBalancers: LoadBalancerController;
  readonly gateways: GatewayRegistry;
}

/**
 * Registers the networking components, once: a second call (the standard component list and a
 * runner may both ask) returns the components already registered.
 */
export function registerNetworking(world: World): Networking {
  const existing = networkingOf(world);
  if (existing !== undefined) return existing;
  return {
    endpoints: world.register(new EndpointSliceController(world)),
    dataplane: world.register(new DataPlane(world)),
    loadBalancers: world.register(new LoadBalancerController(world)),
    gateways: world.register(new GatewayRegistry(world)),
  };
}

/** The networking components of a world, if registered. */
export function networkingOf(world: World): Networking | undefined {
  const dataplane = world.component<DataPlane>(DATAPLANE_COMPONENT);
  if (dataplane === undefined) return undefined;
  return {
    endpoints: world.component<EndpointSliceController>("endpointslice") as EndpointSliceController,
    dataplane,
    loadBalancers: world.component<LoadBalancerController>("loadbalancer-controller") as LoadBalancerController,
    gateways: world.component<GatewayRegistry>("gateway") as GatewayRegistry,
  };
}

export * from "./dataplane.ts";
export * from "./endpoints.ts";
export * from "./gateway.ts";
export * from "./graceful.ts";
export * from "./loadbalancer.ts";

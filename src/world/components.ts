/**
 * The standard set of components every simulated cluster runs, registered in a fixed order (the
 * order components start in, and so the order of their first events at time 0).
 *
 * Order: cluster machinery (nodes, scheduler, kubelets, node lifecycle), then the
 * kube-controller-manager's controllers (garbage collector, ReplicaSet, ReplicationController,
 * Deployment, ...), then networking (endpoints, data plane, load balancers), then traffic.
 */
import type { World } from "./world.ts";

export function registerStandardComponents(world: World): void {
  void world;
}

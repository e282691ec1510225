/**
 * The standard set of components every simulated cluster runs, registered in a fixed order (the
 * order components start in, and so the order of their first events at time 0).
 *
 * Order: cluster machinery (nodes, scheduler, kubelets, node lifecycle), then the
 * kube-controller-manager's controllers (garbage collector, ReplicaSet, ReplicationController,
 * Deployment, ...), then networking (endpoints, data plane, load balancers), then traffic.
 */

import { Kubelet } from "../cluster/kubelet.ts";
import { NodeLifecycleController } from "../cluster/node-lifecycle.ts";
import { NodesComponent } from "../cluster/nodes.ts";
import { Scheduler } from "../cluster/scheduler.ts";
import { DeploymentController } from "../controllers/deployment/controller.ts";
import { GarbageCollector } from "../controllers/garbage-collector.ts";
import { ReplicaSetController } from "../controllers/replicaset.ts";
import { ReplicationManager } from "../controllers/replication-controller.ts";
import { registerNetworking } from "../network/index.ts";
import type { World } from "./world.ts";

export function registerStandardComponents(world: World): void {
  world.register(new NodesComponent(world));
  world.register(new Scheduler(world));
  world.register(new Kubelet(world));
  world.register(new NodeLifecycleController(world));
  world.register(new GarbageCollector(world));
  world.register(new ReplicaSetController(world));
  world.register(new ReplicationManager(world));
  world.register(new DeploymentController(world));
  registerNetworking(world);
}

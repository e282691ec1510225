/**
 * The ReplicationController controller (pkg/controller/replication). Kubernetes runs v1
 * ReplicationControllers through the ReplicaSet controller, converting them as if an RC were an
 * older version of a ReplicaSet; here the same ReplicaSetController runs with the RC's kind and
 * its map selector.
 */
import type { InformerCache } from "../api/informer.ts";
import { controllerOf } from "../api/object.ts";
import { selectorFromMap } from "../api/selector.ts";
import type { World } from "../world/world.ts";
import { ReplicaSetController, type ReplicaSetKind, type ReplicaSetLike } from "./replicaset.ts";

export const REPLICATION_CONTROLLER_KIND: ReplicaSetKind = {
  kind: "ReplicationController",
  controllerName: "replicationcontroller",
  selectorOf: (rc) => selectorFromMap(rc.spec?.selector as Record<string, string> | undefined),
  controlledBy: replicationControllersControlledBy,
};

/** ReplicationControllers with a controller owner are rare, so this lists them instead of indexing. */
function replicationControllersControlledBy(cache: InformerCache, ownerUid: string): ReplicaSetLike[] {
  const controlled: ReplicaSetLike[] = [];
  for (const rc of cache.list<ReplicaSetLike>("ReplicationController")) {
    if (controllerOf(rc)?.uid === ownerUid) controlled.push(rc);
  }
  return controlled;
}

/** NewReplicationManager: the ReplicaSet controller for kind ReplicationController. */
export class ReplicationManager extends ReplicaSetController {
  constructor(world: World) {
    super(world, REPLICATION_CONTROLLER_KIND);
  }
}

/**
 * The object kinds rolloutsim understands, as stored, with their API groups.
 */
import type * as apps from "kubernetes-types/apps/v1.js";
import type * as core from "kubernetes-types/core/v1.js";
import type { Stored } from "./object.ts";

export type Pod = Stored<core.Pod>;
export type Node = Stored<core.Node>;
export type Service = Stored<core.Service>;
export type ReplicationController = Stored<core.ReplicationController>;
export type ReplicaSet = Stored<apps.ReplicaSet>;
export type Deployment = Stored<apps.Deployment>;
export type StatefulSet = Stored<apps.StatefulSet>;
export type ControllerRevision = Stored<apps.ControllerRevision>;

/** apiVersion for each kind this version accepts (a kind absent here is refused). */
export const API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["v1"],
  Node: ["v1"],
  Service: ["v1"],
  ReplicationController: ["v1"],
  ReplicaSet: ["apps/v1"],
  Deployment: ["apps/v1"],
  StatefulSet: ["apps/v1"],
  ControllerRevision: ["apps/v1"],
  EndpointSlice: ["discovery.k8s.io/v1"],
  CafeDeployment: ["apps.cafe.cloud.alipay.com/v1alpha1"],
  InPlaceSet: ["apps.cafe.cloud.alipay.com/v1alpha1"],
  VirtualService: ["networking.istio.io/v1", "networking.istio.io/v1beta1"],
  DestinationRule: ["networking.istio.io/v1", "networking.istio.io/v1beta1"],
  Rollout: ["argoproj.io/v1alpha1"],
  Gateway: ["rolloutsim/v1"],
  LoadBalancer: ["rolloutsim/v1"],
};

/** Kinds that own pods through a pod template (`spec.template`): the workloads. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  "Deployment",
  "ReplicaSet",
  "ReplicationController",
  "StatefulSet",
  "CafeDeployment",
  "InPlaceSet",
  "Rollout",
]);

/** Well-known labels and annotations. */
export const LABEL_POD_TEMPLATE_HASH = "pod-template-hash";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const ANNOTATION_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

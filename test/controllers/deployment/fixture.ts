/**
 * The Kubernetes "fixture" style for Deployment controller tests: put a Deployment and its
 * ReplicaSets (with chosen spec and status) in the store, let the informer cache catch up, run one
 * syncDeployment, then look at what was written. The controller is built but not started, so
 * nothing syncs on its own; no ReplicaSet controller runs, so tests write RS status themselves.
 */
import type { DeploymentSpec, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import { isApiError } from "../../../src/api/errors.ts";
import type { Deployment, Pod, ReplicaSet } from "../../../src/api/kinds.ts";
import { controllerRef, type KObject, type NewObject, toTimestamp } from "../../../src/api/object.ts";
import type { SyncResult } from "../../../src/controllers/controller.ts";
import { DeploymentController } from "../../../src/controllers/deployment/controller.ts";
import {
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  RevisionAnnotation,
} from "../../../src/controllers/deployment/util.ts";
import type { World } from "../../../src/world/world.ts";
import { makeWorld } from "../../helpers/world.ts";

export const NAMESPACE = "default";
export const APP_LABELS = { app: "web" };
const WATCH_DELAY_MS = 10;

/** A pod template running `image`, labelled app=web (plus `extraLabels`). */
export function podTemplate(image: string, extraLabels: Record<string, string> = {}): PodTemplateSpec {
  return {
    metadata: { labels: { ...APP_LABELS, ...extraLabels } },
    spec: { containers: [{ name: "app", image }] },
  };
}

/** A status with the Progressing condition a rollout in progress has (written at virtual time `atMs`). */
export function rolloutInProgress(atMs = 0, reason = "ReplicaSetUpdated"): DeploymentStatus {
  const stamp = toTimestamp(atMs);
  return {
    conditions: [{ type: "Progressing", status: "True", reason, lastUpdateTime: stamp, lastTransitionTime: stamp }],
  };
}

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: DeploymentSpec["strategy"];
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  selector?: DeploymentSpec["selector"];
  annotations?: Record<string, string>;
  finalizers?: string[];
  status?: DeploymentStatus;
}

export interface ReplicaSetOptions {
  name: string;
  image: string;
  replicas: number;
  /** The controlling Deployment; null for an orphan. Defaults to the fixture's Deployment. */
  owner?: Deployment | null;
  revision?: number;
  /** desired-replicas annotation; defaults to the owner's spec.replicas. */
  desired?: number | null;
  /** max-replicas annotation; defaults to desired + 0. */
  max?: number | null;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  status?: ReplicaSetStatusOptions;
}

export interface ReplicaSetStatusOptions {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

export class DeploymentFixture {
  readonly world: World;
  readonly controller: DeploymentController;
  deploymentName = "web";

  constructor() {
    this.world = makeWorld({ watchDelayMs: WATCH_DELAY_MS });
    this.controller = new DeploymentController(this.world);
    this.world.start();
  }

  get nowMs(): number {
    return this.world.nowMs;
  }

  /** Runs the virtual clock forward by `ms` (cache deliveries, queued work). */
  advance(ms: number): void {
    this.world.kernel.run(this.world.nowMs + ms);
  }

  /** Lets the informer cache see every write made so far. */
  settle(): void {
    this.advance(WATCH_DELAY_MS + 1);
  }

  createDeployment(options: DeploymentOptions = {}, name = this.deploymentName): Deployment {
    this.deploymentName = name;
    const strategy = options.strategy ?? {
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: options.maxSurge ?? "25%", maxUnavailable: options.maxUnavailable ?? "25%" },
    };
    const spec: DeploymentSpec = {
      replicas: options.replicas ?? 1,
      selector: options.selector ?? { matchLabels: { ...APP_LABELS } },
      template: podTemplate(options.image ?? "app:v2"),
      strategy,
    };
    if (options.paused !== undefined) spec.paused = options.paused;
    if (options.progressDeadlineSeconds !== undefined) spec.progressDeadlineSeconds = options.progressDeadlineSeconds;
    if (options.revisionHistoryLimit !== undefined) spec.revisionHistoryLimit = options.revisionHistoryLimit;
    const object: NewObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: NAMESPACE, annotations: options.annotations, finalizers: options.finalizers },
      spec,
    };
    this.world.store.create<Deployment>(object);
    if (options.status !== undefined) this.setDeploymentStatus(options.status, name);
    return this.deployment(name);
  }

  /** An RS as the controller would have made it for `image` (hash label = image tag). */
  createReplicaSet(options: ReplicaSetOptions): ReplicaSet {
    const owner = options.owner === undefined ? this.deployment() : options.owner;
    const hash = options.image.replace(/[^a-z0-9]/g, "");
    const labels = options.labels ?? { ...APP_LABELS, "pod-template-hash": hash };
    const annotations: Record<string, string> = { ...(options.annotations ?? {}) };
    if (options.revision !== undefined) annotations[RevisionAnnotation] = String(options.revision);
    const desired = options.desired === undefined ? (owner?.spec?.replicas ?? options.replicas) : options.desired;
    if (desired !== null) annotations[DesiredReplicasAnnotation] = String(desired);
    const max = options.max === undefined ? desired : options.max;
    if (max !== null && max !== undefined) annotations[MaxReplicasAnnotation] = String(max);
    const template = podTemplate(options.image, { "pod-template-hash": hash });
    if (options.labels !== undefined) template.metadata = { labels: options.labels };
    const object: NewObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: options.name,
        namespace: NAMESPACE,
        labels,
        annotations,
        ownerReferences: owner === null ? undefined : [controllerRef(owner as KObject)],
      },
      spec: { replicas: options.replicas, selector: { matchLabels: { ...labels } }, template },
    };
    this.world.store.create(object);
    if (options.status !== undefined) this.setReplicaSetStatus(options.name, options.status);
    return this.rs(options.name);
  }

  /** Writes RS status directly (what the ReplicaSet controller would report). */
  setReplicaSetStatus(name: string, status: ReplicaSetStatusOptions): ReplicaSet {
    return this.world.store.patch<ReplicaSet>("ReplicaSet", NAMESPACE, name, (draft) => {
      draft.status = {
        replicas: status.replicas ?? 0,
        readyReplicas: status.readyReplicas ?? status.availableReplicas ?? 0,
        availableReplicas: status.availableReplicas ?? 0,
        observedGeneration: status.observedGeneration ?? draft.metadata.generation,
      };
    });
  }

  setDeploymentStatus(status: DeploymentStatus, name = this.deploymentName): Deployment {
    return this.world.store.patch<Deployment>("Deployment", NAMESPACE, name, (draft) => {
      draft.status = structuredClone(status);
    });
  }

  patchDeployment(recipe: (draft: Deployment) => void, name = this.deploymentName): Deployment {
    return this.world.store.patch<Deployment>("Deployment", NAMESPACE, name, (draft) => recipe(draft as Deployment));
  }

  createPod(name: string, owner: ReplicaSet, phase: string, labels: Record<string, string> = APP_LABELS): Pod {
    const object: NewObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: NAMESPACE, labels, ownerReferences: [controllerRef(owner as KObject)] },
      spec: { containers: [{ name: "app", image: owner.spec?.template?.spec?.containers[0]?.image ?? "app" }] },
    };
    this.world.store.create(object);
    return this.world.store.patch<Pod>("Pod", NAMESPACE, name, (draft) => {
      draft.status = { phase };
    });
  }

  /** One reconcile of the Deployment, as the work queue would run it. */
  sync(name = this.deploymentName): SyncResult {
    return this.controller.syncDeployment(`${NAMESPACE}/${name}`);
  }

  /** One reconcile that is expected to fail with this API error reason (e.g. a Conflict). */
  syncExpectingError(reason: string, name = this.deploymentName): void {
    try {
      this.sync(name);
    } catch (error) {
      if (isApiError(error) && error.reason === reason) return;
      throw error;
    }
    throw new Error(`sync of ${name} succeeded; expected ${reason}`);
  }

  /**
   * Syncs as the work queue would retry: after an API error (a Conflict from this sync's own earlier
   * write), let the cache catch up and sync again. Returns how many syncs it took.
   */
  syncUntilQuiet(maxSyncs = 5, name = this.deploymentName): number {
    for (let attempt = 1; attempt <= maxSyncs; attempt++) {
      try {
        this.sync(name);
        return attempt;
      } catch (error) {
        if (!isApiError(error)) throw error;
        this.settle();
      }
    }
    throw new Error(`${name} still failing after ${maxSyncs} syncs`);
  }

  deployment(name = this.deploymentName): Deployment {
    const deployment = this.world.store.get<Deployment>("Deployment", NAMESPACE, name);
    if (deployment === undefined) throw new Error(`no Deployment ${name}`);
    return deployment;
  }

  rs(name: string): ReplicaSet {
    const rs = this.world.store.get<ReplicaSet>("ReplicaSet", NAMESPACE, name);
    if (rs === undefined) throw new Error(`no ReplicaSet ${name}`);
    return rs;
  }

  maybeRS(name: string): ReplicaSet | undefined {
    return this.world.store.get<ReplicaSet>("ReplicaSet", NAMESPACE, name);
  }

  /** Every ReplicaSet in the store, by name. */
  replicaSets(): ReplicaSet[] {
    return [...this.world.store.list<ReplicaSet>("ReplicaSet")].sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
    );
  }

  /** The ReplicaSets whose names are not in `known` (the ones the controller created). */
  createdReplicaSets(...known: string[]): ReplicaSet[] {
    return this.replicaSets().filter((rs) => !known.includes(rs.metadata.name));
  }

  sizes(): Record<string, number | undefined> {
    const sizes: Record<string, number | undefined> = {};
    for (const rs of this.replicaSets()) sizes[rs.metadata.name] = rs.spec?.replicas;
    return sizes;
  }

  events(reason?: string): { reason: string; message: string; severity: string }[] {
    return this.world.events
      .filter((event) => reason === undefined || event.reason === reason)
      .map((event) => ({ reason: event.reason, message: event.message, severity: event.severity }));
  }

  condition(type: string, name = this.deploymentName) {
    return this.deployment(name).status?.conditions?.find((condition) => condition.type === type);
  }

  /** The timestamp a condition written at virtual `ms` carries. */
  stamp(ms = this.world.nowMs): string {
    return toTimestamp(ms);
  }
}

/**
 * The base of every level-triggered controller: a work queue of object keys, handlers on the shared
 * informer cache that enqueue keys, and a sync that reads the cache and acts only through API writes.
 *
 * A sync that throws an ApiError (a conflict from a stale cache, a missing object) is retried with
 * rate limiting up to `maxRetries` times, then dropped, as Kubernetes' controllers do
 * (deployment_controller.go handleErr, maxRetries = 15). Any other exception is a simulator bug and
 * propagates.
 */
import { isApiError } from "../api/errors.ts";
import type { KObject } from "../api/object.ts";
import { objectKey } from "../api/object.ts";
import { WorkQueue } from "../api/workqueue.ts";
import type { Component, World } from "../world/world.ts";

export const MAX_SYNC_RETRIES = 15;

/** What a sync asks for next: nothing, or to be looked at again after a delay. */
export type SyncResult = undefined | { readonly requeueAfterMs: number };

export abstract class Controller implements Component {
  readonly queue: WorkQueue;
  private suspended = false;

  constructor(
    protected readonly world: World,
    readonly name: string,
  ) {
    this.queue = new WorkQueue(world.kernel, name, (key) => this.processKey(key));
  }

  /** Registers the informer handlers; the base class queues nothing by itself. */
  abstract start(): void;

  /** Reconciles the object with this key ("namespace/name") toward its desired state. */
  protected abstract sync(key: string): SyncResult;

  /** Queues an object's key. */
  enqueue(object: KObject): void {
    this.queue.add(objectKey(object.metadata.namespace, object.metadata.name));
  }

  enqueueAfter(object: KObject, delayMs: number): void {
    this.queue.addAfter(objectKey(object.metadata.namespace, object.metadata.name), delayMs);
  }

  suspend(): void {
    this.suspended = true;
    this.queue.stop();
  }

  resume(): void {
    this.suspended = false;
    this.queue.start();
  }

  get isSuspended(): boolean {
    return this.suspended;
  }

  private processKey(key: string): void {
    try {
      const result = this.sync(key);
      this.queue.forget(key);
      if (result !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      if (!isApiError(error)) throw error;
      if (this.queue.rateLimiter.numRequeues(key) < MAX_SYNC_RETRIES) {
        this.queue.addRateLimited(key);
      } else {
        this.queue.forget(key);
      }
    }
  }
}

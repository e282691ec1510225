import { describe, expect, it } from "vitest";
import { isApiError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/kinds.ts";
import { fromTimestamp, toTimestamp } from "../../src/api/object.ts";
import { matchesSelector } from "../../src/api/selector.ts";
import { nameSuffix, Store, type WatchEventType } from "../../src/api/store.ts";
import { Kernel } from "../../src/sim/kernel.ts";
import { createRandomStream } from "../../src/sim/random.ts";
import { Trace } from "../../src/sim/trace.ts";
import { defined } from "../helpers/defined.ts";

function setup() {
  const kernel = new Kernel(1);
  const trace = new Trace("hash");
  const store = new Store(kernel, trace);
  const events: { type: WatchEventType; name: string; rv: string }[] = [];
  store.watch((type, object) => events.push({ type, name: object.metadata.name, rv: object.metadata.resourceVersion }));
  return { kernel, trace, store, events };
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: "web" } },
  spec: { containers: [{ name: "app", image: "web:v1" }], ...extra },
});

describe("Store", () => {
  it("mints uid, resourceVersion, generation and creationTimestamp and applies defaults", () => {
    const { store, kernel } = setup();
    kernel.schedule(61_500, () => {});
    kernel.run(61_500);
    const created = store.create<Pod>(pod("a"));
    expect(created.metadata.namespace).toBe("default");
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.creationTimestamp).toBe("2026-01-01T00:01:01Z");
    expect(created.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(created.spec?.restartPolicy).toBe("Always");
    expect(Object.isFrozen(created)).toBe(true);
  });

  it("stores a kind without defaults as given, deep-frozen (no immer pass)", () => {
    const { store } = setup();
    const input = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", namespace: "", labels: { zone: "a" } },
      status: { capacity: { cpu: "4", pods: "110" }, addresses: [{ type: "InternalIP", address: "172.16.0.1" }] },
    };
    const created = store.create(input);
    expect(Object.keys(created)).toEqual(["apiVersion", "kind", "metadata", "status"]);
    expect(created.status).toBe(input.status);
    expect(created.status).toEqual({
      capacity: { cpu: "4", pods: "110" },
      addresses: [{ type: "InternalIP", address: "172.16.0.1" }],
    });
    expect(Object.isFrozen(input.status.addresses[0])).toBe(true);
    expect(Object.isFrozen(created.metadata)).toBe(true);
  });

  it("refuses a duplicate name", () => {
    const { store } = setup();
    store.create(pod("a"));
    expect(() => store.create(pod("a"))).toThrow(/already exists/);
  });

  it("bumps generation only for spec changes and skips no-op writes", () => {
    const { store, events } = setup();
    const created = store.create<Pod>(pod("a"));
    const relabeled = store.update(created, (draft) => {
      (draft.metadata.labels as Record<string, string>).tier = "x";
    });
    expect(relabeled.metadata.generation).toBe(1);
    const respecced = store.update(relabeled, (draft) => {
      defined(draft.spec, "pod spec").activeDeadlineSeconds = 5;
    });
    expect(respecced.metadata.generation).toBe(2);
    const same = store.update(respecced, (draft) => {
      defined(draft.spec, "pod spec").activeDeadlineSeconds = 5;
    });
    expect(same).toBe(respecced);
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "MODIFIED"]);
    expect(Number(defined(events[2], "third event").rv)).toBeGreaterThan(Number(defined(events[1], "second event").rv));
  });

  it("rejects an update based on a stale object with a Conflict", () => {
    const { store } = setup();
    const created = store.create<Pod>(pod("a"));
    store.patch<Pod>("Pod", "default", "a", (draft) => {
      draft.metadata.labels = { app: "other" };
    });
    let error: unknown;
    try {
      store.update(created, (draft) => {
        draft.metadata.labels = { app: "mine" };
      });
    } catch (caught) {
      error = caught;
    }
    expect(isApiError(error, "Conflict")).toBe(true);
  });

  it("deletes an unscheduled pod at once, but gives a bound pod its grace period", () => {
    const { store, events } = setup();
    store.create(pod("pending"));
    store.delete("Pod", "default", "pending");
    expect(store.get("Pod", "default", "pending")).toBeUndefined();
    store.create(pod("bound", { nodeName: "n1", terminationGracePeriodSeconds: 45 }));
    store.delete("Pod", "default", "bound");
    const terminating = defined(store.get<Pod>("Pod", "default", "bound"), "pod bound");
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(45);
    expect(terminating.metadata.deletionTimestamp).toBe(toTimestamp(45_000));
    // a second delete can only shorten the grace
    store.delete("Pod", "default", "bound", { gracePeriodSeconds: 60 });
    expect(defined(store.get<Pod>("Pod", "default", "bound"), "pod bound").metadata.deletionGracePeriodSeconds).toBe(
      45,
    );
    store.delete("Pod", "default", "bound", { gracePeriodSeconds: 0 });
    expect(store.get("Pod", "default", "bound")).toBeUndefined();
    expect(events.filter((e) => e.type === "DELETED").map((e) => e.name)).toEqual(["pending", "bound"]);
  });

  it("keeps an object with finalizers until the last one is removed", () => {
    const { store } = setup();
    store.create({ ...pod("f", { nodeName: "n1" }), metadata: { name: "f", finalizers: ["lb/registered"] } });
    store.delete("Pod", "default", "f", { gracePeriodSeconds: 0 });
    expect(store.get<Pod>("Pod", "default", "f")?.metadata.deletionTimestamp).toBeDefined();
    store.patch<Pod>("Pod", "default", "f", (draft) => {
      draft.metadata.finalizers = [];
    });
    expect(store.get("Pod", "default", "f")).toBeUndefined();
  });

  it("refuses a delete with a uid precondition for another object", () => {
    const { store } = setup();
    store.create(pod("a", { nodeName: "n1" }));
    expect(() => store.delete("Pod", "default", "a", { gracePeriodSeconds: 0, uid: "other" })).toThrow(/modified/);
  });

  it("indexes dependents by owner uid", () => {
    const { store } = setup();
    const owner = store.create({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: {} });
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid, controller: true };
    store.create({ ...pod("p1"), metadata: { name: "p1", ownerReferences: [ref] } });
    store.create({ ...pod("p2"), metadata: { name: "p2", ownerReferences: [ref] } });
    expect(store.dependentsOf(owner.metadata.uid).map((o) => o.metadata.name)).toEqual(["p1", "p2"]);
    store.delete("Pod", "default", "p1");
    expect(store.dependentsOf(owner.metadata.uid).map((o) => o.metadata.name)).toEqual(["p2"]);
  });

  it("names objects from generateName deterministically", () => {
    const names = () => {
      const { store } = setup();
      return [1, 2, 3].map(() => store.create({ ...pod(""), metadata: { generateName: "web-" } }).metadata.name);
    };
    const first = names();
    expect(first[0]).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(names()).toEqual(first);
  });

  it("traces every change, so the same operations give the same hash", () => {
    const run = (image: string) => {
      const { store, trace } = setup();
      store.create(pod("a"));
      store.patch<Pod>("Pod", "default", "a", (draft) => {
        defined(defined(draft.spec, "pod spec").containers[0], "first container").image = image;
      });
      return trace.finish();
    };
    expect(run("web:v2")).toBe(run("web:v2"));
    expect(run("web:v2")).not.toBe(run("web:v3"));
  });
});

describe("timestamps", () => {
  it("truncate to whole seconds and round-trip", () => {
    expect(toTimestamp(1999)).toBe("2026-01-01T00:00:01Z");
    expect(fromTimestamp(toTimestamp(3_600_500))).toBe(3_600_000);
  });
});

describe("label selectors", () => {
  it.each([
    [{ matchLabels: { app: "web" } }, { app: "web", x: "1" }, true],
    [{ matchLabels: { app: "web" } }, { app: "db" }, false],
    [{}, { any: "thing" }, true],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] }, { tier: "b" }, true],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] }, {}, false],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] }, {}, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] }, { tier: "a" }, false],
    [{ matchExpressions: [{ key: "tier", operator: "Exists" }] }, { tier: "" }, true],
    [{ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, { tier: "a" }, false],
  ])("%j selects %j: %s", (selector, labels, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  it("a missing selector selects nothing", () => {
    expect(matchesSelector(undefined, { app: "web" })).toBe(false);
  });
});

describe("repeated deletes (rest.BeforeDelete)", () => {
  it("leave the grace alone unless a shorter one is given, and keep the original start", () => {
    const { store, kernel } = setup();
    store.create(pod("a", { nodeName: "n1", terminationGracePeriodSeconds: 60 }));
    store.delete("Pod", "default", "a");
    expect(defined(store.get<Pod>("Pod", "default", "a"), "pod a").metadata.deletionTimestamp).toBe(
      toTimestamp(60_000),
    );
    kernel.schedule(10_000, () => {});
    kernel.run(10_000);
    // no explicit grace: nothing changes (Kubernetes does not recompute it from the spec)
    store.delete("Pod", "default", "a");
    expect(defined(store.get<Pod>("Pod", "default", "a"), "pod a").metadata.deletionGracePeriodSeconds).toBe(60);
    // a shorter grace counts from the original delete: 0 s + 5 s, not now + 5 s
    store.delete("Pod", "default", "a", { gracePeriodSeconds: 5 });
    const shortened = defined(store.get<Pod>("Pod", "default", "a"), "pod a");
    expect(shortened.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(shortened.metadata.deletionTimestamp).toBe(toTimestamp(5_000));
  });

  it("does not remove a terminating pod that turned Failed unless asked with grace 0", () => {
    const { store } = setup();
    store.create(pod("c", { nodeName: "n1" }));
    store.delete("Pod", "default", "c");
    store.patch<Pod>("Pod", "default", "c", (draft) => {
      draft.status = { phase: "Failed" };
    });
    store.delete("Pod", "default", "c");
    expect(store.get("Pod", "default", "c")).toBeDefined();
    store.delete("Pod", "default", "c", { gracePeriodSeconds: 0 });
    expect(store.get("Pod", "default", "c")).toBeUndefined();
  });

  it("treats an empty nodeName as unscheduled (grace 0)", () => {
    const { store } = setup();
    store.create(pod("e", { nodeName: "" }));
    store.delete("Pod", "default", "e");
    expect(store.get("Pod", "default", "e")).toBeUndefined();
  });
});

describe("setStatus (status subresource)", () => {
  it("gives the same object, key order and trace as a patch that assigns the status", () => {
    const viaPatch = setup();
    const viaSetStatus = setup();
    for (const { store } of [viaPatch, viaSetStatus]) store.create(pod("a", { nodeName: "n1" }));
    const status = { phase: "Running", podIP: "10.1.0.2", conditions: [{ type: "Ready", status: "True" }] };
    const patched = viaPatch.store.patch<Pod>("Pod", "default", "a", (draft) => {
      draft.status = structuredClone(status) as never;
    });
    const set = viaSetStatus.store.setStatus<Pod>("Pod", "default", "a", structuredClone(status));
    expect(JSON.stringify(set)).toBe(JSON.stringify(patched));
    expect(Object.isFrozen(defined(defined(set.status, "status").conditions, "conditions")[0])).toBe(true);
    expect(set.metadata.generation).toBe(1);
    expect(viaSetStatus.trace.finish()).toBe(viaPatch.trace.finish());
  });

  it("writes nothing when handed the stored status itself", () => {
    const { store, events } = setup();
    const created = store.create<Pod>(pod("a"));
    expect(store.setStatus("Pod", "default", "a", created.status)).toBe(created);
    expect(events.map((e) => e.type)).toEqual(["ADDED"]);
  });
});

describe("setSpecAndStatus (binding)", () => {
  it("gives the same object, generation and trace as a patch assigning both", () => {
    const viaPatch = setup();
    const viaReplace = setup();
    for (const { store } of [viaPatch, viaReplace]) store.create(pod("a"));
    const current = defined(viaPatch.store.get<Pod>("Pod", "default", "a"), "pod a");
    const spec = { ...defined(current.spec, "pod spec"), nodeName: "n1" };
    const status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] };
    const patched = viaPatch.store.patch<Pod>("Pod", "default", "a", (draft) => {
      draft.spec = structuredClone(spec) as never;
      draft.status = structuredClone(status) as never;
    });
    const replaced = viaReplace.store.setSpecAndStatus<Pod>(
      "Pod",
      "default",
      "a",
      structuredClone(spec),
      structuredClone(status),
    );
    expect(JSON.stringify(replaced)).toBe(JSON.stringify(patched));
    expect(replaced.metadata.generation).toBe(2);
    expect(viaReplace.trace.finish()).toBe(viaPatch.trace.finish());
  });

  it("defaults new containers by taking the patch path", () => {
    const { store } = setup();
    const created = store.create<Pod>(pod("a"));
    const spec = {
      ...defined(created.spec, "pod spec"),
      containers: [{ name: "b", image: "x", readinessProbe: { httpGet: { port: 80 } } }],
    };
    const replaced = store.setSpecAndStatus<Pod>("Pod", "default", "a", spec, created.status);
    expect(replaced.spec?.containers[0]?.readinessProbe?.periodSeconds).toBe(10);
  });
});

describe("updateStatus (UpdateStatus)", () => {
  it("matches update(draft => status) and refuses a stale base", () => {
    const viaUpdate = setup();
    const viaStatus = setup();
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: { replicas: 1 } };
    const a = viaUpdate.store.create(rs);
    const b = viaStatus.store.create(rs);
    const status = { replicas: 1, readyReplicas: 1, observedGeneration: 1 };
    const updated = viaUpdate.store.update(a, (draft) => {
      (draft as { status: unknown }).status = structuredClone(status);
    });
    const replaced = viaStatus.store.updateStatus(b, structuredClone(status));
    expect(JSON.stringify(replaced)).toBe(JSON.stringify(updated));
    expect(viaStatus.trace.finish()).toBe(viaUpdate.trace.finish());
    expect(() => viaStatus.store.updateStatus(b, { replicas: 2 })).toThrow(/modified/);
  });
});

describe("nameSuffix", () => {
  it("draws five characters in order from Kubernetes' alphabet, as a per-character loop would", () => {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    const drawn = createRandomStream(7, "names");
    const reference = createRandomStream(7, "names");
    for (let n = 0; n < 50; n++) {
      let expected = "";
      for (let i = 0; i < 5; i++) expected += alphabet[Math.floor(reference.next() * alphabet.length)];
      expect(nameSuffix(drawn)).toBe(expected);
    }
  });
});

import { describe, expect, it } from "vitest";
import type { Pod, Service } from "../../src/api/kinds.ts";
import { toTimestamp } from "../../src/api/object.ts";
import {
  type EndpointSlice,
  endpointConditions,
  LABEL_SERVICE_NAME,
  sliceNameFor,
} from "../../src/network/endpoints.ts";
import { createService, netWorld } from "../helpers/network.ts";

function podWith(ready: boolean, deleting: boolean): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "p",
      namespace: "default",
      uid: "u",
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: toTimestamp(0),
      ...(deleting ? { deletionTimestamp: toTimestamp(30_000) } : {}),
    },
    status: { podIP: "10.0.0.1", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

function serviceWith(publishNotReadyAddresses: boolean): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "s",
      namespace: "default",
      uid: "s",
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: toTimestamp(0),
    },
    spec: { selector: { app: "demo" }, publishNotReadyAddresses },
  };
}

function slicesOf(world: ReturnType<typeof netWorld>["world"], service: string): EndpointSlice[] {
  return [...world.store.list<EndpointSlice>("EndpointSlice")].filter(
    (slice) => slice.metadata.labels?.[LABEL_SERVICE_NAME] === service,
  );
}

describe("EndpointSlice conditions (kubernetes-semantics.md §5.3)", () => {
  // [pod Ready, deletionTimestamp set, publishNotReadyAddresses] -> {ready, serving, terminating}
  const table: [boolean, boolean, boolean, { ready: boolean; serving: boolean; terminating: boolean }][] = [
    [true, false, false, { ready: true, serving: true, terminating: false }],
    [false, false, false, { ready: false, serving: false, terminating: false }],
    [true, true, false, { ready: false, serving: true, terminating: true }],
    [false, true, false, { ready: false, serving: false, terminating: true }],
    [true, false, true, { ready: true, serving: true, terminating: false }],
    [false, false, true, { ready: true, serving: false, terminating: false }],
    [true, true, true, { ready: true, serving: true, terminating: true }],
    [false, true, true, { ready: true, serving: false, terminating: true }],
  ];
  it.each(table)("Ready=%s deleting=%s publishNotReady=%s", (ready, deleting, publish, expected) => {
    expect(endpointConditions(podWith(ready, deleting), serviceWith(publish))).toEqual(expected);
  });
});

describe("EndpointSliceController", () => {
  it("lists matching pods with an IP that are not terminal, sorted by name, with node, zone and targetRef", () => {
    const { world, kubelet } = netWorld();
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-b", ip: "10.0.0.2", node: "dca-2" });
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    kubelet.startPod({ name: "other", ip: "10.0.0.3", labels: { app: "other" } });
    world.store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-noip", labels: { app: "demo" } },
      spec: { containers: [] },
    });
    const done = kubelet.startPod({ name: "web-done", ip: "10.0.0.4" });
    world.store.patch<Pod>("Pod", "default", done.metadata.name, (draft) => {
      draft.status = { ...draft.status, phase: "Succeeded" };
    });
    world.kernel.run(1000);
    const [slice, ...rest] = slicesOf(world, "web");
    expect(rest).toEqual([]);
    expect(slice?.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice?.metadata.ownerReferences?.[0]?.kind).toBe("Service");
    expect(slice?.ports).toEqual([{ port: 8080, protocol: "TCP" }]);
    expect(slice?.endpoints.map((endpoint) => endpoint.targetRef?.name)).toEqual(["web-a", "web-b"]);
    expect(slice?.endpoints[1]).toMatchObject({
      addresses: ["10.0.0.2"],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: "dca-2",
      zone: "DCA",
      targetRef: { kind: "Pod", name: "web-b" },
    });
  });

  it("keeps a terminating pod as serving and terminating, then drops it when it is gone", () => {
    const { world, kubelet } = netWorld();
    kubelet.shutdownMs = 5000;
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    world.store.delete("Pod", "default", "web-a");
    world.kernel.run(2000);
    expect(slicesOf(world, "web")[0]?.endpoints[0]?.conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    world.kernel.run(10_000);
    expect(slicesOf(world, "web")[0]?.endpoints).toEqual([]);
  });

  it("writes the slice only when its content changes", () => {
    const { world, kubelet } = netWorld();
    world.start();
    createService(world, "web");
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    const before = slicesOf(world, "web")[0]?.metadata.resourceVersion;
    world.store.patch<Pod>("Pod", "default", "web-a", (draft) => {
      draft.metadata.annotations = { unrelated: "change" };
    });
    world.kernel.run(2000);
    expect(slicesOf(world, "web")[0]?.metadata.resourceVersion).toBe(before);
    kubelet.setCondition("web-a", "ContainersReady", "False");
    world.kernel.run(3000);
    expect(slicesOf(world, "web")[0]?.metadata.resourceVersion).not.toBe(before);
    expect(slicesOf(world, "web")[0]?.endpoints[0]?.conditions?.ready).toBe(false);
  });

  it("makes no slice for a Service without a selector and deletes the slice with its Service", () => {
    const { world, kubelet } = netWorld();
    world.start();
    createService(world, "web");
    world.store.create({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "external" },
      spec: { ports: [{ port: 80 }] },
    });
    kubelet.startPod({ name: "web-a", ip: "10.0.0.1" });
    world.kernel.run(1000);
    expect(slicesOf(world, "web")).toHaveLength(1);
    expect(slicesOf(world, "external")).toHaveLength(0);
    world.store.delete("Service", "default", "web");
    world.kernel.run(2000);
    expect(slicesOf(world, "web")).toHaveLength(0);
  });

  it("names a slice after its Service's uid, deterministically", () => {
    const service = serviceWith(false);
    expect(sliceNameFor(service)).toBe(sliceNameFor({ ...service }));
    expect(sliceNameFor(service)).not.toBe(
      sliceNameFor({ ...service, metadata: { ...service.metadata, uid: "other" } }),
    );
  });
});

/**
 * EndpointSlice planning after reconciler.go: at most 100 endpoints a slice, endpoints stay in their
 * slice, new ones fill slices with room, empty slices go (but one placeholder stays).
 */
import { describe, expect, it } from "vitest";
import { type Endpoint, type EndpointSlice, MAX_ENDPOINTS_PER_SLICE, planSlices } from "../../src/network/endpoints.ts";

const endpoint = (i: number, ready = true): Endpoint => ({
  addresses: [`10.0.${i >> 8}.${i & 255}`],
  conditions: { ready, serving: ready, terminating: false },
  targetRef: { kind: "Pod", namespace: "default", name: `web-${String(i).padStart(4, "0")}`, uid: `uid-${i}` },
});

const desiredOf = (endpoints: Endpoint[]): Map<string, Endpoint> =>
  new Map(endpoints.map((each) => [each.targetRef?.uid as string, each]));

const slice = (name: string, endpoints: Endpoint[]): EndpointSlice =>
  ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", uid: name, resourceVersion: "1", generation: 1, creationTimestamp: "" },
    addressType: "IPv4",
    endpoints,
  }) as EndpointSlice;

const range = (from: number, to: number): Endpoint[] => Array.from({ length: to - from }, (_, i) => endpoint(from + i));

describe("planSlices", () => {
  it("splits 250 new endpoints into slices of at most 100", () => {
    const plan = planSlices([], desiredOf(range(0, 250)));
    expect(plan.create.map((each) => each.length)).toEqual([100, 100, 50]);
    expect(plan.keep.size).toBe(0);
    expect(MAX_ENDPOINTS_PER_SLICE).toBe(100);
  });

  it("leaves a full slice alone and adds a new endpoint to the slice with room", () => {
    const full = range(0, 100);
    const half = range(100, 150);
    const plan = planSlices([slice("a", full), slice("b", half)], desiredOf([...full, ...half, endpoint(150)]));
    expect(plan.keep.get("a")).toEqual(full);
    expect(plan.keep.get("b")?.length).toBe(51);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("puts a replacement into the slice that lost an endpoint (it changes anyway)", () => {
    const a = range(0, 100);
    const b = range(100, 130);
    const desired = desiredOf([...a.slice(1), ...b, endpoint(500)]);
    const plan = planSlices([slice("a", a), slice("b", b)], desired);
    expect(plan.keep.get("a")?.length).toBe(100);
    expect(plan.keep.get("a")?.some((each) => each.targetRef?.uid === "uid-500")).toBe(true);
    expect(plan.keep.get("b")).toEqual(b);
  });

  it("updates an endpoint in place when its conditions change", () => {
    const before = range(0, 3);
    const after = [endpoint(0), endpoint(1, false), endpoint(2)];
    const plan = planSlices([slice("a", before)], desiredOf(after));
    expect(plan.keep.get("a")).toEqual(after);
  });

  it("removes slices left empty, but keeps one placeholder when nothing is left", () => {
    const plan = planSlices([slice("a", range(0, 100)), slice("b", range(100, 120))], desiredOf(range(100, 120)));
    expect(plan.remove).toEqual(["a"]);
    const empty = planSlices([slice("a", range(0, 5)), slice("b", range(5, 9))], new Map());
    expect([...empty.keep.keys()]).toEqual(["a"]);
    expect(empty.keep.get("a")).toEqual([]);
    expect(empty.remove).toEqual(["b"]);
    expect(planSlices([], new Map()).create).toEqual([[]]);
  });

  it("never places an endpoint twice and never exceeds the cap", () => {
    const messy = [slice("a", [...range(0, 60), endpoint(5)]), slice("b", range(60, 160))];
    const plan = planSlices(messy, desiredOf(range(0, 230)));
    const all = [...plan.keep.values(), ...plan.create].flat();
    expect(all.length).toBe(230);
    expect(new Set(all.map((each) => each.targetRef?.uid)).size).toBe(230);
    for (const list of [...plan.keep.values(), ...plan.create]) expect(list.length).toBeLessThanOrEqual(100);
  });
});

import type { ContainerStatus, PodCondition, PodSpec } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import {
  generateContainersReadyCondition,
  generatePodReadyCondition,
  jsonEqual,
  keyCount,
  mergeConditions,
} from "../../src/cluster/pod-status.ts";

const status = (name: string, ready: boolean): ContainerStatus => ({
  name,
  ready,
  image: "",
  imageID: "",
  restartCount: 0,
});
const spec = (containers: string[], gates: string[] = []): PodSpec => ({
  containers: containers.map((name) => ({ name })),
  readinessGates: gates.map((conditionType) => ({ conditionType })),
});
const gate = (type: string, value: string): PodCondition => ({ type, status: value });

// kubernetes-semantics.md §5.4, TestGeneratePodReadyCondition.
describe("GeneratePodReadyCondition vectors", () => {
  it.each([
    [1, undefined, undefined, [], "Running", "False", "UnknownContainerStatuses", undefined],
    [2, spec([]), [], [], "Running", "True", undefined, undefined],
    [3, spec(["c1"]), [], [], "Running", "False", "ContainersNotReady", "containers with unknown status: [c1]"],
    [4, spec(["c1", "c2"]), [status("c1", true), status("c2", true)], [], "Running", "True", undefined, undefined],
    [
      5,
      spec(["c1", "c2"]),
      [status("c1", true)],
      [],
      "Running",
      "False",
      "ContainersNotReady",
      "containers with unknown status: [c2]",
    ],
    [
      6,
      spec(["c1", "c2"]),
      [status("c1", true), status("c2", false)],
      [],
      "Running",
      "False",
      "ContainersNotReady",
      "containers with unready status: [c2]",
    ],
    [7, spec(["c1"]), [status("c1", false)], [], "Succeeded", "False", "PodCompleted", undefined],
    [
      8,
      spec([], ["gate1"]),
      [],
      [],
      "Running",
      "False",
      "ReadinessGatesNotReady",
      'corresponding condition of pod readiness gate "gate1" does not exist.',
    ],
    [
      9,
      spec([], ["gate1"]),
      [],
      [gate("gate1", "False")],
      "Running",
      "False",
      "ReadinessGatesNotReady",
      'the status of pod readiness gate "gate1" is not "True", but False',
    ],
    [10, spec([], ["gate1"]), [], [gate("gate1", "True")], "Running", "True", undefined, undefined],
    [
      11,
      spec([], ["gate1", "gate2"]),
      [],
      [gate("gate1", "True")],
      "Running",
      "False",
      "ReadinessGatesNotReady",
      'corresponding condition of pod readiness gate "gate2" does not exist.',
    ],
    [
      12,
      spec([], ["gate1", "gate2"]),
      [],
      [gate("gate1", "True"), gate("gate2", "False")],
      "Running",
      "False",
      "ReadinessGatesNotReady",
      'the status of pod readiness gate "gate2" is not "True", but False',
    ],
    [
      13,
      spec([], ["gate1", "gate2"]),
      [],
      [gate("gate1", "True"), gate("gate2", "True")],
      "Running",
      "True",
      undefined,
      undefined,
    ],
    [
      14,
      spec(["c1"], ["gate1"]),
      [status("c1", false)],
      [gate("gate1", "True")],
      "Running",
      "False",
      "ContainersNotReady",
      "containers with unready status: [c1]",
    ],
  ] as const)("vector %i", (_n, podSpec, statuses, conditions, phase, expectedStatus, reason, message) => {
    const ready = generatePodReadyCondition(
      podSpec as PodSpec | undefined,
      conditions as readonly PodCondition[],
      statuses as readonly ContainerStatus[] | undefined,
      phase,
    );
    expect(ready.type).toBe("Ready");
    expect(ready.status).toBe(expectedStatus);
    expect(ready.reason).toBe(reason);
    expect(ready.message).toBe(message);
  });

  it("lists every unknown and unready container, unknown first", () => {
    const ready = generateContainersReadyCondition(spec(["a", "b", "c"]), [status("b", false)], "Running");
    expect(ready.message).toBe("containers with unknown status: [a c], containers with unready status: [b]");
  });

  it("reports PodFailed for a failed pod", () => {
    expect(generateContainersReadyCondition(spec(["c1"]), [status("c1", true)], "Failed").reason).toBe("PodFailed");
  });

  it("joins several gate messages with a comma", () => {
    const ready = generatePodReadyCondition(spec([], ["g1", "g2"]), [gate("g2", "Unknown")], [], "Running");
    expect(ready.message).toBe(
      'corresponding condition of pod readiness gate "g1" does not exist., the status of pod readiness gate "g2" is not "True", but Unknown',
    );
  });
});

describe("mergeConditions", () => {
  const old: PodCondition[] = [
    { type: "PodScheduled", status: "True", lastTransitionTime: "T0" },
    { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: "T0" },
    { type: "lb/ready", status: "True", lastTransitionTime: "T0" },
  ];

  it("returns null when nothing changes", () => {
    expect(mergeConditions(old, [{ type: "Ready", status: "False", reason: "ContainersNotReady" }], "T1")).toBeNull();
  });

  it("moves lastTransitionTime only on a status change and keeps conditions it does not own", () => {
    const merged = mergeConditions(
      old,
      [
        { type: "Ready", status: "True" },
        { type: "ContainersReady", status: "True" },
      ],
      "T1",
    );
    expect(merged).toEqual([
      old[0],
      { type: "Ready", status: "True", lastTransitionTime: "T1" },
      old[2],
      { type: "ContainersReady", status: "True", lastTransitionTime: "T1" },
    ]);
    const reasonOnly = mergeConditions(
      old,
      [{ type: "Ready", status: "False", reason: "ReadinessGatesNotReady" }],
      "T2",
    );
    expect(reasonOnly?.[1]).toEqual({
      type: "Ready",
      status: "False",
      reason: "ReadinessGatesNotReady",
      lastTransitionTime: "T0",
    });
  });
});

describe("mergeConditions stamped entries", () => {
  it("writes keys in API order: type, status, reason, message, lastTransitionTime", () => {
    const merged = mergeConditions(undefined, [{ type: "Ready", status: "False", reason: "R", message: "M" }], "T1");
    expect(Object.keys(merged?.[0] ?? {})).toEqual(["type", "status", "reason", "message", "lastTransitionTime"]);
    expect(Object.isFrozen(merged?.[0])).toBe(true);
  });

  it("shares the stamped copy of a shared (frozen) condition within the same stamp only", () => {
    const shared = Object.freeze({ type: "Ready", status: "True" as const });
    const first = mergeConditions(undefined, [shared], "T1")?.[0];
    expect(mergeConditions(undefined, [shared], "T1")?.[0]).toBe(first);
    const later = mergeConditions(undefined, [shared], "T2")?.[0];
    expect(later).not.toBe(first);
    expect(later).toEqual({ type: "Ready", status: "True", lastTransitionTime: "T2" });
    const unshared = { type: "Ready", status: "True" as const };
    expect(mergeConditions(undefined, [unshared], "T2")?.[0]).not.toBe(later);
  });
});

describe("jsonEqual", () => {
  it("compares JSON values structurally, key order aside", () => {
    expect(jsonEqual({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(keyCount({})).toBe(0);
    expect(keyCount(Object.freeze({ a: 1, b: undefined }))).toBe(2);
  });
});

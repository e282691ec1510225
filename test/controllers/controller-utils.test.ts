/**
 * The pure helpers of controller-utils.ts: the deletion order (each rule of
 * ActivePodsWithRanks.Less deciding on its own, rule precedence, logarithmic buckets, the
 * deletion-cost parser), getPodsToDelete, slow start, expectations, active-pod filtering, and
 * the claim decision with adoption and release.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import type { PodStatus } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api/errors.ts";
import { ANNOTATION_DELETION_COST, type Pod } from "../../src/api/kinds.ts";
import { controllerRef, type KObject, toTimestamp } from "../../src/api/object.ts";
import {
  activePodsPerNode,
  adoptPod,
  ControllerExpectations,
  claimAction,
  compareForDeletion,
  deleteBefore,
  deletionCost,
  EXPECTATIONS_TIMEOUT_MS,
  filterActivePods,
  floorLog2,
  getPodsToDelete,
  logarithmicRankDiff,
  podFromTemplate,
  rankedPod,
  releasePod,
  selectFirst,
  slowStartBatch,
} from "../../src/controllers/controller-utils.ts";
import { makeWorld } from "../helpers/world.ts";

const NOW_MS = 1_000_000;

interface PodSpecOptions {
  uid?: string;
  node?: string;
  phase?: string;
  /** Ready=True since this virtual ms; null: ready without a lastTransitionTime. */
  readySinceMs?: number | null;
  notReady?: boolean;
  cost?: string;
  restarts?: number;
  createdMs?: number;
  labels?: Record<string, string>;
  deleting?: boolean;
  ownerReferences?: KObject["metadata"]["ownerReferences"];
}

/** A stored-looking pod built by hand (no store needed for the pure helpers). */
function pod(name: string, options: PodSpecOptions = {}): Pod {
  const status: PodStatus = {};
  if (options.phase !== undefined) status.phase = options.phase;
  if (options.readySinceMs !== undefined) {
    status.conditions = [
      options.readySinceMs === null
        ? { type: "Ready", status: "True" }
        : { type: "Ready", status: "True", lastTransitionTime: toTimestamp(options.readySinceMs) },
    ];
  } else if (options.notReady === true) {
    status.conditions = [{ type: "Ready", status: "False" }];
  }
  if (options.restarts !== undefined) {
    status.containerStatuses = [
      { name: "a", image: "x", imageID: "", ready: false, restartCount: 0 },
      { name: "b", image: "x", imageID: "", ready: false, restartCount: options.restarts },
    ];
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: options.uid ?? `uid-${name}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: toTimestamp(options.createdMs ?? 0),
      labels: options.labels ?? { app: "web" },
      ...(options.cost === undefined ? {} : { annotations: { [ANNOTATION_DELETION_COST]: options.cost } }),
      ...(options.deleting === true ? { deletionTimestamp: toTimestamp(0) } : {}),
      ...(options.ownerReferences === undefined ? {} : { ownerReferences: options.ownerReferences }),
    },
    spec: {
      containers: [{ name: "a", image: "x" }],
      ...(options.node === undefined ? {} : { nodeName: options.node }),
    },
    status,
  };
}

const running = (name: string, options: PodSpecOptions = {}): Pod =>
  pod(name, { node: "n1", phase: "Running", readySinceMs: 500_000, ...options });

interface OrderCase {
  name: string;
  first: Pod;
  second: Pod;
  firstRank?: number;
  secondRank?: number;
  nowMs?: number | undefined;
}

describe("deletion order (ActivePodsWithRanks.Less)", () => {
  // Each case: `first` must be deleted before `second`, decided by the rule the name gives; the
  // `second` pod is set up to win every later rule, so only that rule can put `first` first.
  const cases: OrderCase[] = [
    {
      name: "1. unassigned before assigned",
      first: pod("z", { phase: "Running", readySinceMs: 100_000, cost: "100" }),
      second: pod("a", { node: "n1", phase: "Pending" }),
    },
    {
      name: "2. Pending before Running",
      first: running("z", { phase: "Pending", cost: "100" }),
      second: running("a", { notReady: true, readySinceMs: undefined }),
    },
    {
      name: "2. Unknown before Running",
      first: running("z", { phase: "Unknown" }),
      second: running("a", { readySinceMs: undefined, notReady: true }),
    },
    {
      name: "2. Pending before Unknown",
      first: running("z", { phase: "Pending" }),
      second: running("a", { phase: "Unknown", readySinceMs: undefined }),
    },
    {
      name: "2. a phase without an ordinal (Succeeded) counts as Pending",
      first: running("z", { phase: "Succeeded" }),
      second: running("a", { phase: "Unknown", readySinceMs: undefined }),
    },
    {
      name: "3. not ready before ready",
      first: running("z", { readySinceMs: undefined, notReady: true, cost: "100" }),
      second: running("a", { cost: "-100" }),
    },
    {
      name: "4. lower deletion cost first",
      first: running("z", { cost: "-1" }),
      second: running("a", { readySinceMs: 999_000 }),
      firstRank: 1,
      secondRank: 5,
    },
    {
      name: "5. higher rank first",
      first: running("z", { readySinceMs: 100_000, restarts: 0 }),
      second: running("a", { readySinceMs: 999_000, restarts: 9 }),
      firstRank: 3,
      secondRank: 2,
    },
    {
      name: "6. ready for less time first (different log2 buckets: 5 s vs 10 s)",
      first: running("z", { readySinceMs: NOW_MS - 5_000, uid: "uid-9" }),
      second: running("a", { readySinceMs: NOW_MS - 10_000, uid: "uid-1", restarts: 9 }),
    },
    {
      name: "6. same log2 bucket (10 s and 12 s ago): smaller UID first, whatever the times",
      first: running("z", { readySinceMs: NOW_MS - 12_000, uid: "uid-1" }),
      second: running("a", { readySinceMs: NOW_MS - 10_000, uid: "uid-2", restarts: 9 }),
    },
    {
      name: "6. without Now, plain comparison: more recently ready first",
      first: running("z", { readySinceMs: NOW_MS - 10_000, uid: "uid-2" }),
      second: running("a", { readySinceMs: NOW_MS - 12_000, uid: "uid-1", restarts: 9 }),
      nowMs: undefined,
    },
    {
      name: "6. a zero ready time counts as the most recent",
      first: running("z", { readySinceMs: null, uid: "uid-9" }),
      second: running("a", { readySinceMs: NOW_MS - 1_000, uid: "uid-1", restarts: 9 }),
    },
    {
      name: "7. more container restarts first",
      first: running("z", { restarts: 3, createdMs: 0 }),
      second: running("a", { restarts: 2, createdMs: 900_000 }),
    },
    {
      name: "7. restarts decide when both are not ready (rule 6 needs both ready)",
      first: running("z", { readySinceMs: undefined, notReady: true, restarts: 1 }),
      second: running("a", { readySinceMs: undefined, notReady: true }),
    },
    {
      name: "8. newer first (different log2 buckets)",
      first: running("z", { createdMs: 990_000, uid: "uid-9" }),
      second: running("a", { createdMs: 900_000, uid: "uid-1" }),
    },
    {
      name: "8. same log2 bucket (10 s and 12 s old): smaller UID first",
      first: running("z", { createdMs: NOW_MS - 12_000, uid: "uid-1" }),
      second: running("a", { createdMs: NOW_MS - 10_000, uid: "uid-2" }),
    },
    {
      name: "tie: nothing decides, so the uid does (then the name)",
      first: running("a", { uid: "uid-1" }),
      second: running("b", { uid: "uid-9" }),
    },
  ];

  it("ends ties on the uid before the name, so the creation-time rule's uid order stays consistent", () => {
    const older = rankedPod(running("z", { uid: "uid-1" }), 1, NOW_MS);
    const newer = rankedPod(running("y", { uid: "uid-2" }), 1, NOW_MS);
    expect(compareForDeletion(older, newer)).toBe(-1);
    expect(compareForDeletion(newer, older)).toBe(1);
  });

  it.each(cases)("$name", ({ first, second, firstRank = 1, secondRank = 1, ...rest }) => {
    const nowMs = "nowMs" in rest ? rest.nowMs : NOW_MS;
    const a = rankedPod(first, firstRank, nowMs);
    const b = rankedPod(second, secondRank, nowMs);
    expect(compareForDeletion(a, b)).toBe(-1);
    expect(compareForDeletion(b, a)).toBe(1);
    expect(deleteBefore(a, b)).toBe(first.metadata.name !== "a"); // the tie case is decided by our tie-break only
  });

  it("reports no decision (Less false both ways) for a tie, before the name tie-break", () => {
    const a = rankedPod(running("a", { uid: "uid-9" }), 1, NOW_MS);
    const b = rankedPod(running("b", { uid: "uid-1" }), 1, NOW_MS);
    expect(deleteBefore(a, b)).toBe(false);
    expect(deleteBefore(b, a)).toBe(false);
  });

  it("skips rule 1 when both pods are unassigned and when both are assigned", () => {
    const unassignedRunning = rankedPod(pod("a", { phase: "Running" }), 0, NOW_MS);
    const unassignedPending = rankedPod(pod("b", { phase: "Pending" }), 0, NOW_MS);
    expect(compareForDeletion(unassignedPending, unassignedRunning)).toBe(-1);
    const onNode1 = rankedPod(running("a", { node: "n1" }), 0, NOW_MS);
    const onNode2Pending = rankedPod(running("b", { node: "n2", phase: "Pending" }), 0, NOW_MS);
    expect(compareForDeletion(onNode2Pending, onNode1)).toBe(-1);
  });

  it("is antisymmetric for any pair of pods", () => {
    const arbitraryPod = fc
      .record({
        node: fc.constantFrom(undefined, "n1"),
        phase: fc.constantFrom(undefined, "Pending", "Running", "Unknown"),
        readySinceMs: fc.option(fc.integer({ min: 0, max: NOW_MS }), { nil: undefined }),
        cost: fc.constantFrom(undefined, "1", "-1"),
        restarts: fc.integer({ min: 0, max: 2 }),
        createdMs: fc.integer({ min: 0, max: NOW_MS }),
        uid: fc.constantFrom("u1", "u2", "u3"),
        name: fc.constantFrom("a", "b", "c"),
        rank: fc.integer({ min: 0, max: 2 }),
      })
      .map((o) => rankedPod(pod(o.name, o), o.rank, NOW_MS));
    fc.assert(
      fc.property(arbitraryPod, arbitraryPod, (a, b) => {
        expect(compareForDeletion(a, b)).toBe(-compareForDeletion(b, a) || 0);
      }),
    );
  });
});

describe("logarithmic buckets", () => {
  it.each([
    [1, 0],
    [2, 1],
    [3, 1],
    [2 ** 40 - 1, 39],
    [2 ** 40, 40],
    [2 ** 40 + 1, 40],
    [2 ** 32 - 1, 31],
    [2 ** 32, 32],
    [2 ** 33 - 1, 32],
    [1e10, 33],
    [2 ** 52, 52],
    [2 ** 53 - 1, 52],
    [2.5, 1],
  ])("floorLog2(%d) = %d", (n, expected) => {
    expect(floorLog2(n)).toBe(expected);
  });

  fcTest.prop([fc.bigInt({ min: 1n, max: 2n ** 53n - 1n })])("floorLog2 equals the bit length minus one", (n) => {
    expect(floorLog2(Number(n))).toBe(n.toString(2).length - 1);
  });

  it("compares floor(log2(age in ns)); a time at or after now is bucket -1", () => {
    // 10 s = 1e10 ns -> 33; 12 s -> 33; 5 s -> 32; 17.2 s = 1.72e10 ns -> 34 (2^34 = 1.718e10).
    expect(logarithmicRankDiff(NOW_MS - 10_000, NOW_MS - 12_000, NOW_MS)).toBe(0);
    expect(logarithmicRankDiff(NOW_MS - 5_000, NOW_MS - 10_000, NOW_MS)).toBe(-1);
    expect(logarithmicRankDiff(NOW_MS - 17_200, NOW_MS - 17_100, NOW_MS)).toBe(1);
    expect(logarithmicRankDiff(NOW_MS, NOW_MS - 1, NOW_MS)).toBe(-1 - 19); // 1 ms = 1e6 ns -> 19
    expect(logarithmicRankDiff(NOW_MS + 5, NOW_MS, NOW_MS)).toBe(0);
  });
});

describe("deletionCost (GetDeletionCostFromPodAnnotations)", () => {
  it.each([
    [undefined, 0],
    ["10", 10],
    ["-5", -5],
    ["0", 0],
    ["-0", 0],
    ["+10", 0],
    ["010", 0],
    ["00", 0],
    ["-010", -10],
    ["", 0],
    ["-", 0],
    ["abc", 0],
    ["1.5", 0],
    ["1e3", 0],
    [" 5", 0],
    ["5 ", 0],
    ["2147483647", 2_147_483_647],
    ["2147483648", 0],
    ["-2147483648", -2_147_483_648],
    ["-2147483649", 0],
    ["99999999999999999999", 0],
  ])("%j -> %d", (value, expected) => {
    const annotations = value === undefined ? undefined : { [ANNOTATION_DELETION_COST]: value };
    expect(deletionCost(annotations)).toBe(expected);
  });
});

describe("getPodsToDelete", () => {
  it("returns the first diff pods unsorted when all of them go", () => {
    const pods = [
      running("ready"),
      pod("unassigned"),
      running("notready", { notReady: true, readySinceMs: undefined }),
    ];
    expect(getPodsToDelete(pods, pods, 3, NOW_MS).map((p) => p.metadata.name)).toEqual([
      "ready",
      "unassigned",
      "notready",
    ]);
    expect(getPodsToDelete(pods, pods, 5, NOW_MS)).toHaveLength(3);
  });

  it("returns the diff first pods in deletion order otherwise", () => {
    const pods = [
      running("ready"),
      pod("unassigned"),
      running("notready", { notReady: true, readySinceMs: undefined }),
    ];
    expect(getPodsToDelete(pods, pods, 2, NOW_MS).map((p) => p.metadata.name)).toEqual(["unassigned", "notready"]);
    expect(getPodsToDelete(pods, pods, 0, NOW_MS)).toEqual([]);
  });

  it("ranks by active related pods on the same node", () => {
    const mine = [running("on-n1", { node: "n1" }), running("on-n2", { node: "n2" })];
    const others = [running("x1", { node: "n1" }), running("x2", { node: "n2" }), running("x3", { node: "n2" })];
    // n1: on-n1 + x1 = 2, n2: on-n2 + x2 + x3 = 3.
    expect(getPodsToDelete(mine, [...mine, ...others], 1, NOW_MS)[0]?.metadata.name).toBe("on-n2");
  });

  it("does not count related pods that are not active", () => {
    const mine = [running("on-n1", { node: "n1" }), running("on-n2", { node: "n2" })];
    const others = [
      running("x1", { node: "n1" }),
      running("gone1", { node: "n2", deleting: true }),
      running("gone2", { node: "n2", phase: "Failed" }),
    ];
    expect(activePodsPerNode([...mine, ...others])).toEqual(
      new Map([
        ["n1", 2],
        ["n2", 1],
      ]),
    );
    expect(getPodsToDelete(mine, [...mine, ...others], 1, NOW_MS)[0]?.metadata.name).toBe("on-n1");
  });

  it("gives every pod rank 0 without related pods, so a later rule decides", () => {
    const mine = [
      running("b-on-n1", { node: "n1" }),
      running("a-on-n2", { node: "n2" }),
      running("c-on-n1", { node: "n1" }),
    ];
    expect(getPodsToDelete(mine, [], 1, NOW_MS)[0]?.metadata.name).toBe("a-on-n2");
    expect(getPodsToDelete(mine, mine, 1, NOW_MS)[0]?.metadata.name).toBe("b-on-n1");
  });

  // The ranking skips the age buckets of a pod that rules 1-5 already reject; it must still give
  // what the plain bounded heap gives, in the same input order (the order can matter: rules 6
  // and 8 compare by uid inside a bucket, which is not transitive with the other rules).
  fcTest.prop([
    fc.array(
      fc.record({
        node: fc.constantFrom(undefined, "n1", "n2", "n3"),
        phase: fc.constantFrom(undefined, "Pending", "Running", "Unknown"),
        readySinceMs: fc.option(fc.constantFrom(0, 1000, 1000 + 2 ** 20, NOW_MS - 1, NOW_MS), { nil: undefined }),
        cost: fc.constantFrom(undefined, "1", "-1"),
        restarts: fc.integer({ min: 0, max: 2 }),
        createdMs: fc.constantFrom(0, 1000, 2 ** 19, NOW_MS - 1, NOW_MS),
        uid: fc.constantFrom("u1", "u2", "u3", "u4", "u5"),
      }),
      { maxLength: 14 },
    ),
    fc.integer({ min: 0, max: 15 }),
  ])("chooses what selectFirst over the ranked pods chooses", (specs, diff) => {
    const pods = specs.map((spec, index) => pod(`p${index}`, spec));
    const perNode = activePodsPerNode(pods);
    const ranked = pods.map((p) => rankedPod(p, perNode.get(p.spec?.nodeName ?? "") ?? 0, NOW_MS));
    const expected =
      diff >= pods.length ? pods.slice(0, diff) : selectFirst(ranked, diff, compareForDeletion).map((r) => r.pod);
    expect(getPodsToDelete(pods, pods, diff, NOW_MS)).toEqual(expected);
  });
});

describe("selectFirst", () => {
  fcTest.prop([fc.array(fc.integer({ min: 0, max: 50 })), fc.integer({ min: 0, max: 60 })])(
    "equals sorting and slicing under a total order",
    (values, count) => {
      const compare = (a: number, b: number) => a - b;
      expect(selectFirst(values, count, compare)).toEqual([...values].sort(compare).slice(0, count));
    },
  );
});

describe("slowStartBatch", () => {
  function recorder(failOnCalls: number[]) {
    const calls: number[] = [];
    const call = (): Error | undefined => {
      calls.push(calls.length + 1);
      return failOnCalls.includes(calls.length) ? new Error(`call ${calls.length}`) : undefined;
    };
    return { calls, call };
  }

  it("makes every call in batches of 1, 2, 4, ... when all succeed", () => {
    const { calls, call } = recorder([]);
    expect(slowStartBatch(10, 1, call)).toEqual({ successes: 10, error: undefined });
    expect(calls).toHaveLength(10);
  });

  it("finishes the failing batch and skips the later ones", () => {
    // Batches: [1], [2, 3], [4, 5, 6, 7], [8, 9, 10]; call 5 fails.
    const { calls, call } = recorder([5]);
    const result = slowStartBatch(10, 1, call);
    expect(calls).toHaveLength(7);
    expect(result.successes).toBe(6);
    expect(result.error?.message).toBe("call 5");
  });

  it("reports the first error of the batch and counts every failure", () => {
    const { calls, call } = recorder([2, 3]);
    const result = slowStartBatch(10, 1, call);
    expect(calls).toHaveLength(3);
    expect(result).toEqual({ successes: 1, error: new Error("call 2") });
  });

  it("starts with the initial batch size and makes no call for a count of 0", () => {
    const { calls, call } = recorder([2]);
    expect(slowStartBatch(10, 3, call).successes).toBe(2);
    expect(calls).toHaveLength(3);
    const none = recorder([]);
    expect(slowStartBatch(0, 1, none.call)).toEqual({ successes: 0, error: undefined });
    expect(none.calls).toHaveLength(0);
  });
});

describe("ControllerExpectations", () => {
  function clocked() {
    const clock = { nowMs: 0 };
    return { clock, expectations: new ControllerExpectations(() => clock.nowMs) };
  }

  it("is satisfied for an unknown key and once every creation is observed", () => {
    const { expectations } = clocked();
    expect(expectations.satisfied("ns/rs")).toBe(true);
    expectations.expectCreations("ns/rs", 2);
    expect(expectations.satisfied("ns/rs")).toBe(false);
    expectations.creationObserved("ns/rs");
    expect(expectations.satisfied("ns/rs")).toBe(false);
    expectations.creationObserved("ns/rs");
    expect(expectations.satisfied("ns/rs")).toBe(true);
  });

  it("counts each expected pod deletion once and ignores unexpected ones", () => {
    const { expectations } = clocked();
    expectations.expectDeletions("ns/rs", ["ns/a", "ns/b"]);
    expectations.deletionObserved("ns/rs", "ns/a");
    expectations.deletionObserved("ns/rs", "ns/a"); // the DELETED after the deletionTimestamp update
    expectations.deletionObserved("ns/rs", "ns/zzz");
    expect(expectations.get("ns/rs")?.del).toBe(1);
    expect(expectations.satisfied("ns/rs")).toBe(false);
    expectations.deletionObserved("ns/rs", "ns/b");
    expect(expectations.satisfied("ns/rs")).toBe(true);
  });

  it("expires strictly after the timeout, in virtual time", () => {
    const { clock, expectations } = clocked();
    clock.nowMs = 1_000;
    expectations.expectCreations("ns/rs", 1);
    clock.nowMs = 1_000 + EXPECTATIONS_TIMEOUT_MS;
    expect(expectations.satisfied("ns/rs")).toBe(false);
    clock.nowMs += 1;
    expect(expectations.satisfied("ns/rs")).toBe(true);
    expect(EXPECTATIONS_TIMEOUT_MS).toBe(300_000);
  });

  it("lowers, raises and forgets", () => {
    const { expectations } = clocked();
    expectations.set("ns/rs", 3, 1);
    expectations.lower("ns/rs", 3, 0);
    expect(expectations.satisfied("ns/rs")).toBe(false);
    expectations.lower("ns/rs", 0, 1);
    expect(expectations.satisfied("ns/rs")).toBe(true);
    expectations.raise("ns/rs", 1, 0);
    expect(expectations.satisfied("ns/rs")).toBe(false);
    expectations.delete("ns/rs");
    expect(expectations.get("ns/rs")).toBeUndefined();
    expectations.creationObserved("ns/rs");
    expect(expectations.get("ns/rs")).toBeUndefined();
  });
});

describe("filterActivePods", () => {
  it("drops Succeeded, Failed and terminating pods", () => {
    const pods = [
      running("a"),
      pod("b", { phase: "Succeeded" }),
      pod("c", { phase: "Failed" }),
      running("d", { deleting: true }),
      pod("e"),
    ];
    expect(filterActivePods(pods).map((p) => p.metadata.name)).toEqual(["a", "e"]);
  });
});

describe("claiming pods", () => {
  const owner = (deleting = false): KObject => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: "rs",
      namespace: "default",
      uid: "uid-rs",
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: toTimestamp(0),
      ...(deleting ? { deletionTimestamp: toTimestamp(0) } : {}),
    },
  });
  const ownedBy = (uid: string) => [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid, controller: true }];

  it.each([
    ["owned by another controller", pod("p", { ownerReferences: ownedBy("other") }), true, false, "ignore"],
    ["owned and matching", pod("p", { ownerReferences: ownedBy("uid-rs") }), true, false, "claim"],
    ["owned, matching, owner being deleted", pod("p", { ownerReferences: ownedBy("uid-rs") }), true, true, "claim"],
    ["owned, no longer matching", pod("p", { ownerReferences: ownedBy("uid-rs") }), false, false, "release"],
    [
      "owned, not matching, owner being deleted",
      pod("p", { ownerReferences: ownedBy("uid-rs") }),
      false,
      true,
      "ignore",
    ],
    ["orphan matching", pod("p"), true, false, "adopt"],
    ["orphan not matching", pod("p"), false, false, "ignore"],
    ["orphan matching, owner being deleted", pod("p"), true, true, "ignore"],
    ["orphan matching, pod being deleted", pod("p", { deleting: true }), true, false, "ignore"],
  ] as const)("%s -> %s", (_label, candidate, matches, ownerDeleting, expected) => {
    expect(claimAction(owner(ownerDeleting), candidate, matches)).toBe(expected);
  });

  it("adopts an orphan and releases it again through the store", () => {
    const world = makeWorld();
    const rs = world.store.create({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: {} });
    const orphan = world.store.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} });
    const adopted = adoptPod(world.store, rs, orphan);
    expect(adopted.metadata.ownerReferences).toEqual([controllerRef(rs)]);
    expect(adoptPod(world.store, rs, orphan)).toBe(adopted); // again: no write
    expect(world.store.get("Pod", "default", "p")?.metadata.resourceVersion).toBe(adopted.metadata.resourceVersion);
    releasePod(world.store, rs, adopted);
    expect(world.store.get<Pod>("Pod", "default", "p")?.metadata.ownerReferences).toBeUndefined();
    releasePod(world.store, rs, adopted); // nothing left to release: a no-op, no error
  });

  it("refuses to adopt a pod another controller took first, or one replaced by a new pod", () => {
    const world = makeWorld();
    const rs = world.store.create({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: {} });
    const other = world.store.create({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "o" }, spec: {} });
    const orphan = world.store.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} });
    adoptPod(world.store, other, orphan);
    expect(() => adoptPod(world.store, rs, orphan)).toThrow(ApiError);
    world.store.delete("Pod", "default", "p");
    const replacement = world.store.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} });
    expect(replacement.metadata.uid).not.toBe(orphan.metadata.uid);
    expect(() => adoptPod(world.store, rs, orphan)).toThrow(/modified/);
  });
});

describe("podFromTemplate", () => {
  it("copies labels, annotations, finalizers and spec and sets the controller reference", () => {
    const world = makeWorld();
    const rs = world.store.create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web", namespace: "prod" },
      spec: {},
    });
    const template = {
      metadata: { labels: { app: "web" }, annotations: { note: "x" }, finalizers: ["f/x"] },
      spec: { containers: [{ name: "app", image: "web:v1" }] },
    };
    const created = podFromTemplate(template, rs);
    expect(created).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: "web-",
        namespace: "prod",
        labels: { app: "web" },
        annotations: { note: "x" },
        finalizers: ["f/x"],
        ownerReferences: [controllerRef(rs)],
      },
      spec: template.spec,
    });
  });
});

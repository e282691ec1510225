/**
 * The ReplicaSet controller keeps running pod counts instead of walking every pod per sync. This
 * checks them against the full pass (countPods over the claimed pods) after random sequences of
 * pod changes, checks that replacing a pod's version equals removing and adding it, and checks
 * the availability count at its boundaries.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { toTimestamp } from "../../src/api/object.ts";
import { isPodActive } from "../../src/api/pod.ts";
import { matchesSelector } from "../../src/api/selector.ts";
import { countPods, ReplicaSetPodTally } from "../../src/controllers/replicaset-tally.ts";

const selectorSource = { matchLabels: { app: "web" } };
const templateLabels = { app: "web", tier: "front" };

interface PodState {
  labels: "full" | "selector-only" | "other";
  phase: "Pending" | "Running" | "Failed";
  readySinceSeconds: number | null | undefined; // undefined: not ready; null: ready, no time
  deleting: boolean;
  node: string | undefined;
}

function podOf(name: string, state: PodState, version: number): Pod {
  const labels =
    state.labels === "full" ? templateLabels : state.labels === "selector-only" ? { app: "web" } : { app: "other" };
  const ready =
    state.readySinceSeconds === undefined
      ? []
      : [
          state.readySinceSeconds === null
            ? { type: "Ready", status: "True" }
            : { type: "Ready", status: "True", lastTransitionTime: toTimestamp(state.readySinceSeconds * 1000) },
        ];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: String(version),
      generation: 1,
      creationTimestamp: toTimestamp(0),
      labels,
      ...(state.deleting ? { deletionTimestamp: toTimestamp(0) } : {}),
    },
    spec: { containers: [], ...(state.node === undefined ? {} : { nodeName: state.node }) },
    status: { phase: state.phase, conditions: ready },
  };
}

const podState = fc.record({
  labels: fc.constantFrom("full", "selector-only", "other"),
  phase: fc.constantFrom("Pending", "Running", "Failed"),
  readySinceSeconds: fc.option(fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }), { nil: undefined }),
  deleting: fc.boolean(),
  node: fc.constantFrom(undefined, "n1", "n2"),
}) as fc.Arbitrary<PodState>;

const operation = fc.record({
  pod: fc.integer({ min: 0, max: 5 }),
  state: fc.option(podState, { nil: undefined }), // undefined: delete the pod
});

describe("ReplicaSetPodTally", () => {
  test.prop([fc.array(operation, { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 30 })])(
    "matches a full pass over the pods after any sequence of changes",
    (operations, minReadySeconds, nowSeconds) => {
      const tally = new ReplicaSetPodTally(selectorSource, selectorSource, templateLabels);
      const pods = new Map<string, Pod>();
      let version = 0;
      for (const { pod: index, state } of operations) {
        const name = `p${index}`;
        const previous = pods.get(name);
        if (previous !== undefined) tally.remove(previous);
        if (state === undefined) {
          pods.delete(name);
          continue;
        }
        const next = podOf(name, state, ++version);
        pods.set(name, next);
        tally.add(next);
      }
      const active = [...pods.values()].filter(isPodActive);
      const claimed = active.filter((pod) => matchesSelector(selectorSource, pod.metadata.labels));
      const unmatched = active.filter((pod) => !matchesSelector(selectorSource, pod.metadata.labels));
      const nowMs = nowSeconds * 1000;
      expect(tally.counts(minReadySeconds * 1000, nowMs)).toEqual(
        countPods(claimed, templateLabels, minReadySeconds * 1000, nowMs),
      );
      expect([...tally.claimed.values()].map(({ pod }) => pod.metadata.name).sort()).toEqual(
        claimed.map((pod) => pod.metadata.name).sort(),
      );
      for (const node of ["", "n1", "n2"]) {
        expect(tally.podsOnNode(node)).toBe(claimed.filter((pod) => (pod.spec?.nodeName ?? "") === node).length);
      }
      expect([...tally.unmatched.values()].map((pod) => pod.metadata.name).sort()).toEqual(
        unmatched.map((pod) => pod.metadata.name).sort(),
      );
    },
  );

  test.prop([fc.array(operation, { maxLength: 60 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 30 })])(
    "replace(previous, pod) leaves the same counts and the same order as remove(previous) then add(pod)",
    (operations, minReadySeconds, nowSeconds) => {
      const replaced = new ReplicaSetPodTally(selectorSource, selectorSource, templateLabels);
      const removedAndAdded = new ReplicaSetPodTally(selectorSource, selectorSource, templateLabels);
      // Keep the sorted ready times from the start, so replace has to move them too.
      replaced.counts(1000, 0);
      removedAndAdded.counts(1000, 0);
      const pods = new Map<string, Pod>();
      let version = 0;
      for (const { pod: index, state } of operations) {
        const name = `p${index}`;
        const previous = pods.get(name);
        if (state === undefined) {
          if (previous !== undefined) replaced.remove(previous);
          if (previous !== undefined) removedAndAdded.remove(previous);
          pods.delete(name);
          continue;
        }
        const next = podOf(name, state, ++version);
        pods.set(name, next);
        if (previous === undefined) replaced.add(next);
        else replaced.replace(previous, next);
        if (previous !== undefined) removedAndAdded.remove(previous);
        removedAndAdded.add(next);
      }
      const nowMs = nowSeconds * 1000;
      const minReadyMs = minReadySeconds * 1000;
      expect(replaced.counts(minReadyMs, nowMs)).toEqual(removedAndAdded.counts(minReadyMs, nowMs));
      const names = (tally: ReplicaSetPodTally) => [...tally.claimed.values()].map(({ pod }) => pod.metadata.name);
      expect(names(replaced)).toEqual(names(removedAndAdded));
      expect([...replaced.unmatched.keys()]).toEqual([...removedAndAdded.unmatched.keys()]);
      for (const node of ["", "n1", "n2"]) expect(replaced.podsOnNode(node)).toBe(removedAndAdded.podsOnNode(node));
    },
  );

  it("counts a pod available strictly after lastTransitionTime + minReadySeconds", () => {
    const tally = new ReplicaSetPodTally(selectorSource, selectorSource, templateLabels);
    tally.add(podOf("a", { labels: "full", phase: "Running", readySinceSeconds: 3, deleting: false, node: "n1" }, 1));
    tally.add(
      podOf("b", { labels: "full", phase: "Running", readySinceSeconds: null, deleting: false, node: undefined }, 1),
    );
    expect(tally.counts(10_000, 13_000)).toEqual({ replicas: 2, fullyLabeled: 2, ready: 2, available: 0 });
    expect(tally.counts(10_000, 13_001)).toEqual({ replicas: 2, fullyLabeled: 2, ready: 2, available: 1 });
    expect(tally.counts(0, 0)).toEqual({ replicas: 2, fullyLabeled: 2, ready: 2, available: 2 });
  });

  it("knows the basis it was made with", () => {
    const tally = new ReplicaSetPodTally(selectorSource, selectorSource, templateLabels);
    expect(tally.hasBasis(selectorSource, templateLabels)).toBe(true);
    expect(tally.hasBasis({ ...selectorSource }, templateLabels)).toBe(false);
    expect(tally.hasBasis(selectorSource, { ...templateLabels })).toBe(false);
  });
});

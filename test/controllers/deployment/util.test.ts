/**
 * Table-driven tests of the Deployment controller's pure helpers (src/controllers/deployment/util.ts),
 * one table per rule of kubernetes-semantics.md §1, in the style of Kubernetes' deployment_util_test.go.
 */
import type { DeploymentCondition, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import type { Deployment, ReplicaSet } from "../../../src/api/kinds.ts";
import { toTimestamp } from "../../../src/api/object.ts";
import {
  computeHash,
  DesiredReplicasAnnotation,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  emptyObjectList,
  equalIgnoreHash,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewAndOldReplicaSets,
  findNewReplicaSet,
  findOldReplicaSets,
  getDeploymentCondition,
  getDeploymentsForReplicaSet,
  getNonNegativeInt32FromAnnotation,
  getProportion,
  getReplicaSetFraction,
  getReplicaSetProportion,
  getRollbackTo,
  getScaledValueFromIntOrPercent,
  isSaturated,
  lastRevision,
  MaxInt32,
  MaxReplicasAnnotation,
  maxRevision,
  maxSurge,
  maxUnavailable,
  minAvailable,
  NewRSAvailableReason,
  newRSNewReplicas,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  removeDeploymentCondition,
  replicaSetsByCreationTimestamp,
  replicaSetsByRevision,
  replicaSetsBySizeNewer,
  replicaSetsBySizeOlder,
  replicasAnnotationsNeedUpdate,
  resolveFenceposts,
  revision,
  roundToInt32,
  safeEncodeString,
  setDeploymentAnnotationsTo,
  setDeploymentCondition,
  setFromReplicaSetTemplate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  TimedOutReason,
} from "../../../src/controllers/deployment/util.ts";

// ---------------------------------------------------------------------------------------------
// Builders: hand-made objects, as Kubernetes' generateDeployment / generateRS
// ---------------------------------------------------------------------------------------------

let uidCounter = 0;

function template(image: string, labels: Record<string, string> = { app: "web" }): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: "app", image }] } };
}

interface DeploymentShape {
  replicas?: number;
  strategy?: "RollingUpdate" | "Recreate";
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  status?: DeploymentStatus;
  generation?: number;
  progressDeadlineSeconds?: number;
  annotations?: Record<string, string>;
  image?: string;
}

function deployment(shape: DeploymentShape = {}): Deployment {
  const strategyType = shape.strategy ?? "RollingUpdate";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      uid: "d-uid",
      resourceVersion: "1",
      generation: shape.generation ?? 1,
      creationTimestamp: toTimestamp(0),
      annotations: shape.annotations ?? {},
    },
    spec: {
      replicas: shape.replicas ?? 1,
      selector: { matchLabels: { app: "web" } },
      template: template(shape.image ?? "app:v2"),
      strategy:
        strategyType === "Recreate"
          ? { type: "Recreate" }
          : {
              type: "RollingUpdate",
              rollingUpdate: { maxSurge: shape.maxSurge, maxUnavailable: shape.maxUnavailable },
            },
      progressDeadlineSeconds: shape.progressDeadlineSeconds,
    },
    status: shape.status ?? {},
  };
}

interface ReplicaSetShape {
  name?: string;
  replicas?: number;
  createdSec?: number;
  annotations?: Record<string, string>;
  available?: number;
  image?: string;
  hash?: string;
}

function rs(shape: ReplicaSetShape = {}): ReplicaSet {
  uidCounter++;
  const labels = { app: "web", "pod-template-hash": shape.hash ?? `h${uidCounter}` };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: shape.name ?? `rs-${uidCounter}`,
      namespace: "default",
      uid: `rs-uid-${uidCounter}`,
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: toTimestamp((shape.createdSec ?? 0) * 1000),
      annotations: shape.annotations ?? {},
      labels,
    },
    spec: {
      replicas: shape.replicas ?? 0,
      selector: { matchLabels: labels },
      template: template(shape.image ?? "app:v2", labels),
    },
    status: { replicas: shape.replicas ?? 0, availableReplicas: shape.available ?? 0 },
  };
}

function names(list: readonly ReplicaSet[]): string[] {
  return list.map((item) => item.metadata.name);
}

// ---------------------------------------------------------------------------------------------
// §1.3 fenceposts
// ---------------------------------------------------------------------------------------------

describe("resolveFenceposts", () => {
  it.each([
    // [maxSurge, maxUnavailable, desired, surge, unavailable]
    ["0%", "0%", 0, 0, 1],
    ["39%", "39%", 10, 4, 3],
    [undefined, "39%", 10, 0, 3],
    ["39%", undefined, 10, 4, 0],
    [undefined, undefined, 10, 0, 1],
    [null, null, 3, 0, 1],
    ["25%", "25%", 3, 1, 0],
    ["25%", "25%", 10, 3, 2],
    ["1%", "1%", 2, 1, 0],
    ["0%", "1%", 2, 0, 1],
    ["50%", "50%", 5, 3, 2],
    ["100%", "100%", 7, 7, 7],
    ["+5%", "5%", 10, 1, 0],
    [1, 0, 5, 1, 0],
    [0, 0, 5, 0, 1],
    [3, 2, 10, 3, 2],
    [0, "10%", 5, 0, 1],
    ["0%", 2, 0, 0, 2],
  ] as const)(
    "maxSurge %s, maxUnavailable %s of %i → (%i, %i)",
    (surgeIn, unavailableIn, desired, surge, unavailable) => {
      expect(resolveFenceposts(surgeIn, unavailableIn, desired)).toEqual({ surge, unavailable });
    },
  );

  it.each([
    ["oops", "39%"],
    ["55%", "urg"],
    ["90", "10%"],
    ["10%", "90"],
    ["%", "10%"],
    ["#%", "10%"],
    ["5%%", "10%"],
    ["", "10%"],
    [" 5%", "10%"],
    ["5.5%", "10%"],
  ])("throws on a malformed value (%j, %j)", (surgeIn, unavailableIn) => {
    expect(() => resolveFenceposts(surgeIn, unavailableIn, 10)).toThrow(/IntOrString/);
  });

  it("never yields negative zero for a negative percent rounded toward zero", () => {
    expect(Object.is(getScaledValueFromIntOrPercent("-1%", 10, true), 0)).toBe(true);
  });

  it("getScaledValueFromIntOrPercent refuses nil, as Go does", () => {
    expect(() => getScaledValueFromIntOrPercent(undefined, 10, true)).toThrow(/nil/);
  });
});

describe("maxUnavailable / minAvailable / maxSurge", () => {
  it.each([
    // [replicas, maxUnavailable, expected maxUnavailable, expected minAvailable]
    [10, 5, 5, 5],
    [10, 10, 10, 0],
    [5, 10, 5, 0],
    [0, 10, 0, 0],
    [10, "50%", 5, 5],
    [10, "60%", 6, 4],
    [10, "100%", 10, 0],
    [5, "100%", 5, 0],
    [3, "25%", 0, 3],
  ] as const)(
    "replicas %i, maxUnavailable %j → maxUnavailable %i, minAvailable %i",
    (replicas, unavailable, max, min) => {
      const d = deployment({ replicas, maxSurge: 1, maxUnavailable: unavailable });
      expect(maxUnavailable(d)).toBe(max);
      expect(minAvailable(d)).toBe(min);
    },
  );

  it("applies the both-zero rule through ResolveFenceposts (2 replicas, 0% surge, 1% unavailable)", () => {
    const d = deployment({ replicas: 2, maxSurge: "0%", maxUnavailable: "1%" });
    expect(maxUnavailable(d)).toBe(1);
    expect(maxSurge(d)).toBe(0);
  });

  it("is 0 for Recreate", () => {
    const d = deployment({ replicas: 10, strategy: "Recreate" });
    expect(maxUnavailable(d)).toBe(0);
    expect(minAvailable(d)).toBe(0);
    expect(maxSurge(d)).toBe(0);
  });

  it.each([
    [10, "25%", 3],
    [3, "1%", 1],
    [2, 5, 5],
    [10, 0, 0],
  ] as const)("maxSurge of %i replicas with %j is %i (rounded up, not clamped)", (replicas, surge, expected) => {
    expect(maxSurge(deployment({ replicas, maxSurge: surge, maxUnavailable: 1 }))).toBe(expected);
  });

  it("treats a malformed value as 0, 0 (Kubernetes ignores the error; validation catches it)", () => {
    const d = deployment({ replicas: 10, maxSurge: "ten", maxUnavailable: "2" });
    expect(maxSurge(d)).toBe(0);
    expect(maxUnavailable(d)).toBe(0);
  });
});

describe("newRSNewReplicas", () => {
  it.each([
    // [name, strategy, replicas, newRS size, maxSurge, other RS size, expected]
    ["cannot scale up: keeps the new RS size", "RollingUpdate", 1, 5, 1, 5, 5],
    ["scales up to replicas at most", "RollingUpdate", 6, 2, 10, 5, 6],
    ["Recreate goes straight to replicas", "Recreate", 3, 1, 1, 5, 3],
    ["surge room bounds the step", "RollingUpdate", 10, 0, 3, 10, 3],
    ["percent surge rounds up", "RollingUpdate", 10, 0, "25%", 10, 3],
    ["current at max total: no step", "RollingUpdate", 10, 3, 3, 10, 3],
    ["surge 0 with 1 old gone: one step", "RollingUpdate", 2, 1, 0, 0, 2],
  ] as const)("%s", (_name, strategy, replicas, newSize, surge, otherSize, expected) => {
    const d = deployment({ replicas, strategy, maxSurge: surge, maxUnavailable: 1 });
    const newRS = rs({ replicas: newSize });
    expect(newRSNewReplicas(d, [rs({ replicas: otherSize }), newRS], newRS)).toBe(expected);
  });

  it("counts spec.replicas, not status, and skips nil entries", () => {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0 });
    const old = { ...rs({ replicas: 4 }), status: { replicas: 0, availableReplicas: 0 } };
    const newRS = rs({ replicas: 0 });
    expect(newRSNewReplicas(d, [old, newRS, undefined, null], newRS)).toBe(1);
  });

  it("throws for a nil maxSurge and for an unknown strategy", () => {
    const newRS = rs({ replicas: 0 });
    expect(() => newRSNewReplicas(deployment({ replicas: 2 }), [newRS], newRS)).toThrow(/nil/);
    const odd = { ...deployment(), spec: { ...deployment().spec, strategy: { type: "BlueGreen" } } } as Deployment;
    expect(() => newRSNewReplicas(odd, [newRS], newRS)).toThrow(/isn't supported/);
  });
});

// ---------------------------------------------------------------------------------------------
// §1.8 proportional scaling
// ---------------------------------------------------------------------------------------------

describe("getReplicaSetFraction", () => {
  it.each([
    // [name, replicas, status.replicas, maxSurge, rs size, max-replicas annotation, expected]
    ["an empty deployment always scales to 0", 0, 0, 0, 10, undefined, -10],
    ["no annotation and no status: no scaling", 10, 0, 0, 5, undefined, 0],
    ["annotation 0 and no status: no scaling", 10, 0, 0, 5, "0", 0],
    ["no annotation: falls back to status.replicas", 120, 100, 0, 50, undefined, 10],
    ["annotation 0: falls back to status.replicas", 120, 100, 0, 50, "0", 10],
    ["invalid annotation: falls back to status.replicas", 120, 100, 0, 50, "lots", 10],
    ["negative annotation: falls back to status.replicas", 120, 100, 0, 50, "-100", 10],
    ["scale up by 1/5", 120, 0, 0, 50, "100", 10],
    ["scale up with surge: about 1/5", 120, 0, 10, 50, "110", 9],
    ["scale down by 1/6", 10, 0, 0, 6, "12", -1],
    ["scale down with surge: about 1/6", 100, 0, 10, 50, "130", -8],
    ["half rounds away from zero (2.5 → 3)", 5, 0, 0, 1, "2", 2],
    ["half rounds away from zero (4.5 → 5)", 9, 0, 0, 5, "10", 0],
  ] as const)("%s", (_name, replicas, statusReplicas, surge, size, annotation, expected) => {
    const d = deployment({ replicas, maxSurge: surge, maxUnavailable: 1, status: { replicas: statusReplicas } });
    const annotations: Record<string, string> = annotation === undefined ? {} : { [MaxReplicasAnnotation]: annotation };
    expect(getReplicaSetFraction(rs({ replicas: size, annotations }), d)).toBe(expected);
  });
});

describe("getProportion", () => {
  const d = deployment({ replicas: 15, maxSurge: 0, maxUnavailable: 1 });
  const ten = rs({ replicas: 10, annotations: { [MaxReplicasAnnotation]: "10" } });
  it.each([
    // [name, rs, toAdd, added, expected]
    ["nil RS", undefined, 5, 0, 0],
    ["an RS of size 0", rs({ replicas: 0, annotations: { [MaxReplicasAnnotation]: "10" } }), 5, 0, 0],
    ["nothing to add", ten, 0, 0, 0],
    ["everything already added", ten, 5, 5, 0],
    ["scale up: the fraction when it fits", ten, 5, 0, 5],
    ["scale up: no more than what is left", ten, 5, 3, 2],
    [
      "scale down: the fraction when it fits",
      rs({ replicas: 10, annotations: { [MaxReplicasAnnotation]: "20" } }),
      -8,
      0,
      -3,
    ],
    [
      "scale down: no more than what is left",
      rs({ replicas: 10, annotations: { [MaxReplicasAnnotation]: "20" } }),
      -8,
      -6,
      -2,
    ],
  ] as const)("%s", (_name, target, toAdd, added, expected) => {
    const scaleDown = toAdd < 0 ? deployment({ replicas: 14, maxSurge: 0, maxUnavailable: 1 }) : d;
    expect(getProportion(target, scaleDown, toAdd, added)).toBe(expected);
    expect(getReplicaSetProportion(target, scaleDown, toAdd, added)).toBe(expected);
  });

  it("roundToInt32 rounds half away from zero on both sides", () => {
    expect([2.5, 3.5, -2.5, -0.4, 0.49].map(roundToInt32)).toEqual([3, 4, -3, 0, 0]);
  });
});

describe("isSaturated", () => {
  const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 1 });
  it.each([
    ["spec, annotation and availability all equal replicas", 3, "3", 3, true],
    ["not all available", 3, "3", 2, false],
    ["annotation differs", 3, "2", 3, false],
    ["spec differs", 4, "3", 3, false],
    ["annotation missing", 3, undefined, 3, false],
    ["annotation not a number", 3, "three", 3, false],
  ] as const)("%s → %s", (_name, size, desired, available, expected) => {
    const annotations: Record<string, string> = desired === undefined ? {} : { [DesiredReplicasAnnotation]: desired };
    expect(isSaturated(d, rs({ replicas: size, annotations, available }))).toBe(expected);
  });

  it("is false for a nil RS", () => {
    expect(isSaturated(d, undefined)).toBe(false);
  });
});

describe("findActiveOrLatest", () => {
  const older = rs({ name: "older", createdSec: 1 });
  const newer = rs({ name: "newer", createdSec: 2 });
  it.each([
    ["nothing at all", undefined, [], undefined],
    ["no active RS: the new RS", rs({ name: "new", createdSec: 3 }), [older, newer], "new"],
    ["no active RS and no new RS: the newest old RS", undefined, [older, newer], "newer"],
    ["exactly one active RS", rs({ name: "new", replicas: 2 }), [older, newer], "new"],
    ["one active old RS", undefined, [rs({ name: "busy", replicas: 1 }), newer], "busy"],
    ["two active RSs: none", rs({ name: "new", replicas: 2 }), [rs({ name: "busy", replicas: 1 })], undefined],
  ] as const)("%s", (_name, newRS, oldRSs, expected) => {
    expect(findActiveOrLatest(newRS, oldRSs)?.metadata.name).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Orderings and filters
// ---------------------------------------------------------------------------------------------

describe("ReplicaSet orderings", () => {
  const a = rs({ name: "a", replicas: 5, createdSec: 1 });
  const b = rs({ name: "b", replicas: 5, createdSec: 2 });
  const c = rs({ name: "c", replicas: 5, createdSec: 2 });
  const big = rs({ name: "big", replicas: 9, createdSec: 3 });
  const small = rs({ name: "small", replicas: 1, createdSec: 0 });

  it.each([
    ["by creation time, then name", replicaSetsByCreationTimestamp, ["small", "a", "b", "c", "big"]],
    ["by size, ties oldest first (scaling down)", replicaSetsBySizeOlder, ["big", "a", "b", "c", "small"]],
    [
      "by size, ties newest first with reverse name (scaling up)",
      replicaSetsBySizeNewer,
      ["big", "c", "b", "a", "small"],
    ],
  ] as const)("%s", (_name, compare, expected) => {
    for (const input of [
      [a, b, c, big, small],
      [small, big, c, b, a],
      [c, a, small, b, big],
    ]) {
      expect(names([...input].sort(compare))).toEqual(expected);
    }
  });

  it("by revision; equal, missing or unparsable revisions fall back to creation time and name", () => {
    const r3 = rs({ name: "r3", createdSec: 0, annotations: { [RevisionAnnotation]: "3" } });
    const r1 = rs({ name: "r1", createdSec: 9, annotations: { [RevisionAnnotation]: "1" } });
    const r10 = rs({ name: "r10", createdSec: 1, annotations: { [RevisionAnnotation]: "10" } });
    const none = rs({ name: "none", createdSec: 5 });
    expect(names([r10, r3, r1, none].sort(replicaSetsByRevision))).toEqual(["none", "r1", "r3", "r10"]);
    const bad = rs({ name: "bad", createdSec: 4, annotations: { [RevisionAnnotation]: "x" } });
    expect(replicaSetsByRevision(bad, r1)).toBeLessThan(0);
    expect(replicaSetsByRevision(r3, bad)).toBeLessThan(0);
  });

  it("filterActiveReplicaSets keeps spec.replicas > 0 and drops nil", () => {
    expect(names(filterActiveReplicaSets([a, undefined, rs({ name: "zero" }), null, small]))).toEqual(["a", "small"]);
  });
});

// ---------------------------------------------------------------------------------------------
// §1.4 revisions and annotations
// ---------------------------------------------------------------------------------------------

describe("revision helpers", () => {
  const withRevision = (value: string | undefined) =>
    rs({ annotations: value === undefined ? {} : { [RevisionAnnotation]: value } });

  it.each([
    ["missing annotation counts as 0", undefined, 0],
    ["a number", "7", 7],
    ["garbage does not parse", "seven", undefined],
    ["empty does not parse", "", undefined],
    ["a plus sign parses (strconv.Atoi)", "+3", 3],
    ["minus zero is 0", "-0", 0],
    ["a sign alone does not parse", "+", undefined],
    ["a trailing newline does not parse", "3\n", undefined],
    ["a space does not parse", " 3", undefined],
    ["non-ASCII digits do not parse", "\u0663", undefined],
  ] as const)("revision: %s", (_name, value, expected) => {
    expect(revision(withRevision(value))).toBe(expected);
  });

  it.each([
    ["7", 7],
    ["007", 7],
    ["2147483647", MaxInt32],
    ["2147483648", undefined],
    ["", undefined],
    ["+7", undefined],
    ["-1", undefined],
    ["7\n", undefined],
  ] as const)("getNonNegativeInt32FromAnnotation(%j) → %s", (value, expected) => {
    const annotated = rs({ annotations: { [DesiredReplicasAnnotation]: value } });
    expect(getNonNegativeInt32FromAnnotation(annotated, DesiredReplicasAnnotation)).toBe(expected);
  });

  it.each([
    // [revisions, max, last]
    [["1", "3", "2"], 3, 2],
    [["5"], 5, 0],
    [["3", "3"], 3, 3],
    [["2", "x", undefined, "4"], 4, 2],
    [[], 0, 0],
    [["4", "1", "9", "7"], 9, 7],
  ] as const)("revisions %j → max %i, last %i", (values, max, last) => {
    const list = values.map((value) => withRevision(value));
    expect(maxRevision(list)).toBe(max);
    expect(lastRevision(list)).toBe(last);
  });
});

describe("setNewReplicaSetAnnotations", () => {
  it("raises the revision and keeps a revision history capped in characters (Kubernetes' TestAnnotationUtils)", () => {
    const d = deployment({ annotations: { [RevisionAnnotation]: "1" } });
    const target = rs();
    for (let i = 10; i < 20; i++) {
      const next = String(i + 1);
      setNewReplicaSetAnnotations(d, target, next, true, 5);
      expect(target.metadata.annotations?.[RevisionAnnotation]).toBe(next);
      if (i >= 12) expect(target.metadata.annotations?.[RevisionHistoryAnnotation]).toBe(`${i - 1},${i}`);
    }
  });

  it.each([
    // [name, RS revision, new revision, exists, changed, revision after, history after]
    ["lower revision is raised", "1", "3", true, true, "3", "1"],
    ["a higher revision is kept", "5", "3", true, false, "5", undefined],
    ["an RS without revision gets one, without history", undefined, "2", true, true, "2", undefined],
    ["an unparsable RS revision: nothing", "x", "2", true, false, "x", undefined],
    ["an unparsable new revision: nothing", "1", "y", true, false, "1", undefined],
  ] as const)("%s", (_name, current, next, exists, changed, after, history) => {
    const target = rs({ annotations: current === undefined ? {} : { [RevisionAnnotation]: current } });
    expect(setNewReplicaSetAnnotations(deployment(), target, next, exists, 2000)).toBe(changed);
    expect(target.metadata.annotations?.[RevisionAnnotation]).toBe(after);
    expect(target.metadata.annotations?.[RevisionHistoryAnnotation]).toBe(history);
  });

  it("copies the Deployment's annotations except the skipped ones, and sets replica annotations on creation", () => {
    const d = deployment({
      replicas: 10,
      maxSurge: 3,
      maxUnavailable: 1,
      annotations: {
        "team/owner": "payments",
        [RevisionAnnotation]: "9",
        [DesiredReplicasAnnotation]: "99",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "deprecated.deployment.rollback.to": "1",
      },
    });
    const target = rs();
    expect(setNewReplicaSetAnnotations(d, target, "4", false, 2000)).toBe(true);
    expect(target.metadata.annotations).toEqual({
      "team/owner": "payments",
      [RevisionAnnotation]: "4",
      [DesiredReplicasAnnotation]: "10",
      [MaxReplicasAnnotation]: "13",
    });
  });

  it("keeps the history within 2000 characters by dropping the oldest entries", () => {
    const history = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(",");
    const target = rs({ annotations: { [RevisionAnnotation]: "5000", [RevisionHistoryAnnotation]: history } });
    setNewReplicaSetAnnotations(deployment(), target, "5001", true, 2000);
    const after = target.metadata.annotations?.[RevisionHistoryAnnotation] ?? "";
    expect(after.length).toBeLessThanOrEqual(2000);
    expect(after.endsWith(",1399,5000")).toBe(true);
    expect(after.startsWith("1000,")).toBe(false);
  });
});

describe("replica annotations", () => {
  it.each([
    ["no annotations", undefined, true],
    ["desired differs", { [DesiredReplicasAnnotation]: "8", [MaxReplicasAnnotation]: "20" }, true],
    ["max differs", { [DesiredReplicasAnnotation]: "10", [MaxReplicasAnnotation]: "16" }, true],
    ["both as wanted", { [DesiredReplicasAnnotation]: "10", [MaxReplicasAnnotation]: "20" }, false],
  ] as const)("replicasAnnotationsNeedUpdate: %s → %s", (_name, annotations, expected) => {
    const target = rs();
    target.metadata.annotations = annotations === undefined ? undefined : { ...annotations };
    expect(replicasAnnotationsNeedUpdate(target, 10, 20)).toBe(expected);
  });

  it("setReplicasAnnotations writes both and reports a change only once", () => {
    const target = rs();
    expect(setReplicasAnnotations(target, 10, 11)).toBe(true);
    expect(target.metadata.annotations?.[DesiredReplicasAnnotation]).toBe("10");
    expect(target.metadata.annotations?.[MaxReplicasAnnotation]).toBe("11");
    expect(setReplicasAnnotations(target, 10, 11)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Templates: EqualIgnoreHash, FindNewReplicaSet, FindOldReplicaSets
// ---------------------------------------------------------------------------------------------

describe("equalIgnoreHash", () => {
  const spec = (name: string, node: string, annotations: Record<string, string>, labels: Record<string, string>) =>
    ({ metadata: { name, annotations, labels }, spec: { nodeName: node, containers: [] } }) as PodTemplateSpec;
  const hash = "pod-template-hash";
  it.each([
    [
      "same spec, same labels",
      spec("foo", "n", {}, { [hash]: "1", a: "b" }),
      spec("foo", "n", {}, { [hash]: "1", a: "b" }),
      true,
    ],
    [
      "only the hash differs",
      spec("foo", "n", {}, { [hash]: "1", a: "b" }),
      spec("foo", "n", {}, { [hash]: "2", a: "b" }),
      true,
    ],
    ["one has no hash label", spec("foo", "n", {}, { a: "b" }), spec("foo", "n", {}, { [hash]: "2", a: "b" }), true],
    ["labels differ, same count", spec("foo", "n", {}, { a: "b" }), spec("foo", "n", {}, { [hash]: "2" }), false],
    [
      "labels differ, same hash",
      spec("foo", "n", {}, { [hash]: "1" }),
      spec("foo", "n", {}, { [hash]: "1", a: "b" }),
      false,
    ],
    [
      "annotations differ",
      spec("foo", "n", { x: "1" }, { [hash]: "1" }),
      spec("foo", "n", { y: "1" }, { [hash]: "1" }),
      false,
    ],
    ["names differ", spec("foo-1", "n", {}, { [hash]: "1" }), spec("foo-2", "n", {}, { [hash]: "2" }), false],
    ["spec differs", spec("foo", "n-1", {}, { a: "b" }), spec("foo", "n-2", {}, { a: "b" }), false],
    [
      "empty and missing maps are equal",
      spec("foo", "n", {}, { a: "b" }),
      { metadata: { name: "foo", labels: { a: "b" } }, spec: { nodeName: "n" } } as unknown as PodTemplateSpec,
      true,
    ],
  ] as const)("%s → %s (both orders)", (_name, first, second, expected) => {
    expect(equalIgnoreHash(first, second)).toBe(expected);
    expect(equalIgnoreHash(second, first)).toBe(expected);
  });
});

describe("findNewReplicaSet / findOldReplicaSets", () => {
  const d = deployment({ image: "nginx" });
  const newRS = rs({ name: "new", image: "nginx", createdSec: 60, replicas: 1, hash: "hash" });
  const newRSDup = rs({ name: "new-dup", image: "nginx", createdSec: 0, hash: "different-hash" });
  const oldRS = rs({ name: "old", image: "nginx-old", createdSec: -60 });

  it.each([
    ["same template, different hash", [newRS, oldRS], "new"],
    ["several matches: the oldest", [newRS, oldRS, newRSDup], "new-dup"],
    ["none", [oldRS], undefined],
  ] as const)("findNewReplicaSet: %s", (_name, list, expected) => {
    expect(findNewReplicaSet(d, list)?.metadata.name).toBe(expected);
  });

  it.each([
    ["old beside new", [newRS, oldRS], ["old"], []],
    ["no new RS", [oldRS], ["old"], []],
    ["two new ones: only the oldest is new", [oldRS, newRS, newRSDup], ["old", "new"], ["new"]],
    ["only the new RS", [newRS], [], []],
  ] as const)("findOldReplicaSets: %s", (_name, list, all, required) => {
    const [requiredRSs, allRSs] = findOldReplicaSets(d, list);
    expect(names(allRSs)).toEqual(all);
    expect(names(requiredRSs)).toEqual(required);
  });

  it.each([
    ["old beside new", [newRS, oldRS]],
    ["several matches", [newRS, oldRS, newRSDup]],
    ["none", [oldRS]],
    ["only the new RS", [newRS]],
    ["empty", []],
  ] as const)("findNewAndOldReplicaSets agrees with both: %s", (_name, list) => {
    const found = findNewAndOldReplicaSets(d, list);
    expect(found.newRS).toBe(findNewReplicaSet(d, list));
    expect(found.oldRSs).toEqual(findOldReplicaSets(d, list)[1]);
  });
});

describe("rollback template and annotations", () => {
  it("setFromReplicaSetTemplate drops the hash label", () => {
    const d = deployment({ image: "v2" });
    const source = rs({ image: "v1", hash: "abc" });
    setFromReplicaSetTemplate(d, source.spec?.template as PodTemplateSpec);
    expect(d.spec?.template.metadata?.labels).toEqual({ app: "web" });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe("v1");
    expect(source.spec?.template?.metadata?.labels?.["pod-template-hash"]).toBe("abc");
  });

  it("setDeploymentAnnotationsTo keeps the Deployment's skipped annotations and takes the rest from the RS", () => {
    const d = deployment({ annotations: { [RevisionAnnotation]: "3", cause: "edit", stale: "x" } });
    const source = rs({
      annotations: { [RevisionAnnotation]: "1", cause: "create", [DesiredReplicasAnnotation]: "4" },
    });
    setDeploymentAnnotationsTo(d, source);
    expect(d.metadata.annotations).toEqual({ [RevisionAnnotation]: "3", cause: "create" });
  });

  it.each([
    ["absent", undefined, undefined],
    ["empty", "", undefined],
    ["garbage", "two", undefined],
    ["zero", "0", { revision: 0 }],
    ["a revision", "4", { revision: 4 }],
  ] as const)("getRollbackTo: %s", (_name, value, expected) => {
    const annotations: Record<string, string> =
      value === undefined ? {} : { "deprecated.deployment.rollback.to": value };
    expect(getRollbackTo(deployment({ annotations }))).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// §1.7, §1.12 status, progress and conditions
// ---------------------------------------------------------------------------------------------

describe("deploymentComplete", () => {
  it.each([
    // [name, replicas, status replicas, updated, available, observedGeneration, expected]
    ["min but not all available", 5, 5, 5, 4, 1, false],
    ["min availability not honoured", 5, 5, 5, 3, 1, false],
    ["complete", 5, 5, 5, 5, 1, true],
    ["all available but not updated", 5, 5, 4, 5, 1, false],
    ["still running old pods", 1, 2, 1, 1, 1, false],
    ["one replica never comes up", 1, 1, 1, 0, 1, false],
    ["generation not yet observed", 5, 5, 5, 5, 0, false],
  ] as const)("%s → %s", (_name, replicas, current, updated, available, observed, expected) => {
    const d = deployment({ replicas, maxSurge: 0, maxUnavailable: 1, generation: 1 });
    const status = {
      replicas: current,
      updatedReplicas: updated,
      availableReplicas: available,
      observedGeneration: observed,
    };
    expect(deploymentComplete(d, status)).toBe(expected);
  });
});

describe("deploymentProgressing", () => {
  it.each([
    // [name, old (replicas, updated, ready, available), new (...), expected]
    ["updated pods", [10, 4, 4, 4], [10, 6, 4, 4], true],
    ["nothing changed", [10, 4, 4, 4], [10, 4, 4, 4], false],
    ["old pods removed", [10, 4, 6, 6], [8, 4, 6, 6], true],
    ["fewer new pods", [10, 7, 3, 3], [10, 6, 3, 3], false],
    ["fewer overall but more new pods", [10, 4, 7, 7], [8, 8, 5, 5], true],
    ["more ready pods", [10, 10, 9, 8], [10, 10, 10, 8], true],
    ["more available pods", [10, 10, 10, 9], [10, 10, 10, 10], true],
  ] as const)("%s → %s", (_name, before, after, expected) => {
    const toStatus = ([replicas, updatedReplicas, readyReplicas, availableReplicas]: readonly number[]) => ({
      replicas,
      updatedReplicas,
      readyReplicas,
      availableReplicas,
    });
    expect(deploymentProgressing(deployment({ status: toStatus(before) }), toStatus(after))).toBe(expected);
  });
});

describe("deploymentTimedOut", () => {
  const at = (minute: number, second: number) => (minute * 60 + second) * 1000;
  const progressing = (reason: string, fromMs: number): DeploymentStatus => ({
    conditions: [{ type: "Progressing", status: "True", reason, lastUpdateTime: toTimestamp(fromMs) }],
  });
  it.each([
    ["no deadline: never", undefined, "", at(1, 9), at(1, 20), false],
    ["infinite deadline: never", MaxInt32, "", at(1, 9), at(1, 20), false],
    ["10s deadline, 11s since the last update", 10, "", at(1, 9), at(1, 20), true],
    ["10s deadline, 9s since the last update", 10, "", at(1, 11), at(1, 20), false],
    ["exactly at the deadline: not yet (strictly before)", 10, "", at(1, 10), at(1, 20), false],
    ["a completed rollout never times out", 10, NewRSAvailableReason, at(0, 0), at(9, 0), false],
    ["already timed out stays timed out", 10, TimedOutReason, at(1, 19), at(1, 20), true],
  ] as const)("%s", (_name, deadline, reason, fromMs, nowMs, expected) => {
    const d = deployment({ progressDeadlineSeconds: deadline });
    expect(deploymentTimedOut(d, progressing(reason, fromMs), nowMs)).toBe(expected);
  });

  it("has no base without a Progressing condition", () => {
    expect(deploymentTimedOut(deployment({ progressDeadlineSeconds: 1 }), {}, at(60, 0))).toBe(false);
  });
});

describe("deployment conditions", () => {
  const progressingFalse = (): DeploymentCondition => ({
    type: "Progressing",
    status: "False",
    reason: "ForSomeReason",
  });
  const progressingTrue = (): DeploymentCondition => ({ type: "Progressing", status: "True", reason: "BecauseItIs" });
  const available = (): DeploymentCondition => ({ type: "Available", status: "True", reason: "AwesomeController" });

  it.each([
    ["set for the first time", {}, available(), [available()]],
    ["simple set", { conditions: [progressingFalse()] }, available(), [progressingFalse(), available()]],
    ["overwrite", { conditions: [progressingFalse()] }, progressingTrue(), [progressingTrue()]],
  ] as const)("setDeploymentCondition: %s", (_name, start, condition, expected) => {
    const status: DeploymentStatus = structuredClone(start) as DeploymentStatus;
    setDeploymentCondition(status, condition);
    expect(status.conditions).toEqual(expected);
  });

  it("keeps everything when status and reason are unchanged, and lastTransitionTime when only the reason changes", () => {
    const old = { type: "Progressing", status: "True", reason: "A", lastUpdateTime: "t1", lastTransitionTime: "t0" };
    const status: DeploymentStatus = { conditions: [old] };
    setDeploymentCondition(status, { ...old, lastUpdateTime: "t2", lastTransitionTime: "t2" });
    expect(status.conditions?.[0]).toEqual(old);
    setDeploymentCondition(status, {
      type: "Progressing",
      status: "True",
      reason: "B",
      lastUpdateTime: "t3",
      lastTransitionTime: "t3",
    });
    expect(status.conditions?.[0]).toMatchObject({ reason: "B", lastUpdateTime: "t3", lastTransitionTime: "t0" });
    setDeploymentCondition(status, {
      type: "Progressing",
      status: "False",
      reason: "B",
      lastUpdateTime: "t4",
      lastTransitionTime: "t4",
    });
    expect(status.conditions?.[0]).toMatchObject({ status: "False", lastTransitionTime: "t4" });
  });

  it.each([
    ["from an empty status", {}, "Progressing", {}],
    ["the only condition", { conditions: [progressingFalse()] }, "Progressing", {}],
    [
      "nothing to remove",
      { conditions: [progressingFalse(), available()] },
      "ReplicaFailure",
      { conditions: [progressingFalse(), available()] },
    ],
  ] as const)("removeDeploymentCondition: %s", (_name, start, type, expected) => {
    const status = structuredClone(start) as DeploymentStatus;
    removeDeploymentCondition(status, type);
    expect(status).toStrictEqual(expected);
  });

  it("getDeploymentCondition finds by type", () => {
    const status: DeploymentStatus = { conditions: [progressingFalse(), available()] };
    expect(getDeploymentCondition(status, "Available")?.reason).toBe("AwesomeController");
    expect(getDeploymentCondition(status, "ReplicaFailure")).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Ownership and the hash
// ---------------------------------------------------------------------------------------------

describe("getDeploymentsForReplicaSet", () => {
  const make = (name: string, app: string, namespace = "default", selector?: Record<string, string>) => {
    const d = deployment();
    return {
      ...d,
      metadata: { ...d.metadata, name, namespace },
      spec: { ...d.spec, selector: { matchLabels: selector ?? { app } } },
    } as Deployment;
  };
  const deployments = [
    make("d0", "test-0"),
    make("d1", "test-1"),
    make("other-ns", "test-0", "prod"),
    make("all", "", "default", {}),
  ];
  const withLabels = (labels: Record<string, string>) =>
    ({ ...rs(), metadata: { ...rs().metadata, labels } }) as ReplicaSet;

  it.each([
    ["matches its Deployment only (same namespace, non-empty selector)", { app: "test-0", label: "x" }, ["d0"]],
    ["another one", { app: "test-1" }, ["d1"]],
    ["no match", { app: "test-3" }, []],
    ["no labels", {}, []],
  ] as const)("%s", (_name, labels, expected) => {
    expect(getDeploymentsForReplicaSet(deployments, withLabels(labels)).map((d) => d.metadata.name)).toEqual(expected);
  });
});

describe("computeHash", () => {
  const base = template("app:v1");
  it("is deterministic and independent of key order", () => {
    const reordered: PodTemplateSpec = {
      spec: { containers: [{ image: "app:v1", name: "app" }] },
      metadata: { labels: { app: "web" } },
    };
    expect(computeHash(base)).toBe(computeHash(structuredClone(base)));
    expect(computeHash(reordered)).toBe(computeHash(base));
  });

  it("changes with the template and with the collision count", () => {
    const hashes = new Set([
      computeHash(base),
      computeHash(template("app:v2")),
      computeHash(base, 0),
      computeHash(base, 1),
      computeHash(base, 2),
    ]);
    expect(hashes.size).toBe(5);
  });

  it("uses only the safe alphabet (no vowels)", () => {
    expect(computeHash(base)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
  });
});

describe("emptyObjectList", () => {
  it("is a fresh, empty, growable array", () => {
    const first = emptyObjectList<{ n: number }>();
    const second = emptyObjectList<{ n: number }>();
    expect(first).toEqual([]);
    expect(first).not.toBe(second);
    first.push({ n: 1 });
    expect(first).toEqual([{ n: 1 }]);
    expect(second).toEqual([]);
  });
});

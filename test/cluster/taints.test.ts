import type { Taint, Toleration } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import {
  matchingTolerations,
  minTolerationMs,
  toleratesTaint,
  withDefaultTolerations,
} from "../../src/cluster/taints.ts";

const taint: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };

describe("toleratesTaint", () => {
  it.each([
    ["Equal with the same value", { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, true],
    ["empty operator means Equal", { key: "dedicated", value: "gpu" }, true],
    ["Equal with another value", { key: "dedicated", operator: "Equal", value: "cpu" }, false],
    ["Exists ignores the value", { key: "dedicated", operator: "Exists" }, true],
    ["empty key with Exists tolerates everything", { operator: "Exists" }, true],
    ["another effect", { key: "dedicated", operator: "Exists", effect: "NoExecute" }, false],
    ["another key", { key: "other", operator: "Exists" }, false],
    ["unknown operator", { key: "dedicated", operator: "Gt", value: "gpu" }, false],
  ] as const)("%s", (_name, toleration, expected) => {
    expect(toleratesTaint(toleration as Toleration, taint)).toBe(expected);
  });
});

describe("taint manager helpers", () => {
  const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };

  it("adds the DefaultTolerationSeconds tolerations unless the pod has its own", () => {
    expect(withDefaultTolerations(undefined, 300)).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    const own: Toleration[] = [
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 },
    ];
    expect(withDefaultTolerations(own, 300)).toHaveLength(2);
    expect(withDefaultTolerations([{ operator: "Exists" }], 300)).toHaveLength(1);
  });

  it("finds the tolerations used and the smallest tolerationSeconds", () => {
    const tolerations = withDefaultTolerations(
      [{ key: "x", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }],
      300,
    );
    const { allTolerated, used } = matchingTolerations([unreachable, { key: "x", effect: "NoExecute" }], tolerations);
    expect(allTolerated).toBe(true);
    expect(minTolerationMs(used)).toBe(60_000);
    expect(matchingTolerations([{ key: "y", effect: "NoExecute" }], tolerations).allTolerated).toBe(false);
    expect(minTolerationMs([{ operator: "Exists" }])).toBe(-1);
    expect(minTolerationMs([{ operator: "Exists", tolerationSeconds: -5 }])).toBe(0);
  });
});

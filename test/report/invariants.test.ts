import { describe, expect, it } from "vitest";
import { InvariantChecker } from "../../src/report/invariants.ts";
import { makeWorld } from "../helpers/world.ts";

function setup() {
  const world = makeWorld();
  const checker = new InvariantChecker(world);
  world.store.create({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1", namespace: "" },
    status: { allocatable: { cpu: "1", memory: "1Gi", pods: "2" } },
  });
  const pod = (name: string, fields: { nodeName?: string; ip?: string; cpu?: string }) =>
    world.store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        ...(fields.nodeName === undefined ? {} : { nodeName: fields.nodeName }),
        containers: [
          { name: "app", image: "x", resources: { requests: { cpu: fields.cpu ?? "100m", memory: "64Mi" } } },
        ],
      },
      status: { phase: "Running", ...(fields.ip === undefined ? {} : { podIP: fields.ip }) },
    });
  return { world, checker, pod };
}

describe("InvariantChecker", () => {
  it("stays quiet for a consistent cluster", () => {
    const { checker, pod } = setup();
    pod("a", { nodeName: "n1", ip: "10.0.0.2" });
    pod("b", { nodeName: "n1", ip: "10.0.0.3" });
    expect(checker.violations).toEqual([]);
  });

  it("reports two live pods with one IP, but not an IP reused after the pod is gone", () => {
    const { world, checker, pod } = setup();
    pod("a", { nodeName: "n1", ip: "10.0.0.2" });
    world.store.delete("Pod", "default", "a", { gracePeriodSeconds: 0 });
    pod("b", { nodeName: "n1", ip: "10.0.0.2" });
    expect(checker.violations).toEqual([]);
    pod("c", { ip: "10.0.0.2" });
    expect(checker.violations.map((v) => v.invariant)).toEqual(["unique-pod-ip"]);
  });

  it("reports a pod bound to a node that does not exist", () => {
    const { checker, pod } = setup();
    pod("a", { nodeName: "ghost" });
    expect(checker.violations.map((v) => v.invariant)).toEqual(["pod-on-known-node"]);
  });

  it("reports a node over its allocatable pods or CPU", () => {
    const { checker, pod } = setup();
    pod("a", { nodeName: "n1", cpu: "600m" });
    pod("b", { nodeName: "n1", cpu: "300m" });
    expect(checker.violations).toEqual([]);
    pod("c", { nodeName: "n1", cpu: "200m" });
    expect(checker.violations.map((v) => v.invariant)).toEqual(["node-capacity", "node-capacity"]);
    expect(checker.violationCount).toBe(2);
    expect(checker.violations[0]?.message).toMatch(/3 pods, allocatable 2/);
  });
});

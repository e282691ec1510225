/**
 * The loader on valid input: the full example resolves to the model the runner consumes (ms,
 * fractions, distributions, nodes, merged timing and images, ordered timeline), and the smaller
 * rules (defaults, includes, overrides, namespaces) hold.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario } from "../../src/scenario/loader.ts";
import type { Scenario } from "../../src/scenario/model.ts";
import { tokenizePath } from "../../src/scenario/overrides.ts";
import { DEFAULT_IMAGE_PROFILE, DEFAULT_TIMING } from "../../src/world/config.ts";

const GOOD = join(import.meta.dirname, "..", "fixtures", "good");
const FULL = join(GOOD, "full.yaml");

function load(path: string): Scenario {
  const result = loadScenario(path);
  if (!result.ok)
    throw new Error(
      result.problems.map((each) => `${each.line}:${each.column} ${each.path}: ${each.message}`).join("\n"),
    );
  return result.scenario;
}

const MINIMAL = `apiVersion: rolloutsim/v1
kind: Scenario
metadata: {name: minimal}
spec:
  duration: 1m
---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  containers: [{name: app, image: "app:v1"}]
`;

describe("the full example", () => {
  const scenario = load(FULL);

  it("reads the scenario document", () => {
    expect(scenario.name).toBe("full-example");
    expect(scenario.description).toBe("Every part of the format the runner supports");
    expect(scenario.file).toBe(FULL);
    expect(scenario.seed).toBe(7);
    expect(scenario.durationMs).toBe(20 * 60_000);
  });

  it("builds the nodes of each datacenter with their capacity", () => {
    expect(scenario.datacenters).toEqual([
      { name: "DCA", nodeLabels: { datacenter: "dca" } },
      { name: "DCB", nodeLabels: { datacenter: "dcb" } },
    ]);
    expect(scenario.nodes.map((each) => each.name)).toEqual(["dca-1", "dca-2", "dca-3", "dcb-1", "dcb-2"]);
    expect(scenario.nodes[0]?.capacity).toEqual({ cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 });
    expect(scenario.nodes[3]?.capacity).toEqual({ cpuMilli: 2000, memoryBytes: 8 * 2 ** 30, pods: 110 });
    expect(scenario.nodes[3]?.labels).toMatchObject({ datacenter: "dcb", "topology.kubernetes.io/zone": "DCB" });
  });

  it("merges timing over the defaults, with distributions", () => {
    expect(scenario.timing).toEqual({
      ...DEFAULT_TIMING,
      watchDelay: { kind: "constant", valueMs: 20 },
      endpointPropagation: { kind: "uniform", minMs: 200, maxMs: 800 },
      imagePull: { kind: "lognormal", medianMs: 2000, sigma: 0.5 },
      containerStart: { kind: "exponential", meanMs: 500 },
      nodeMonitorGracePeriodMs: 40_000,
      defaultTolerationSeconds: 300,
    });
  });

  it("merges each image over the default profile", () => {
    expect([...scenario.images.keys()]).toEqual(["demo:v1", "demo:v2", "demo:v3"]);
    expect(scenario.images.get("demo:v1")).toEqual({
      ...DEFAULT_IMAGE_PROFILE,
      startup: { kind: "constant", valueMs: 5000 },
    });
    expect(scenario.images.get("demo:v2")).toMatchObject({
      startup: { kind: "lognormal", medianMs: 8000, sigma: 0.3 },
      errorRate: 0.01,
    });
    expect(scenario.images.get("demo:v3")).toMatchObject({
      ready: false,
      errorRate: 0.025,
      crashAfter: { kind: "constant", valueMs: 30_000 },
    });
  });

  it("puts included objects first, then the stream's, with the default namespace", () => {
    expect(scenario.objects.map(({ object }) => `${object.kind}/${object.metadata.name}`)).toEqual([
      "Service/demo",
      "Deployment/demo",
      "Deployment/client",
      "Gateway/edge",
      "LoadBalancer/slb",
    ]);
    expect(scenario.objects.every(({ object }) => object.metadata.namespace === "default")).toBe(true);
    expect(scenario.objects[0]?.source).toMatchObject({
      file: join(GOOD, "manifests", "service.yaml"),
      line: 4,
      path: "Service/demo",
    });
    expect(scenario.objects[1]?.source).toMatchObject({ file: FULL, path: "Deployment/demo" });
  });

  it("keeps objects as written (the store applies the API defaults)", () => {
    const deployment = scenario.objects[1]?.object as {
      spec: { strategy: unknown; template: { spec: { containers: { resources: unknown }[] } } };
    };
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(deployment.spec.template.spec.containers[0]?.resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { memory: "1Gi" },
    });
  });

  it("resolves traffic: rates per second, segments, sources", () => {
    expect(scenario.traffic.map(({ source: _source, ...rest }) => rest)).toEqual([
      {
        name: "users",
        to: { kind: "Service", namespace: "default", name: "demo" },
        ratePerSecond: 200,
        startMs: 0,
        stopMs: null,
        segments: [{ share: 1, headers: { "x-platform": "iOS" } }],
        from: "external",
      },
      {
        name: "partners",
        to: { kind: "Gateway", namespace: "default", name: "edge" },
        ratePerSecond: 0.5,
        startMs: 0,
        stopMs: null,
        segments: [
          { share: 0.3, headers: { "x-beta": "true" } },
          { share: 0.7, headers: {} },
        ],
        from: { kind: "Deployment", namespace: "default", name: "client" },
      },
    ]);
  });

  it("orders the timeline and converts every action", () => {
    const demo = { kind: "Deployment", namespace: "default", name: "demo" };
    const entries = scenario.timeline.map((each) => [each.atMs, each.action]);
    expect(entries).toEqual([
      [120_000, { type: "setImage", target: demo, container: "app", image: "demo:v2" }],
      [180_000, { type: "scale", target: demo, replicas: 6 }],
      [240_000, { type: "patch", target: demo, merge: { spec: { strategy: { rollingUpdate: { maxSurge: 2 } } } } }],
      [300_000, { type: "fault", fault: { type: "nodeDown", node: "dca-1" }, id: "nodeDown-1", forMs: 180_000 }],
      [
        300_000,
        { type: "fault", fault: { type: "watchDelay", delay: { kind: "constant", valueMs: 2000 } }, id: "slow-watch" },
      ],
      [
        360_000,
        {
          type: "fault",
          fault: { type: "controllerDown", controller: "deployment" },
          id: "controllerDown-2",
          forMs: 30_000,
        },
      ],
      [420_000, { type: "fault", fault: { type: "podCrash", target: demo, count: 2 }, id: "podCrash-3" }],
      [480_000, { type: "fault", fault: { type: "imagePullFailure", image: "demo:v3" }, id: "imagePullFailure-4" }],
      [540_000, { type: "heal", id: "slow-watch" }],
      [570_000, { type: "heal" }],
      [600_000, { type: "pause", target: demo }],
      [660_000, { type: "resume", target: demo }],
      [720_000, { type: "rollback", target: demo }],
      [
        780_000,
        {
          type: "apply",
          object: {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "debug", namespace: "default" },
            spec: { containers: [{ name: "debug", image: "busybox:1" }] },
          },
        },
      ],
      [840_000, { type: "delete", target: { kind: "Pod", namespace: "default", name: "debug" } }],
    ]);
    expect(scenario.timeline[0]?.source).toMatchObject({ file: FULL, path: "spec.timeline[0]" });
  });

  it("resolves the assertions", () => {
    const demo = { kind: "Deployment", namespace: "default", name: "demo" };
    const service = { kind: "Service", namespace: "default", name: "demo" };
    expect(scenario.assertions.map((each) => each.assertion)).toEqual([
      { type: "availability", of: service, min: 0.995 },
      { type: "availability", of: service, min: 0.95, windowMs: 30_000 },
      { type: "rolloutComplete", target: demo, withinMs: 15 * 60_000 },
      { type: "maxUnavailable", target: demo, max: 1 },
      { type: "maxSurge", target: demo, max: 2 },
      { type: "requests", of: service, outcome: "failed", max: 1000 },
      {
        type: "condition",
        target: demo,
        conditionType: "Progressing",
        status: "True",
        reason: "NewReplicaSetAvailable",
        withinMs: 600_000,
      },
      { type: "noInvariantViolations" },
    ]);
  });
});

describe("defaults and small rules", () => {
  it("gives a scenario without a cluster one datacenter of three nodes, and seed 1", () => {
    const result = parseScenario(MINIMAL, "minimal.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.seed).toBe(1);
    expect(result.scenario.datacenters).toEqual([{ name: "DC1", nodeLabels: {} }]);
    expect(result.scenario.nodes.map((each) => each.name)).toEqual(["dc1-1", "dc1-2", "dc1-3"]);
    expect(result.scenario.timing).toEqual(DEFAULT_TIMING);
    expect(result.scenario.traffic).toEqual([]);
    expect(result.scenario.timeline).toEqual([]);
  });

  it("accepts Kind/namespace/name references", () => {
    const text = MINIMAL.replace("metadata: {name: solo}", "metadata: {name: solo, namespace: team-a}").replace(
      "  duration: 1m\n",
      "  duration: 1m\n  timeline:\n    - {at: 10s, delete: {target: Pod/team-a/solo}}\n",
    );
    const result = parseScenario(text, "ns.yaml");
    expect(result.ok && result.scenario.timeline[0]?.action).toEqual({
      type: "delete",
      target: { kind: "Pod", namespace: "team-a", name: "solo" },
    });
  });

  it("keeps entries at the same time in file order", () => {
    const text = MINIMAL.replace(
      "  duration: 1m\n",
      "  duration: 1m\n  timeline:\n    - {at: 20s, heal: {}}\n    - {at: 10s, fault: {watchDelay: {delay: 1s}}}\n    - {at: 20s, fault: {imagePullFailure: {image: x}}}\n",
    );
    const result = parseScenario(text, "order.yaml");
    expect(result.ok && result.scenario.timeline.map((each) => each.action.type)).toEqual(["fault", "heal", "fault"]);
  });

  it("refuses includes when there is no file system to read them from", () => {
    const text = MINIMAL.replace("  duration: 1m\n", "  duration: 1m\n  include: [more.yaml]\n");
    const result = parseScenario(text, "inc.yaml");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]?.message).toMatch(/cannot include more.yaml/);
  });

  it("reads includes through the given reader, relative to the scenario", () => {
    const text = MINIMAL.replace("  duration: 1m\n", "  duration: 1m\n  include: [more.yaml]\n");
    const read: string[] = [];
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n";
    const result = parseScenario(text, "dir/inc.yaml", (path) => {
      read.push(path);
      return service;
    });
    expect(read).toEqual([join("dir", "more.yaml")]);
    expect(result.ok && result.scenario.objects.map(({ object }) => object.kind)).toEqual(["Service", "Pod"]);
  });

  it("the full example's text parses the same through parseScenario", () => {
    const text = readFileSync(FULL, "utf8");
    const result = parseScenario(text, FULL, (path) => readFileSync(path, "utf8"));
    expect(result.ok && result.scenario).toEqual(load(FULL));
  });
});

describe("--set overrides", () => {
  it("splits paths", () => {
    expect(tokenizePath("spec.seed")).toEqual(["spec", "seed"]);
    expect(tokenizePath('spec.images["demo:v2"].errorRate')).toEqual(["spec", "images", "demo:v2", "errorRate"]);
    expect(tokenizePath("Deployment/demo.spec.template.spec.containers[0].image")).toEqual([
      "Deployment/demo",
      "spec",
      "template",
      "spec",
      "containers",
      0,
      "image",
    ]);
    expect(tokenizePath("spec..seed")).toBeNull();
    expect(tokenizePath("spec[x]")).toBeNull();
  });

  it("sets scenario and object fields before validation", () => {
    const result = parseScenario(MINIMAL, "m.yaml", {
      overrides: [
        { path: "spec.seed", value: 9 },
        { path: "spec.timing.watchDelay", value: "1s" },
        { path: "Pod/solo.spec.containers[0].image", value: "app:v2" },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.seed).toBe(9);
    expect(result.scenario.timing.watchDelay).toEqual({ kind: "constant", valueMs: 1000 });
    const pod = result.scenario.objects[0]?.object.spec as { containers: { image: string }[] } | undefined;
    expect(pod?.containers[0]?.image).toBe("app:v2");
  });

  it("validates overridden values like the file's own", () => {
    const result = parseScenario(MINIMAL, "m.yaml", { overrides: [{ path: "spec.duration", value: "soon" }] });
    expect(!result.ok && result.problems.map((each) => [each.line, each.path, each.message])).toEqual([
      [5, "spec.duration", '"soon" is not a duration (like 250ms, 30s, 5m, 1h30m)'],
    ]);
  });

  it("reports an override that names nothing", () => {
    const result = parseScenario(MINIMAL, "m.yaml", {
      overrides: [{ path: "Deployment/nope.spec.replicas", value: 1 }],
    });
    expect(!result.ok && result.problems.map((each) => [each.file, each.path])).toEqual([
      ["--set", "Deployment/nope.spec.replicas"],
    ]);
  });
});

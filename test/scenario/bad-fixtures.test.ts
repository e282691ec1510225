/**
 * Every file in test/fixtures/bad/ holds one distinct mistake; the loader must report exactly that
 * one problem, at the line and column of the offending node, with the path to the field.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/loader.ts";
import { formatProblem } from "../../src/scenario/model.ts";

const BAD = join(import.meta.dirname, "..", "fixtures", "bad");

/** [fixture, line, column, path, start of the message] */
const EXPECTED: readonly [string, number, number, string, string][] = [
  ["action-after-end", 13, 12, "spec.timeline[0].at", "10m is after the end of the run (spec.duration: 5m)"],
  ["alias-bomb", 2, 1, "", "cannot read this document: Excessive alias count indicates a resource "],
  ["availability-over-100", 17, 46, "spec.assertions[0].availability.min", "100.5% is more than 100%"],
  [
    "bad-cidr",
    43,
    32,
    "Gateway/edge.spec.allowedSources[1]",
    '"300.1.2.3" is not an IP address or a CIDR block (like 10.0.0.0/8)',
  ],
  [
    "selector-patched",
    9,
    64,
    "spec.timeline[0].patch.merge.spec.selector",
    "field is immutable: an apps/v1 Deployment's spec.selector cannot change after creation",
  ],
  ["bad-duration", 7, 13, "spec.duration", '"5 minutes" is not a duration (like 250ms, 30s, 5m, 1h30m)'],
  ["bad-quantity", 11, 45, "spec.cluster.datacenters[0].nodes.memory", '"lots" is not a quantity (like 500m, 4, 16Gi)'],
  ["bad-rate", 15, 45, "spec.traffic[0].rate", 'expected a rate like "200/s", got the number 200'],
  [
    "deleted-then-scaled",
    15,
    32,
    "spec.timeline[2].scale.target",
    "Deployment/demo is not defined at this time: it was deleted by the ent",
  ],
  [
    "duplicate-datacenter",
    12,
    15,
    "spec.cluster.datacenters[1].name",
    'duplicate datacenter name "dca" (also spec.cluster.datacenters[0]; nam',
  ],
  ["duplicate-fault-name", 15, 22, "spec.timeline[2].name", 'duplicate fault name "down" (also spec.timeline[1])'],
  ["duplicate-key", 8, 3, "", "Map keys must be unique"],
  [
    "duplicate-object",
    36,
    9,
    "Deployment/demo.metadata.name",
    "duplicate object: Deployment/demo is already defined at line 20",
  ],
  [
    "first-document-not-scenario",
    3,
    7,
    "kind",
    "the first document must be the scenario (apiVersion: rolloutsim/v1, ki",
  ],
  ["heal-unknown-fault", 15, 30, "spec.timeline[2].heal.fault", 'no fault named "dcb-down" (named faults: dca-down)'],
  [
    "label-value-number",
    21,
    21,
    "Deployment/demo.metadata.labels.version",
    "a label value must be a string, got the number 1 (quote it)",
  ],
  ["missing-container-image", 30, 11, "Deployment/demo.spec.template.spec.containers[0].image", "is required"],
  ["missing-duration", 6, 1, "spec.duration", "is required"],
  ["missing-include", 8, 13, "spec.include[0]", "cannot include manifests/missing.yaml: no such file"],
  ["negative-replicas", 22, 13, "Deployment/demo.spec.replicas", "must not be negative"],
  ["negative-time", 13, 12, "spec.timeline[0].at", "must not be negative"],
  ["patch-negative-replicas", 14, 74, "spec.timeline[1].patch.merge.spec.replicas", "must not be negative"],
  [
    "percent-over-100",
    24,
    50,
    "Deployment/demo.spec.strategy.rollingUpdate.maxUnavailable",
    "150% must not be more than 100%",
  ],
  ["segment-shares", 18, 7, "spec.traffic[0].segments", "segment shares add up to 90%, not 100%"],
  [
    "selector-mismatch",
    27,
    7,
    "Deployment/demo.spec.template.metadata.labels",
    "selector does not match template labels",
  ],
  [
    "server-set-field",
    21,
    3,
    "Deployment/demo.metadata.uid",
    'unknown field "uid": it is set by the API server or controllers; remov',
  ],
  ["two-actions-in-entry", 13, 7, "spec.timeline[0]", "has more than one action (setImage, scale); use one per entry"],
  ["uniform-min-over-max", 9, 41, "spec.timing.imagePull.uniform.max", "max must be at least min"],
  [
    "unknown-action",
    13,
    16,
    "spec.timeline[0].restart",
    'unknown field "restart" (known: at, for, name, apply, patch, setImage,',
  ],
  [
    "unknown-container",
    13,
    63,
    "spec.timeline[0].setImage.container",
    'Deployment/demo has no container "web" (containers: app)',
  ],
  [
    "unknown-datacenter",
    14,
    47,
    "spec.timeline[1].fault.nodeDown.datacenter",
    'no datacenter named "DCB" (datacenters: DCA)',
  ],
  [
    "unknown-kind",
    18,
    7,
    "Deploymnet/demo.kind",
    'unknown kind "Deploymnet" (supported: Pod, Service, ReplicationControl',
  ],
  ["unknown-node", 14, 41, "spec.timeline[1].fault.nodeDown.node", 'no node named "dcb-1" (nodes: dca-1, dca-2)'],
  ["unknown-object-field", 22, 3, "Deployment/demo.spec.replcas", 'unknown field "replcas"; did you mean "replicas"?'],
  ["unknown-scenario-field", 8, 3, "spec.seeds", 'unknown field "seeds"; did you mean "seed"?'],
  [
    "unknown-target",
    13,
    35,
    "spec.timeline[0].setImage.target",
    "Deployment/web is not defined in the scenario (defined: Deployment/dem",
  ],
  [
    "unsupported-action",
    14,
    16,
    "spec.timeline[1].promote",
    "the promote action is not supported yet by this version of rolloutsim",
  ],
  [
    "partition-unknown-datacenter",
    14,
    48,
    "spec.timeline[1].fault.partition.datacenter",
    'no datacenter named "DCX" (datacenters: DCA)',
  ],
  [
    "unsupported-kind",
    34,
    7,
    "StatefulSet/web.kind",
    "the StatefulSet kind is not supported yet by this version of rolloutsi",
  ],
  [
    "wrong-kind-api-version",
    17,
    13,
    "Deployment/demo.apiVersion",
    'the apiVersion of Deployment is apps/v1, not the string "v1"',
  ],
  [
    "wrong-scenario-api-version",
    2,
    13,
    "apiVersion",
    "the scenario's apiVersion is rolloutsim/v1, not the string \"rolloutsim",
  ],
  ["wrong-type", 22, 13, "Deployment/demo.spec.replicas", 'expected a whole number, got the string "three"'],
  ["yaml-syntax", 14, 3, "", "Flow map in block collection must be sufficiently indented and end wit"],
];

describe("broken scenario files", () => {
  it.each(EXPECTED)("%s: reported at %i:%i (%s)", (name, line, column, path, message) => {
    const file = join(BAD, `${name}.yaml`);
    const result = loadScenario(file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    const [problem] = result.problems;
    expect({ file: problem?.file, line: problem?.line, column: problem?.column, path: problem?.path }).toEqual({
      file,
      line,
      column,
      path,
    });
    expect(problem?.message.startsWith(message)).toBe(true);
    const prefix = path === "" ? `${file}:${line}:${column}: ` : `${file}:${line}:${column}: ${path}: `;
    expect(formatProblem(problem as NonNullable<typeof problem>).startsWith(prefix)).toBe(true);
  });

  it("has a table row for every fixture, and at least 25 of them", () => {
    const files = readdirSync(BAD)
      .filter((each) => each.endsWith(".yaml"))
      .map((each) => each.replace(/\.yaml$/, ""))
      .sort();
    expect(files).toEqual(EXPECTED.map(([name]) => name).sort());
    expect(files.length).toBeGreaterThanOrEqual(25);
  });
});

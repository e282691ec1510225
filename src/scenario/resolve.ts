/**
 * From a validated Scenario document and its objects to the resolved `Scenario` the runner
 * executes: nodes built per datacenter, timing merged over DEFAULT_TIMING, images over
 * DEFAULT_IMAGE_PROFILE, traffic segments, the ordered timeline, assertions. Checks here are the
 * ones a single document's schema cannot make: duplicate names, references between documents
 * (targets, Services behind Gateways and load balancers), and support by the runner.
 */
import {
  type DatacenterConfig,
  DEFAULT_IMAGE_PROFILE,
  DEFAULT_TIMING,
  datacenterNodes,
  type ImageProfile,
  type NodeConfig,
  type TimingConfig,
} from "../world/config.ts";
import type { Assertion, AssertionEntry, Problem, Scenario, TrafficSpec } from "./model.ts";
import { Definitions, refKey, type ValidatedObject } from "./references.ts";
import {
  ASSERTION_NAMES,
  type AssertionDocument,
  type AssertionName,
  type ScenarioDocument,
  TIMING_FIELDS,
  type TrafficDocument,
} from "./schema.ts";
import { WORKLOAD_KINDS } from "./schema-objects.ts";
import { isSupported, notSupportedMessage, SUPPORTED } from "./support.ts";
import { resolveTimeline } from "./timeline.ts";
import type { SourceMap } from "./yaml-source.ts";

export interface ResolveInput {
  readonly file: string;
  readonly document: ScenarioDocument;
  /** The scenario document, at its root. */
  readonly map: SourceMap;
  readonly objects: readonly ValidatedObject[];
  readonly applies: ReadonlyMap<number, ValidatedObject>;
}

export function resolveScenario(input: ResolveInput): { scenario: Scenario } | { problems: Problem[] } {
  const { document, map } = input;
  const spec = document.spec;
  const problems: Problem[] = [];
  const cluster = resolveCluster(spec.cluster, map, problems);
  problems.push(...duplicateObjects(input.objects));
  const definitions = new Definitions(
    input.objects,
    [...input.applies.values()],
    cluster.nodes.map((each) => each.name),
    cluster.datacenters.map((each) => each.name),
  );
  problems.push(...crossObjectReferences(input.objects, definitions));
  const timeline = resolveTimeline(spec.timeline ?? [], {
    durationMs: spec.duration,
    definitions,
    applies: input.applies,
    map,
  });
  problems.push(...timeline.problems);
  const traffic = resolveTraffic(spec.traffic ?? [], definitions, map, problems);
  const assertions = resolveAssertions(spec.assertions ?? [], definitions, map, problems);
  if (problems.length > 0) return { problems };
  return {
    scenario: {
      name: document.metadata.name,
      description: document.metadata.description ?? "",
      file: input.file,
      seed: spec.seed,
      durationMs: spec.duration,
      datacenters: cluster.datacenters,
      nodes: cluster.nodes,
      timing: resolveTiming(spec.timing),
      images: resolveImages(spec.images),
      objects: input.objects.map(({ object, source }) => ({ object, source })),
      traffic,
      timeline: timeline.timeline,
      assertions,
    },
  };
}

// ---- cluster, timing, images -----------------------------------------------------------------------------

function resolveCluster(
  cluster: ScenarioDocument["spec"]["cluster"],
  map: SourceMap,
  problems: Problem[],
): { datacenters: DatacenterConfig[]; nodes: NodeConfig[] } {
  const datacenters: DatacenterConfig[] = [];
  const nodes: NodeConfig[] = [];
  const seen = new Map<string, number>();
  cluster.datacenters.forEach((each, index) => {
    const key = each.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(
        map.problem(
          ["spec", "cluster", "datacenters", index, "name"],
          `duplicate datacenter name "${each.name}" (also spec.cluster.datacenters[${first}]; names that differ only in case name the same nodes)`,
        ),
      );
      return;
    }
    seen.set(key, index);
    const config: DatacenterConfig = { name: each.name, nodeLabels: { ...(each.nodeLabels ?? {}) } };
    datacenters.push(config);
    const capacity = { cpuMilli: each.nodes.cpu, memoryBytes: each.nodes.memory, pods: each.nodes.pods };
    nodes.push(...datacenterNodes(config, each.nodes.count, capacity));
  });
  return { datacenters, nodes };
}

function resolveTiming(timing: ScenarioDocument["spec"]["timing"]): TimingConfig {
  const resolved: Record<string, unknown> = { ...DEFAULT_TIMING };
  for (const [key, { field, type }] of Object.entries(TIMING_FIELDS)) {
    const value = (timing as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) continue;
    resolved[field] = type === "seconds" ? (value as number) / 1000 : value;
  }
  return resolved as unknown as TimingConfig;
}

function resolveImages(images: ScenarioDocument["spec"]["images"]): Map<string, ImageProfile> {
  const resolved = new Map<string, ImageProfile>();
  for (const [name, profile] of Object.entries(images ?? {})) {
    const defined = Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== undefined));
    resolved.set(name, { ...DEFAULT_IMAGE_PROFILE, ...defined } as ImageProfile);
  }
  return resolved;
}

// ---- objects -------------------------------------------------------------------------------------------

function duplicateObjects(objects: readonly ValidatedObject[]): Problem[] {
  const seen = new Map<string, ValidatedObject>();
  const problems: Problem[] = [];
  for (const each of objects) {
    const first = seen.get(refKey(each.ref));
    if (first === undefined) {
      seen.set(refKey(each.ref), each);
      continue;
    }
    const where =
      first.source.file === each.source.file
        ? `line ${first.source.line}`
        : `${first.source.file}:${first.source.line}`;
    problems.push(
      each.map.problem(["metadata", "name"], `duplicate object: ${each.source.path} is already defined at ${where}`),
    );
  }
  return problems;
}

/** Gateways and load balancers name a Service in their namespace. */
function crossObjectReferences(objects: readonly ValidatedObject[], definitions: Definitions): Problem[] {
  const problems: Problem[] = [];
  for (const each of objects) {
    if (each.ref.kind !== "Gateway" && each.ref.kind !== "LoadBalancer") continue;
    const service = (each.object.spec as { service?: string } | undefined)?.service;
    if (service === undefined) continue;
    const problem = definitions.checkDefinedAnywhere(
      { kind: "Service", namespace: each.ref.namespace, name: service },
      each.map,
      ["spec", "service"],
    );
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

// ---- traffic and assertions ----------------------------------------------------------------------------------

function checkTrafficTarget(
  ref: TrafficDocument["to"],
  definitions: Definitions,
  map: SourceMap,
  path: (string | number)[],
  problems: Problem[],
): void {
  if (!isSupported("trafficTargets", ref.kind)) {
    problems.push(map.problem(path, `must be one of ${SUPPORTED.trafficTargets.join(", ")}, not a ${ref.kind}`));
    return;
  }
  const problem = definitions.checkDefinedAnywhere(ref, map, path);
  if (problem !== null) problems.push(problem);
}

function checkWorkloadTarget(
  ref: TrafficDocument["to"],
  definitions: Definitions,
  map: SourceMap,
  path: (string | number)[],
  problems: Problem[],
  allowPods = false,
): void {
  if (!WORKLOAD_KINDS.includes(ref.kind) && !(allowPods && ref.kind === "Pod")) {
    problems.push(map.problem(path, `must be a workload (${WORKLOAD_KINDS.join(", ")}), not a ${ref.kind}`));
    return;
  }
  const problem = definitions.checkDefinedAnywhere(ref, map, path);
  if (problem !== null) problems.push(problem);
}

function resolveTraffic(
  traffic: readonly TrafficDocument[],
  definitions: Definitions,
  map: SourceMap,
  problems: Problem[],
): TrafficSpec[] {
  const names = new Map<string, number>();
  return traffic.map((each, index) => {
    const entry = map.child(["spec", "traffic", index]);
    const first = names.get(each.name);
    if (first !== undefined)
      problems.push(entry.problem(["name"], `duplicate traffic name "${each.name}" (also spec.traffic[${first}])`));
    else names.set(each.name, index);
    checkTrafficTarget(each.to, definitions, entry, ["to"], problems);
    if (each.from !== "external") checkWorkloadTarget(each.from, definitions, entry, ["from"], problems, true);
    if (each.start !== undefined && each.stop !== undefined && each.stop <= each.start) {
      problems.push(entry.problem(["stop"], `must be after start (${each.start} ms), got ${each.stop} ms`));
    }
    const segments = each.segments?.map((segment) => ({
      share: segment.share,
      headers: { ...(segment.headers ?? {}) },
    })) ?? [{ share: 1, headers: { ...(each.headers ?? {}) } }];
    return {
      name: each.name,
      to: each.to,
      ratePerSecond: each.rate,
      startMs: each.start ?? 0,
      stopMs: each.stop ?? null,
      segments,
      from: each.from,
      source: entry.position([]),
    };
  });
}

function resolveAssertions(
  assertions: readonly AssertionDocument[],
  definitions: Definitions,
  map: SourceMap,
  problems: Problem[],
): AssertionEntry[] {
  const resolved: AssertionEntry[] = [];
  assertions.forEach((each, index) => {
    const entry = map.child(["spec", "assertions", index]);
    const name = ASSERTION_NAMES.find((key) => each[key] !== undefined) as AssertionName;
    if (!isSupported("assertions", name)) {
      problems.push(entry.problem([name], notSupportedMessage(`the ${name} assertion`), "key"));
      return;
    }
    const assertion = toAssertion(name, each, definitions, entry.child([name]), problems);
    resolved.push({ assertion, source: entry.position([]) });
  });
  return resolved;
}

function toAssertion(
  name: AssertionName,
  entry: AssertionDocument,
  definitions: Definitions,
  map: SourceMap,
  problems: Problem[],
): Assertion {
  switch (name) {
    case "availability": {
      const body = entry.availability as NonNullable<AssertionDocument["availability"]>;
      checkTrafficTarget(body.of, definitions, map, ["of"], problems);
      return {
        type: name,
        of: body.of,
        min: body.min,
        ...(body.window === undefined ? {} : { windowMs: body.window }),
      };
    }
    case "rolloutComplete": {
      const body = entry.rolloutComplete as NonNullable<AssertionDocument["rolloutComplete"]>;
      checkWorkloadTarget(body.target, definitions, map, ["target"], problems);
      return { type: name, target: body.target, withinMs: body.within };
    }
    case "maxUnavailable":
    case "maxSurge": {
      const body = entry[name] as { target: TrafficDocument["to"]; max: number };
      checkWorkloadTarget(body.target, definitions, map, ["target"], problems);
      return { type: name, target: body.target, max: body.max };
    }
    case "requests": {
      const body = entry.requests as NonNullable<AssertionDocument["requests"]>;
      if (body.of !== undefined) checkTrafficTarget(body.of, definitions, map, ["of"], problems);
      return {
        type: name,
        outcome: body.outcome,
        ...(body.of === undefined ? {} : { of: body.of }),
        ...(body.min === undefined ? {} : { min: body.min }),
        ...(body.max === undefined ? {} : { max: body.max }),
      };
    }
    case "condition": {
      const body = entry.condition as NonNullable<AssertionDocument["condition"]>;
      checkWorkloadTarget(body.target, definitions, map, ["target"], problems);
      return {
        type: name,
        target: body.target,
        conditionType: body.type,
        status: body.status,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
        ...(body.within === undefined ? {} : { withinMs: body.within }),
      };
    }
    case "noInvariantViolations":
      return { type: name };
  }
}

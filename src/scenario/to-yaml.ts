/**
 * Writes a resolved Scenario back as a scenario file, so a generated or shrunk case from a property
 * test can be saved and replayed with `rolloutsim run`.
 */
import { stringify } from "yaml";
import { formatDurationMs } from "../sim/duration.ts";
import type { Distribution } from "../sim/random.ts";
import type { ImageProfile } from "../world/config.ts";
import { type Action, formatRef, type Scenario, type TimelineEntry } from "./model.ts";

function distribution(value: Distribution): unknown {
  switch (value.kind) {
    case "constant":
      return formatDurationMs(value.valueMs);
    case "uniform":
      return { uniform: { min: formatDurationMs(value.minMs), max: formatDurationMs(value.maxMs) } };
    case "exponential":
      return { exponential: { mean: formatDurationMs(value.meanMs) } };
    case "lognormal":
      return { lognormal: { median: formatDurationMs(value.medianMs), sigma: value.sigma } };
  }
}

function image(profile: ImageProfile): Record<string, unknown> {
  return {
    startup: distribution(profile.startup),
    ready: profile.ready,
    errorRate: profile.errorRate,
    serviceTime: distribution(profile.serviceTime),
    shutdown: distribution(profile.shutdown),
    ...(profile.crashAfter === null ? {} : { crashAfter: distribution(profile.crashAfter) }),
  };
}

function action(value: Action): Record<string, unknown> {
  switch (value.type) {
    case "apply":
      return { apply: value.object };
    case "patch":
      return { patch: { target: formatRef(value.target), merge: value.merge } };
    case "setImage":
      return {
        setImage: {
          target: formatRef(value.target),
          ...(value.container === undefined ? {} : { container: value.container }),
          image: value.image,
        },
      };
    case "scale":
      return { scale: { target: formatRef(value.target), replicas: value.replicas } };
    case "delete":
      return { delete: { target: formatRef(value.target) } };
    case "rollback":
      return {
        rollback: {
          target: formatRef(value.target),
          ...(value.toRevision === undefined ? {} : { toRevision: value.toRevision }),
        },
      };
    case "fault": {
      const { type, ...fields } = value.fault as { type: string } & Record<string, unknown>;
      const rendered = "delay" in fields ? { delay: distribution(fields.delay as Distribution) } : fields;
      return {
        fault: { [type]: rendered },
        name: value.id,
        ...(value.forMs === undefined ? {} : { for: formatDurationMs(value.forMs) }),
      };
    }
    case "heal":
      return { heal: value.id === undefined ? {} : { fault: value.id } };
    default:
      return { [value.type]: { target: formatRef(value.target) } };
  }
}

function timelineEntry(entry: TimelineEntry): Record<string, unknown> {
  return { at: formatDurationMs(entry.atMs), ...action(entry.action) };
}

/** The scenario as a YAML stream: the Scenario document, then its manifests. */
export function scenarioToYaml(scenario: Scenario): string {
  const nodesByDatacenter = new Map<string, number>();
  for (const node of scenario.nodes)
    nodesByDatacenter.set(node.datacenter, (nodesByDatacenter.get(node.datacenter) ?? 0) + 1);
  const document = {
    apiVersion: "rolloutsim/v1",
    kind: "Scenario",
    metadata: { name: scenario.name, ...(scenario.description === "" ? {} : { description: scenario.description }) },
    spec: {
      seed: scenario.seed,
      duration: formatDurationMs(scenario.durationMs),
      cluster: {
        datacenters: scenario.datacenters.map((dc) => {
          const first = scenario.nodes.find((node) => node.datacenter === dc.name);
          return {
            name: dc.name,
            nodeLabels: dc.nodeLabels,
            nodes: {
              count: nodesByDatacenter.get(dc.name) ?? 0,
              cpu: `${first?.capacity.cpuMilli ?? 0}m`,
              memory: `${Math.round((first?.capacity.memoryBytes ?? 0) / 2 ** 20)}Mi`,
              pods: first?.capacity.pods ?? 110,
            },
          };
        }),
      },
      images: Object.fromEntries([...scenario.images].map(([name, profile]) => [name, image(profile)])),
      timeline: scenario.timeline.map(timelineEntry),
    },
  };
  const documents = [document, ...scenario.objects.map((each) => each.object)];
  return documents.map((each) => stringify(each)).join("---\n");
}

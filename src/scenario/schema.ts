/**
 * The scenario format v1 (interfaces.md §1) as one zod 4 schema: the Scenario document (the first
 * document of a stream) and, in schema-objects.ts, the Kubernetes-style objects that follow it.
 *
 * The same schema gives the TypeScript input and output types (`ScenarioDocumentInput`,
 * `ScenarioDocument`), the defaults, and the JSON Schema printed by `rolloutsim schema`. Values are
 * transformed as they validate (durations to ms, percentages to fractions, distributions to
 * `Distribution`, references to ObjectRef), so the loader only adds cross-document checks.
 *
 * Every object is strict: an unknown field is an error. Actions, faults and assertions are each an
 * object of optional keys of which exactly one must be present, which gives clearer messages than a
 * union ("exactly one action: found setImage and scale").
 */
import { z } from "zod";
import type { TimingConfig } from "../world/config.ts";
import { OBJECT_SCHEMAS } from "./schema-objects.ts";
import {
  annotations,
  cpuMilli,
  describeInput,
  distribution,
  dnsLabel,
  duration,
  fraction,
  integer,
  labels,
  memoryBytes,
  objectRef,
  percent,
  rate,
} from "./schema-values.ts";

/** Limits that keep loading bounded; each exceeded limit is reported as a problem. */
export const LIMITS = {
  /** Characters in one file. */
  textChars: 20_000_000,
  /** Documents in one stream, includes counted. */
  documents: 10_000,
  /** Objects applied at time 0 (stream and includes). */
  objects: 10_000,
  includes: 100,
  timelineEntries: 100_000,
  traffic: 1_000,
  assertions: 10_000,
  datacenters: 1_000,
  /** Nodes in the whole cluster. */
  nodes: 100_000,
  /** Aliases expanded per document (YAML "billion laughs" guard). */
  aliases: 1_000,
} as const;

const text = z.string({ error: (issue) => `expected a string, got ${describeInput(issue.input)}` });
const nonEmptyText = text.min(1, "must not be empty");
const stringMap = z.record(z.string(), text);

// ---- cluster ---------------------------------------------------------------------------------------

const datacenterName = text
  .max(63, { abort: true, error: "at most 63 characters" })
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/, "use letters, digits and '-' (it names nodes: DCA -> dca-1)");

const datacenter = z.strictObject({
  name: datacenterName,
  nodeLabels: labels.optional(),
  nodes: z.strictObject({
    count: integer(0, LIMITS.nodes),
    cpu: cpuMilli.prefault("4").meta({ description: "CPU per node (quantity), default 4" }),
    memory: memoryBytes.prefault("16Gi").meta({ description: "memory per node (quantity), default 16Gi" }),
    pods: integer(1).default(110).meta({ description: "pods per node, default 110" }),
  }),
});

/** The cluster when a scenario does not describe one. */
export const DEFAULT_CLUSTER = { datacenters: [{ name: "DC1", nodes: { count: 3 } }] };

const cluster = z.strictObject({
  datacenters: z
    .array(datacenter)
    .min(1, "needs at least one datacenter")
    .max(LIMITS.datacenters, `at most ${LIMITS.datacenters} datacenters`)
    .superRefine((list, ctx) => {
      const total = list.reduce((sum, each) => sum + each.nodes.count, 0);
      if (total > LIMITS.nodes)
        ctx.addIssue({ code: "custom", message: `${total} nodes is more than the limit of ${LIMITS.nodes}` });
    }),
});

// ---- timing and images -------------------------------------------------------------------------------

/**
 * The `spec.timing` keys and the TimingConfig field each sets: a distribution, or a plain duration
 * for the fields the config holds as a number (milliseconds, or whole seconds).
 */
export const TIMING_FIELDS = {
  watchDelay: { field: "watchDelay", type: "distribution" },
  endpointPropagation: { field: "endpointPropagation", type: "distribution" },
  imagePull: { field: "imagePull", type: "distribution" },
  containerStart: { field: "containerStart", type: "distribution" },
  scheduling: { field: "scheduling", type: "distribution" },
  schedulingRetry: { field: "schedulingRetryMs", type: "ms" },
  containerStop: { field: "containerStop", type: "distribution" },
  garbageCollection: { field: "garbageCollection", type: "distribution" },
  nodeMonitorPeriod: { field: "nodeMonitorPeriodMs", type: "ms" },
  nodeMonitorGracePeriod: { field: "nodeMonitorGracePeriodMs", type: "ms" },
  nodeHeartbeat: { field: "nodeHeartbeatMs", type: "ms" },
  defaultToleration: { field: "defaultTolerationSeconds", type: "seconds" },
  lbRegistration: { field: "lbRegistration", type: "distribution" },
  lbDeregistration: { field: "lbDeregistration", type: "distribution" },
} as const satisfies Record<string, { field: keyof TimingConfig; type: "distribution" | "ms" | "seconds" }>;

const wholeSeconds = duration.refine((ms) => ms % 1000 === 0, "must be a whole number of seconds");

const timing = z.strictObject(
  Object.fromEntries(
    Object.entries(TIMING_FIELDS).map(([key, { type }]) => [
      key,
      (type === "distribution" ? distribution : type === "seconds" ? wholeSeconds : duration).optional(),
    ]),
  ) as { [K in keyof typeof TIMING_FIELDS]: z.ZodOptional<typeof distribution | typeof duration> },
);

const imageProfile = z.strictObject({
  startup: distribution.optional().meta({ description: "container started -> ready (default 5s)" }),
  ready: z.boolean().optional().meta({ description: "false: never passes readiness (a bad release)" }),
  errorRate: fraction.optional().meta({ description: 'fraction of requests that fail (0.01 or "1%")' }),
  serviceTime: distribution.optional().meta({ description: "how long a request holds the pod (default 20ms)" }),
  shutdown: distribution.optional().meta({ description: "SIGTERM -> exit after draining (default 100ms)" }),
  crashAfter: distribution
    .nullable()
    .optional()
    .meta({ description: "the container crashes this long after starting" }),
});

// ---- traffic -------------------------------------------------------------------------------------------

const trafficSource = z
  .union([z.literal("external"), objectRef], {
    error: (issue) => `expected "external" or a workload like Deployment/client, got ${describeInput(issue.input)}`,
  })
  .meta({ description: '"external", or a workload whose pod IPs are the sources' });

const traffic = z
  .strictObject({
    name: dnsLabel,
    to: objectRef.meta({ description: "Service/<name>, Gateway/<name> or LoadBalancer/<name>" }),
    rate,
    headers: stringMap.optional(),
    segments: z
      .array(z.strictObject({ share: percent, headers: stringMap.optional() }))
      .min(1, "needs at least one segment")
      .optional(),
    from: trafficSource.default("external"),
    start: duration.optional().meta({ description: "when the source starts sending (default 0)" }),
    stop: duration.optional().meta({ description: "when the source stops sending (default: the end of the run)" }),
  })
  .superRefine((value, ctx) => {
    if (value.headers !== undefined && value.segments !== undefined) {
      ctx.addIssue({ code: "custom", path: ["segments"], message: "use either headers or segments, not both" });
    }
    const total = (value.segments ?? []).reduce((sum, each) => sum + each.share, 0);
    if (value.segments !== undefined && Math.abs(total - 1) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: ["segments"],
        message: `segment shares add up to ${+(total * 100).toFixed(6)}%, not 100%`,
      });
    }
  });

// ---- timeline ------------------------------------------------------------------------------------------

const target = { target: objectRef };
const targetOnly = z.strictObject(target);

/** Faults by name; exactly one per `fault:`. */
export const FAULT_SCHEMAS = {
  nodeDown: z
    .strictObject({ node: nonEmptyText.optional(), datacenter: nonEmptyText.optional() })
    .superRefine((value, ctx) => {
      if ((value.node === undefined) === (value.datacenter === undefined)) {
        ctx.addIssue({ code: "custom", message: "set exactly one of node or datacenter" });
      }
    }),
  partition: z.strictObject({ datacenter: nonEmptyText }),
  podCrash: z.strictObject({ ...target, count: integer(1).default(1) }),
  imagePullFailure: z.strictObject({ image: nonEmptyText }),
  controllerDown: z.strictObject({ controller: nonEmptyText }),
  watchDelay: z.strictObject({ delay: distribution }),
  chaos: z.strictObject({
    rates: z
      .partialRecord(z.enum(["nodeDown", "partition", "podCrash", "controllerDown", "imagePullFailure"]), rate)
      .meta({ description: "random faults per time unit by type, e.g. {nodeDown: 2/h}" }),
    window: duration,
    duration: distribution.optional().meta({
      description: "how long each fault lasts, at most until the window ends (default {exponential: {mean: 1m}})",
    }),
  }),
} as const;

export type FaultName = keyof typeof FAULT_SCHEMAS;

function exactlyOne(what: string, names: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = names.filter((name) => value[name] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: "custom",
      params: { exactlyOne: true },
      message:
        present.length === 0
          ? `needs exactly one ${what} (one of ${names.join(", ")})`
          : `has more than one ${what} (${present.join(", ")}); use one per entry`,
    });
  };
}

const fault = z
  .strictObject(
    Object.fromEntries(Object.entries(FAULT_SCHEMAS).map(([name, schema]) => [name, schema.optional()])) as {
      [K in FaultName]: z.ZodOptional<(typeof FAULT_SCHEMAS)[K]>;
    },
  )
  .superRefine(exactlyOne("fault", Object.keys(FAULT_SCHEMAS)));

/** Timeline actions by name; exactly one per entry. */
export const ACTION_SCHEMAS = {
  apply: z
    .record(z.string(), z.unknown())
    .meta({ description: "a Kubernetes-style object, applied as kubectl apply would (create or update)" }),
  patch: z.strictObject({
    ...target,
    merge: z.record(z.string(), z.unknown()).meta({ description: "a JSON merge patch" }),
  }),
  setImage: z.strictObject({ ...target, container: dnsLabel.optional(), image: nonEmptyText }),
  scale: z.strictObject({ ...target, replicas: integer(0) }),
  delete: targetOnly,
  rollback: z.strictObject({ ...target, toRevision: integer(0).optional() }),
  pause: targetOnly,
  resume: targetOnly,
  confirm: targetOnly,
  abort: targetOnly,
  promote: targetOnly,
  fault,
  heal: z
    .strictObject({
      fault: nonEmptyText.optional().meta({ description: "the fault's name; all active faults when absent" }),
    })
    .nullable(),
} as const;

export type ActionName = keyof typeof ACTION_SCHEMAS;
export const ACTION_NAMES = Object.keys(ACTION_SCHEMAS) as ActionName[];

const timelineEntry = z
  .strictObject({
    at: duration.meta({ description: "virtual time of the action" }),
    for: duration.optional().meta({ description: "fault only: heal it after this long" }),
    name: dnsLabel.optional().meta({ description: "fault only: a name for heal: {fault: <name>}" }),
    ...(Object.fromEntries(ACTION_NAMES.map((name) => [name, ACTION_SCHEMAS[name].optional()])) as {
      [K in ActionName]: z.ZodOptional<(typeof ACTION_SCHEMAS)[K]>;
    }),
  })
  .superRefine(exactlyOne("action", ACTION_NAMES))
  .superRefine((value, ctx) => {
    if (value.fault !== undefined) return;
    for (const key of ["for", "name"] as const) {
      if (value[key] !== undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "only a fault entry takes this" });
    }
  });

// ---- assertions ----------------------------------------------------------------------------------------

export const ASSERTION_SCHEMAS = {
  availability: z.strictObject({
    of: objectRef,
    min: percent,
    window: duration.optional().meta({ description: "check the worst sliding window of this length" }),
  }),
  rolloutComplete: z.strictObject({ ...target, within: duration }),
  maxUnavailable: z.strictObject({ ...target, max: integer(0) }),
  maxSurge: z.strictObject({ ...target, max: integer(0) }),
  requests: z
    .strictObject({
      of: objectRef.optional(),
      outcome: z.enum(["total", "succeeded", "failed", "rejected", "mirrored"], {
        error: (issue) =>
          `expected one of total, succeeded, failed, rejected, mirrored, got ${describeInput(issue.input)}`,
      }),
      min: integer(0).optional(),
      max: integer(0).optional(),
    })
    .superRefine((value, ctx) => {
      if (value.min === undefined && value.max === undefined)
        ctx.addIssue({ code: "custom", message: "set min, max or both" });
      if (value.min !== undefined && value.max !== undefined && value.min > value.max) {
        ctx.addIssue({ code: "custom", path: ["max"], message: "must be at least min" });
      }
    }),
  condition: z
    .strictObject({
      ...target,
      type: nonEmptyText.meta({ description: "condition type, e.g. Progressing or Available" }),
      status: z.enum(["True", "False", "Unknown"], {
        error: (issue) => `expected "True", "False" or "Unknown" (quoted), got ${describeInput(issue.input)}`,
      }),
      reason: nonEmptyText.optional(),
      within: duration
        .optional()
        .meta({ description: "seen within this long after the last rollout started; absent: at the end" }),
    })
    .meta({ description: "the workload's status shows this condition" }),
  noInvariantViolations: z
    .union([z.strictObject({}), z.literal(true), z.null()], {
      error: (issue) => `expected {} or true, got ${describeInput(issue.input)}`,
    })
    .meta({ description: "no simulator invariant was violated (checked by default)" }),
} as const;

export type AssertionName = keyof typeof ASSERTION_SCHEMAS;
export const ASSERTION_NAMES = Object.keys(ASSERTION_SCHEMAS) as AssertionName[];

const assertion = z
  .strictObject(
    Object.fromEntries(ASSERTION_NAMES.map((name) => [name, ASSERTION_SCHEMAS[name].optional()])) as {
      [K in AssertionName]: z.ZodOptional<(typeof ASSERTION_SCHEMAS)[K]>;
    },
  )
  .superRefine(exactlyOne("assertion", ASSERTION_NAMES));

// ---- the Scenario document -----------------------------------------------------------------------------

const scenarioSpec = z.strictObject({
  seed: integer(0).default(1).meta({ description: "random seed (default 1); the CLI's --seed overrides it" }),
  duration: duration
    .refine((ms) => ms > 0, "must be more than 0")
    .meta({ description: "virtual time at which the run ends" }),
  include: z
    .array(nonEmptyText)
    .max(LIMITS.includes, `at most ${LIMITS.includes} includes`)
    .optional()
    .meta({ description: "more YAML streams of objects, relative to this file" }),
  cluster: cluster
    .prefault(DEFAULT_CLUSTER)
    .meta({ description: "datacenters and their nodes (default: DC1 with 3 nodes)" }),
  timing: timing.optional(),
  images: z
    .record(nonEmptyText, imageProfile)
    .optional()
    .meta({ description: "how each image behaves, by image name" }),
  traffic: z.array(traffic).max(LIMITS.traffic, `at most ${LIMITS.traffic} traffic sources`).optional(),
  timeline: z
    .array(timelineEntry)
    .max(LIMITS.timelineEntries, `at most ${LIMITS.timelineEntries} timeline entries`)
    .optional(),
  assertions: z.array(assertion).max(LIMITS.assertions, `at most ${LIMITS.assertions} assertions`).optional(),
});

export const scenarioDocument = z
  .strictObject({
    apiVersion: z.literal("rolloutsim/v1", {
      error: (issue) => `the scenario's apiVersion is rolloutsim/v1, not ${describeInput(issue.input)}`,
    }),
    kind: z.literal("Scenario"),
    metadata: z.strictObject({
      name: text
        .max(253, { abort: true, error: "at most 253 characters" })
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "use lowercase letters, digits and '-'"),
      description: text.optional(),
      labels: labels.optional(),
      annotations: annotations.optional(),
    }),
    spec: scenarioSpec,
  })
  .meta({ id: "Scenario", title: "Scenario", description: "rolloutsim scenario (the first document of the stream)" });

/** The Scenario document as written (what an editor or a generator produces). */
export type ScenarioDocumentInput = z.input<typeof scenarioDocument>;
/** The Scenario document after validation: ms, fractions, distributions, ObjectRefs, defaults filled. */
export type ScenarioDocument = z.output<typeof scenarioDocument>;
export type TimelineEntryDocument = NonNullable<ScenarioDocument["spec"]["timeline"]>[number];
export type AssertionDocument = NonNullable<ScenarioDocument["spec"]["assertions"]>[number];
export type TrafficDocument = NonNullable<ScenarioDocument["spec"]["traffic"]>[number];

// ---- JSON Schema ----------------------------------------------------------------------------------------

/**
 * The JSON Schema (draft 2020-12) of a scenario stream: every document is the Scenario or one of
 * the object kinds. Editors (YAML language server) apply it to each document of a file.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const stream = z.union([scenarioDocument, ...Object.values(OBJECT_SCHEMAS)]);
  const generated = z.toJSONSchema(stream, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const refs = Object.keys(OBJECT_SCHEMAS).map((kind) => ({ $ref: `#/$defs/${kind}` }));
  const defs = generated.$defs as Record<string, unknown>;
  defs.KubernetesObject = { anyOf: refs };
  pointTimelineApplyAt(defs.Scenario, { $ref: "#/$defs/KubernetesObject" });
  return {
    $schema: generated.$schema,
    $id: "https://rolloutsim.dev/schema/scenario-v1.json",
    title: "rolloutsim scenario (v1)",
    description: "A YAML stream: the Scenario document, then Kubernetes-style objects applied at time 0.",
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== "$schema")),
  };
}

/** The generated schema has `apply` as any object; point it at the object kinds instead. */
function pointTimelineApplyAt(scenario: unknown, replacement: unknown): void {
  type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode };
  const entry = (scenario as JsonSchemaNode | undefined)?.properties?.spec?.properties?.timeline?.items;
  if (entry?.properties?.apply !== undefined) entry.properties.apply = replacement as JsonSchemaNode;
}

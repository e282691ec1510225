/**
 * The scalar value types of the scenario format, as zod schemas that validate the text a user
 * writes and transform it into the resolved value the runner uses: Go durations to integer
 * milliseconds, "99.5%" to 0.995, distributions to `Distribution`, "200/s" to a rate, quantities to
 * millicores and bytes, "Kind/name" to an ObjectRef. Kubernetes value types (int-or-percent,
 * names, labels, CIDRs) are validated only: objects go to the store as written.
 *
 * Every string check is bounded (a length limit aborts before any pattern runs), so a hostile
 * file cannot make validation slow.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { API_VERSIONS } from "../api/kinds.ts";
import { parseCpuMilli, parseMemoryBytes, parseQuantity } from "../api/quantity.ts";
import { parseDurationMs } from "../sim/duration.ts";
import type { Distribution } from "../sim/random.ts";
import type { ObjectRef } from "./model.ts";

/** Longest scalar string any value check looks at. */
const MAX_VALUE_CHARS = 256;

const boundedString = (what: string) =>
  z
    .string({ error: (issue) => `expected ${what}, got ${describeInput(issue.input)}` })
    .max(MAX_VALUE_CHARS, { abort: true, error: `too long for ${what}` });

/** "a number", "a string", "a list", "an object", "nothing" — for error messages. */
export function describeInput(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "an object";
  if (typeof input === "string")
    return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  return `${typeof input === "number" ? "the number" : "the value"} ${String(input)}`;
}

// ---- durations -------------------------------------------------------------------------------

export const DURATION_PATTERN = "^(0|([0-9]+(\\.[0-9]+)?(ms|s|m|h))+)$";

function durationProblem(text: string): string | null {
  if (text.trim() === "0") return null;
  if (text.trim().startsWith("-")) return "must not be negative";
  if (/^\d+(\.\d+)?$/.test(text.trim())) return `"${text}" has no unit; write e.g. ${text}s or ${text}ms`;
  if (/(us|µs|ns)$/.test(text.trim())) return "the smallest unit is ms";
  return parseDurationMs(text) === null ? `"${text}" is not a duration (like 250ms, 30s, 5m, 1h30m)` : null;
}

/** A Go-style duration ("250ms", "30s", "5m", "1h30m", or 0), as integer milliseconds. */
export const duration = z
  .union(
    [
      z.literal(0),
      boundedString("a duration")
        .superRefine((text, ctx) => {
          const problem = durationProblem(text);
          if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
        })
        .meta({ pattern: DURATION_PATTERN }),
    ],
    { error: (issue) => `expected a duration like 30s, got ${describeInput(issue.input)}` },
  )
  .transform((value) => (value === 0 ? 0 : (parseDurationMs(value) as number)))
  .meta({ id: "Duration", description: "Go-style duration: 250ms, 30s, 5m, 1h30m", examples: ["30s", "5m"] });

// ---- percentages -------------------------------------------------------------------------------

const PERCENT_REGEX = /^(\d+(?:\.\d+)?)%$/;

/** "99.5%" as a fraction (0.995); at most 100%. */
export const percent = boundedString('a percentage like "99.5%"')
  .superRefine((text, ctx) => {
    const match = PERCENT_REGEX.exec(text);
    if (match === null) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not a percentage (like "99.5%")` });
    } else if (Number(match[1]) > 100) {
      ctx.addIssue({ code: "custom", message: `${text} is more than 100%` });
    }
  })
  .transform((text) => Number((PERCENT_REGEX.exec(text) as RegExpExecArray)[1]) / 100)
  .meta({ description: 'a percentage, as a string: "99.5%"', pattern: "^[0-9]+(\\.[0-9]+)?%$" });

/** A fraction in [0, 1], written as a number (0.01) or a percentage ("1%"). */
export const fraction = z.union(
  [z.number().min(0, "must be at least 0").max(1, "must be at most 1 (or write a percentage)"), percent],
  {
    error: (issue) => `expected a fraction (0.01) or a percentage ("1%"), got ${describeInput(issue.input)}`,
  },
);

// ---- distributions -------------------------------------------------------------------------------

const distributionObject = z
  .strictObject({
    uniform: z.strictObject({ min: duration, max: duration }).optional(),
    exponential: z.strictObject({ mean: duration }).optional(),
    lognormal: z
      .strictObject({ median: duration, sigma: z.number().min(0, "sigma must not be negative").max(10) })
      .optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = Object.keys(value);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a distribution has exactly one of uniform, exponential, lognormal (found ${kinds.length === 0 ? "none" : kinds.join(", ")})`,
      });
    }
    if (value.uniform !== undefined && value.uniform.min > value.uniform.max) {
      ctx.addIssue({ code: "custom", path: ["uniform", "max"], message: "max must be at least min" });
    }
  });

function toDistribution(value: number | z.output<typeof distributionObject>): Distribution {
  if (typeof value === "number") return { kind: "constant", valueMs: value };
  if (value.uniform !== undefined) return { kind: "uniform", minMs: value.uniform.min, maxMs: value.uniform.max };
  if (value.exponential !== undefined) return { kind: "exponential", meanMs: value.exponential.mean };
  const lognormal = value.lognormal as { median: number; sigma: number };
  return { kind: "lognormal", medianMs: lognormal.median, sigma: lognormal.sigma };
}

/** A plain duration (constant) or {uniform: {min, max}}, {exponential: {mean}}, {lognormal: {median, sigma}}. */
export const distribution = z
  .union([duration, distributionObject], {
    error: (issue) =>
      `expected a duration or a distribution ({uniform: {min, max}}, ...), got ${describeInput(issue.input)}`,
  })
  .transform(toDistribution)
  .meta({
    id: "Distribution",
    description: "a duration, or {uniform: {min, max}} | {exponential: {mean}} | {lognormal: {median, sigma}}",
  });

// ---- rates, quantities -------------------------------------------------------------------------------

const RATE_REGEX = /^(\d+(?:\.\d+)?)\/(s|m|h)$/;
const RATE_UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** "200/s", "30/m", "5/h", as requests per second. */
export const rate = boundedString('a rate like "200/s"')
  .superRefine((text, ctx) => {
    if (!RATE_REGEX.test(text))
      ctx.addIssue({ code: "custom", message: `"${text}" is not a rate (like 200/s, 30/m, 5/h)` });
  })
  .transform((text) => {
    const match = RATE_REGEX.exec(text) as RegExpExecArray;
    return Number(match[1]) / (RATE_UNIT_SECONDS[match[2] as string] as number);
  })
  .meta({
    description: "requests per second, minute or hour: 200/s, 30/m, 5/h",
    pattern: "^[0-9]+(\\.[0-9]+)?/(s|m|h)$",
  });

const quantityInput = z.union([boundedString("a quantity"), z.number()], {
  error: (issue) => `expected a quantity like 500m or 16Gi, got ${describeInput(issue.input)}`,
});

function checkedQuantity(parse: (text: string | number) => number | null, what: string) {
  return quantityInput.superRefine((value, ctx) => {
    const parsed = parse(value);
    if (parsed === null) ctx.addIssue({ code: "custom", message: `"${value}" is not a quantity (like 500m, 4, 16Gi)` });
    else if (parsed < 0) ctx.addIssue({ code: "custom", message: `${what} must not be negative` });
  });
}

/** A Kubernetes quantity, validated only (as in resources.requests). */
export const quantity = checkedQuantity(parseQuantity, "a quantity");
/** CPU in millicores ("4" → 4000, "500m" → 500). */
export const cpuMilli = checkedQuantity(parseCpuMilli, "cpu").transform((value) => parseCpuMilli(value) as number);
/** Memory in bytes ("16Gi"). */
export const memoryBytes = checkedQuantity(parseMemoryBytes, "memory").transform(
  (value) => parseMemoryBytes(value) as number,
);

// ---- names, labels, references -------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && DNS_SUBDOMAIN.test(text);
}

export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

/** A Kubernetes object name (RFC 1123 subdomain: lowercase letters, digits, '-', '.'). */
export const objectName = boundedString("a name").refine(isDnsSubdomain, {
  error: (issue) =>
    `"${String(issue.input)}" is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
});

/** An RFC 1123 label: a namespace, a container or port name. */
export const dnsLabel = boundedString("a name").refine(isDnsLabel, {
  error: (issue) => `"${String(issue.input)}" is not a valid name: use at most 63 lowercase letters, digits and '-'`,
});

function labelKeyProblem(key: string): string | null {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : "";
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && !isDnsSubdomain(prefix)) return `label key "${key}": the prefix must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `"${key}" is not a valid label key: at most 63 letters, digits, '-', '_', '.', optionally after a DNS prefix and '/'`;
  }
  return null;
}

const labelValue = z
  .string({ error: (issue) => `a label value must be a string, got ${describeInput(issue.input)} (quote it)` })
  .max(63, { abort: true, error: "a label value has at most 63 characters" })
  .refine((text) => text === "" || QUALIFIED_NAME.test(text), {
    error: (issue) => `"${String(issue.input)}" is not a valid label value: letters, digits, '-', '_', '.'`,
  });

/** A map of labels, with Kubernetes' key and value rules. */
export const labels = z.record(z.string(), labelValue).superRefine((value, ctx) => {
  for (const key of Object.keys(value)) {
    const problem = labelKeyProblem(key);
    if (problem !== null) ctx.addIssue({ code: "custom", path: [key], message: problem });
  }
});

/** Annotations: any string keys and string values. */
export const annotations = z.record(
  z.string(),
  z.string({ error: (issue) => `an annotation value must be a string, got ${describeInput(issue.input)} (quote it)` }),
);

const KNOWN_KINDS = Object.keys(API_VERSIONS);

function parseRef(text: string): ObjectRef | string {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3)
    return `"${text}" is not a reference: write Kind/name or Kind/namespace/name`;
  const [kind, first, second] = parts as [string, string, string | undefined];
  if (!KNOWN_KINDS.includes(kind)) return `unknown kind "${kind}" in "${text}" (known: ${KNOWN_KINDS.join(", ")})`;
  const namespace = second === undefined ? "default" : first;
  const name = second === undefined ? first : second;
  if (!isDnsLabel(namespace)) return `"${namespace}" is not a valid namespace in "${text}"`;
  if (!isDnsSubdomain(name)) return `"${name}" is not a valid object name in "${text}"`;
  return { kind, namespace, name };
}

/** "Kind/name" or "Kind/namespace/name" (namespace "default"). */
export const objectRef = boundedString('a reference like "Deployment/demo"')
  .superRefine((text, ctx) => {
    const ref = parseRef(text);
    if (typeof ref === "string") ctx.addIssue({ code: "custom", message: ref });
  })
  .transform((text) => parseRef(text) as ObjectRef)
  .meta({
    id: "ObjectRef",
    pattern: "^[A-Za-z]+/([a-z0-9-]+/)?[a-z0-9.-]+$",
    description: "Kind/name or Kind/namespace/name",
    examples: ["Deployment/demo", "Service/demo"],
  });

// ---- Kubernetes value types -------------------------------------------------------------------------------

const INT_PERCENT = /^(\d+)%$/;

/** IntOrString for maxSurge/maxUnavailable: a non-negative integer or "N%" (intstr rules). */
export function intOrPercent(options: { maxPercent?: number } = {}) {
  return z.union(
    [
      z.number().int("must be a whole number").min(0, "must not be negative"),
      boundedString('a percentage like "25%"').superRefine((text, ctx) => {
        const match = INT_PERCENT.exec(text);
        if (match === null) {
          ctx.addIssue({ code: "custom", message: `"${text}" must be an integer or a percentage like "25%"` });
        } else if (options.maxPercent !== undefined && Number(match[1]) > options.maxPercent) {
          ctx.addIssue({ code: "custom", message: `${text} must not be more than ${options.maxPercent}%` });
        }
      }),
    ],
    { error: (issue) => `expected an integer or a percentage like "25%", got ${describeInput(issue.input)}` },
  );
}

/** The value of an int-or-percent of `total`, for checks that only care whether it is zero. */
export function intOrPercentIsZero(value: number | string | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === "number") return value === 0;
  const match = INT_PERCENT.exec(value);
  return match !== null && Number(match[1]) === 0;
}

function isStrictIp(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (text.includes(":") && ipaddr.IPv6.isValid(text));
}

function isStrictCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!isStrictIp(address) || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (address.includes(":") ? 128 : 32);
}

/** An IP address or a CIDR block ("10.0.0.0/8", "192.168.1.7", "fd00::/8"). */
export const ipOrCidr = boundedString("an IP address or CIDR").refine(
  (text) => isStrictIp(text) || isStrictCidr(text),
  {
    error: (issue) => `"${String(issue.input)}" is not an IP address or a CIDR block (like 10.0.0.0/8)`,
  },
);

/** An integer that is at least `min`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number({ error: (issue) => `expected a whole number, got ${describeInput(issue.input)}` })
    .int("must be a whole number")
    .min(min, min === 0 ? "must not be negative" : `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

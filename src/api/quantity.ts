/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): a decimal number with an
 * optional suffix — binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (n, u, m, k, M, G, T, P, E) or an
 * exponent (1e3, 1E3).
 */

const SUFFIX_FACTORS: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The value of a quantity in base units (cores, bytes, count), or null if it is not one. */
export function parseQuantity(text: string | number): number | null {
  if (typeof text === "number") return Number.isFinite(text) ? text : null;
  const match = QUANTITY_PATTERN.exec(text.trim());
  if (match === null) return null;
  const number = Number(match[1]);
  if (match[2] !== undefined) return number * 10 ** Number(match[2].slice(1));
  return number * (SUFFIX_FACTORS[match[3] ?? ""] as number);
}

/** CPU in whole millicores ("500m" → 500, "2" → 2000); rounds up like the API's MilliValue. */
export function parseCpuMilli(text: string | number): number | null {
  const cores = parseQuantity(text);
  return cores === null ? null : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Memory (or any byte quantity) in whole bytes, rounded up. */
export function parseMemoryBytes(text: string | number): number | null {
  const bytes = parseQuantity(text);
  return bytes === null ? null : Math.ceil(bytes);
}

/** Formats millicores as the API shows them ("4" for 4000, "250m"). */
export function formatCpuMilli(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Formats bytes as the API shows them, with the largest exact binary suffix ("16Gi"). */
export function formatMemoryBytes(bytes: number): string {
  for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const factor = SUFFIX_FACTORS[suffix] as number;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

/**
 * Go-style durations ("250ms", "30s", "5m", "1h30m") to integer milliseconds, and back.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;

/** Parses a Go-style duration; returns null when the text is not one. Fractions round to 1 ms. */
export function parseDurationMs(text: string): number | null {
  let rest = text.trim();
  if (rest === "0") return 0;
  if (rest === "") return null;
  let totalMs = 0;
  while (rest.length > 0) {
    const match = DURATION_PATTERN.exec(rest);
    if (match === null) return null;
    totalMs += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return Math.round(totalMs);
}

/** Formats milliseconds as a short Go-style duration ("1m30s", "250ms"). */
export function formatDurationMs(totalMs: number): string {
  if (totalMs === 0) return "0s";
  const sign = totalMs < 0 ? "-" : "";
  let rest = Math.abs(totalMs);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (seconds > 0 || (millis > 0 && out.length > sign.length)) {
    out += millis > 0 ? `${seconds}.${String(millis).padStart(3, "0").replace(/0+$/, "")}s` : `${seconds}s`;
  } else if (millis > 0) {
    out += `${millis}ms`;
  }
  return out;
}

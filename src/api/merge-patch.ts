/**
 * JSON merge patch (RFC 7386), as `kubectl patch --type merge` applies it: objects merge key by
 * key, null deletes a key, anything else (arrays included) replaces.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Applies `patch` to a draft object in place (an immer draft or a fresh object). */
export function applyMergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete target[key];
    } else if (isPlainObject(value)) {
      const existing = target[key];
      if (!isPlainObject(existing)) target[key] = {};
      applyMergePatch(target[key] as Record<string, unknown>, value);
    } else {
      target[key] = structuredClone(value);
    }
  }
}

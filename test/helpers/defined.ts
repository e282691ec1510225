/**
 * Test-only narrowing in place of a non-null assertion (`x!`): returns the value, or throws (and so
 * fails the test) with a message naming what is missing.
 */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}

/**
 * Label selectors (metav1.LabelSelector): matchLabels and matchExpressions with In, NotIn,
 * Exists and DoesNotExist, as labels.Selector evaluates them.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";

export type Labels = Readonly<Record<string, string>> | undefined;

/** True if `labels` satisfy `selector`. An empty selector matches everything; a missing one nothing. */
export function matchesSelector(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (selector === undefined || selector === null) return false;
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined) {
    for (const key in matchLabels) {
      if (labels === undefined || labels[key] !== matchLabels[key]) return false;
    }
  }
  const expressions = selector.matchExpressions;
  if (expressions !== undefined) {
    for (const requirement of expressions) {
      const value = labels?.[requirement.key];
      switch (requirement.operator) {
        case "In":
          if (value === undefined || !(requirement.values ?? []).includes(value)) return false;
          break;
        case "NotIn":
          if (value !== undefined && (requirement.values ?? []).includes(value)) return false;
          break;
        case "Exists":
          if (value === undefined) return false;
          break;
        case "DoesNotExist":
          if (value !== undefined) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

/** True if the selector selects everything (no labels and no expressions). */
export function isEmptySelector(selector: LabelSelector | undefined | null): boolean {
  if (selector === undefined || selector === null) return false;
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** A set-based selector from a plain map (ReplicationController and Service selectors). */
export function selectorFromMap(map: Readonly<Record<string, string>> | undefined): LabelSelector | undefined {
  return map === undefined ? undefined : { matchLabels: { ...map } };
}

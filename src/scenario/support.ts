/**
 * What the runner supports today. The schema accepts the whole v1 format (interfaces.md §1); the
 * loader refuses any kind, action, fault or assertion missing here with a "not supported yet"
 * problem at its line, so a scenario never runs with part of it silently ignored.
 *
 * When a controller, action or fault lands, add its name here (and a test scenario using it).
 */

export const SUPPORTED = {
  /** Object kinds the runner can create and simulate. */
  kinds: ["Pod", "Service", "ReplicationController", "ReplicaSet", "Deployment", "Gateway", "LoadBalancer"],
  /** Timeline actions (the key next to `at`). */
  actions: ["apply", "patch", "setImage", "scale", "delete", "rollback", "pause", "resume", "fault", "heal"],
  /** Faults (the key inside `fault:`). */
  faults: ["nodeDown", "controllerDown", "watchDelay", "imagePullFailure", "podCrash", "chaos", "partition"],
  /** Assertions (the key of each `assertions:` entry). */
  assertions: [
    "availability",
    "rolloutComplete",
    "maxUnavailable",
    "maxSurge",
    "requests",
    "condition",
    "noInvariantViolations",
  ],
  /** Kinds a `rollback` action can target. */
  rollbackKinds: ["Deployment"],
  /** Kinds traffic can be sent to (traffic `to:`, availability `of:`). */
  trafficTargets: ["Service", "Gateway", "LoadBalancer"],
  /**
   * Names `controllerDown` accepts. Empty: any name is accepted here and the runner checks it
   * against the components it registered.
   */
  controllers: [] as string[],
} as const;

export type SupportCategory = "kinds" | "actions" | "faults" | "assertions" | "rollbackKinds" | "trafficTargets";

const LOOKUP: Readonly<Record<SupportCategory, ReadonlySet<string>>> = {
  kinds: new Set(SUPPORTED.kinds),
  actions: new Set(SUPPORTED.actions),
  faults: new Set(SUPPORTED.faults),
  assertions: new Set(SUPPORTED.assertions),
  rollbackKinds: new Set(SUPPORTED.rollbackKinds),
  trafficTargets: new Set(SUPPORTED.trafficTargets),
};

export function isSupported(category: SupportCategory, name: string): boolean {
  return LOOKUP[category].has(name);
}

/** The standard message for something the format knows but this version cannot run yet. */
export function notSupportedMessage(what: string): string {
  return `${what} is not supported yet by this version of rolloutsim`;
}

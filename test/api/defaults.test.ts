import { describe, expect, it } from "vitest";
import { applyDefaults, defaultNewPodStatus, hasCreateDefaults } from "../../src/api/defaults.ts";

describe("hasCreateDefaults", () => {
  it.each(["Pod", "Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "Service"])(
    "is true for %s, which create defaults change",
    (kind) => {
      const object = { kind, spec: {} as Record<string, unknown> };
      applyDefaults(object);
      defaultNewPodStatus(object);
      expect(hasCreateDefaults(kind)).toBe(true);
      expect(Object.keys(object.spec).length + ("status" in object ? 1 : 0)).toBeGreaterThan(0);
    },
  );

  it.each(["Node", "ConfigMap", "EndpointSlice", "Namespace"])("is false for %s, which they leave alone", (kind) => {
    const object = { kind, spec: {}, status: {} };
    applyDefaults(object);
    defaultNewPodStatus(object);
    expect(hasCreateDefaults(kind)).toBe(false);
    expect(object).toEqual({ kind, spec: {}, status: {} });
  });
});

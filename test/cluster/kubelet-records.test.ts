import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import {
  type ContainerRecord,
  containerStatus,
  containerStatusUnchanged,
  exitInfo,
  lastRenewalMs,
  type NodeRuntime,
  PodRecord,
  renewalBeforeMs,
  zeroPadded,
} from "../../src/cluster/kubelet-records.ts";
import { jsonEqual } from "../../src/cluster/pod-status.ts";

function container(): ContainerRecord {
  const pod = {
    metadata: { namespace: "default", name: "web", uid: "00000000-0000-4000-8000-00000000002a" },
    spec: { containers: [{ name: "app", image: "app:v1" }] },
  } as unknown as Pod;
  const record = new PodRecord({ down: false } as NodeRuntime, pod, 0);
  return record.containers[0] as ContainerRecord;
}

describe("zeroPadded", () => {
  it("is String(value).padStart(width, '0')", () => {
    for (const width of [2, 4]) {
      for (const value of [0, 7, 10, 99, 100, 999, 1000, 12345]) {
        expect(zeroPadded(value, width)).toBe(String(value).padStart(width, "0"));
      }
    }
  });
});

describe("exitInfo", () => {
  it("builds the terminated state once, message last when there is one", () => {
    const app = container();
    app.runs = 1;
    app.startedAtMs = 1000;
    const plain = exitInfo(app, 0, "Completed", undefined, 5000);
    expect(plain.state).toEqual({
      terminated: {
        exitCode: 0,
        reason: "Completed",
        startedAt: app.startedAt,
        finishedAt: plain.finishedAt,
        containerID: app.containerId,
      },
    });
    expect(Object.isFrozen(plain.state.terminated)).toBe(true);
    const told = exitInfo(app, 137, "Error", "killed", 6000);
    expect(Object.keys(told.state.terminated ?? {})).toEqual([
      "exitCode",
      "reason",
      "startedAt",
      "finishedAt",
      "containerID",
      "message",
    ]);
  });
});

describe("containerStatusUnchanged", () => {
  it("agrees with jsonEqual(stored, containerStatus(container)) through a container's life", () => {
    const app = container();
    const steps: ((c: ContainerRecord) => void)[] = [
      () => {},
      (c) => {
        c.stage = "running";
        c.runs = 1;
        c.startedAtMs = 2000;
        c.imagePulled = true;
      },
      (c) => {
        c.ready = true;
      },
      (c) => {
        c.lastExit = exitInfo(c, 1, "Error", undefined, 9000);
        c.stage = "backoff";
        c.ready = false;
        c.waitingReason = "CrashLoopBackOff";
        c.waitingMessage = "back-off 10s";
      },
      (c) => {
        c.stage = "running";
        c.runs = 2;
        c.restartCount = 1;
        c.startedAtMs = 20_000;
      },
      (c) => {
        c.priorExit = c.lastExit;
        c.lastExit = exitInfo(c, 0, "Completed", undefined, 30_000);
        c.stage = "exited";
      },
    ];
    const seen = [];
    for (const step of steps) {
      step(app);
      const fresh = containerStatus(app);
      expect(containerStatusUnchanged(fresh, app)).toBe(true);
      for (const stored of seen) expect(containerStatusUnchanged(stored, app)).toBe(jsonEqual(stored, fresh));
      seen.push(fresh);
    }
  });

  it("sees a stored status with other keys as changed", () => {
    const app = container();
    const stored = { ...containerStatus(app), allocatedResources: {} };
    expect(containerStatusUnchanged(stored, app)).toBe(false);
  });
});

describe("Lease renewals", () => {
  const node = (fields: Partial<NodeRuntime>): NodeRuntime =>
    ({ down: false, partitioned: false, upSinceMs: 3_000, lastRenewMs: 1_000, ...fields }) as NodeRuntime;

  it("renewalBeforeMs is the last heartbeat tick since the kubelet started, at or before the time", () => {
    expect(renewalBeforeMs(node({}), 3_000, 10_000)).toBe(3_000);
    expect(renewalBeforeMs(node({}), 12_999, 10_000)).toBe(3_000);
    expect(renewalBeforeMs(node({}), 13_000, 10_000)).toBe(13_000);
    // A period under 1 ms counts as 1 ms.
    expect(renewalBeforeMs(node({}), 3_007, 0)).toBe(3_007);
  });

  it("lastRenewalMs stops at the last renewal while the machine is down or cut off", () => {
    expect(lastRenewalMs(node({}), 25_000, 10_000)).toBe(23_000);
    expect(lastRenewalMs(node({ down: true }), 25_000, 10_000)).toBe(1_000);
    expect(lastRenewalMs(node({ partitioned: true }), 25_000, 10_000)).toBe(1_000);
  });
});

import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import {
  type ContainerRecord,
  containerStatus,
  containerStatusUnchanged,
  exitInfo,
  type NodeRuntime,
  PodRecord,
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

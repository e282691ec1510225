import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/kinds.ts";
import { podCondition } from "../../src/api/pod.ts";
import { constantMs } from "../../src/sim/random.ts";
import { createPod, node, pod, readyStatus, startCluster, transitionAt } from "./fixture.ts";

// Pods are created with spec.nodeName set, so the kubelet sees them at 20 ms (the watch delay);
// image pull 2 s, container start 500 ms, application startup 5 s, shutdown 100 ms.
const cluster = (options: Parameters<typeof startCluster>[0] = {}) =>
  startCluster({ nodes: 2, withScheduler: false, withLifecycle: false, ...options });

function containerStatus(found: Pod | undefined) {
  return found?.status?.containerStatuses?.[0];
}

describe("kubelet: starting pods", () => {
  it("writes Pending with the pod IP, then Running and Ready once the container starts", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "a", { nodeName: "dca-1" });
    createPod(world, "b", { nodeName: "dca-1" });
    world.kernel.run(19);
    expect(pod(world, "a")?.status?.podIP).toBeUndefined();
    world.kernel.run(20);
    const pending = pod(world, "a");
    expect(pending?.status).toMatchObject({
      phase: "Pending",
      hostIP: "172.16.0.1",
      podIP: "10.1.0.2",
      podIPs: [{ ip: "10.1.0.2" }],
      startTime: "2026-01-01T00:00:00Z",
    });
    expect(pod(world, "b")?.status?.podIP).toBe("10.1.0.3");
    expect(containerStatus(pending)).toMatchObject({
      ready: false,
      restartCount: 0,
      started: false,
      state: { waiting: { reason: "ContainerCreating" } },
    });
    expect(podCondition(pending as Pod, "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [app]",
    });
    expect(podCondition(pending as Pod, "Initialized")?.status).toBe("True");
    world.kernel.run(2519);
    expect(pod(world, "a")?.status?.phase).toBe("Pending");
    world.kernel.run(2520);
    const running = pod(world, "a");
    expect(running?.status?.phase).toBe("Running");
    expect(containerStatus(running)).toMatchObject({
      ready: true,
      started: true,
      state: { running: { startedAt: "2026-01-01T00:00:02Z" } },
    });
    expect(podCondition(running as Pod, "Ready")).toEqual({
      type: "Ready",
      status: "True",
      lastTransitionTime: "2026-01-01T00:00:02Z",
    });
    expect(podCondition(running as Pod, "ContainersReady")?.status).toBe("True");
    expect(fixture.kubelet.processState(running?.metadata.uid as string)).toBe("running");
    expect(transitionAt(fixture, "a", "running")).toBe(2520);
  });

  it("pulls an image once per node: concurrent pods share the pull, later pods find it cached, pulls are serial", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "a", { nodeName: "dca-1" });
    createPod(world, "b", { nodeName: "dca-1" });
    createPod(world, "other-image", { nodeName: "dca-1", image: "other:v1" });
    createPod(world, "c", { nodeName: "dca-2" });
    world.kernel.run(5000);
    createPod(world, "d", { nodeName: "dca-1" });
    world.kernel.run(60_000);
    expect(transitionAt(fixture, "a", "running")).toBe(2520);
    expect(transitionAt(fixture, "b", "running")).toBe(2520);
    expect(transitionAt(fixture, "c", "running")).toBe(2520);
    expect(transitionAt(fixture, "other-image", "running")).toBe(4520); // waits for the first pull
    expect(transitionAt(fixture, "d", "running")).toBe(5520); // cached: container start only
  });

  it("gets ready on the first readiness probe tick after the application is healthy", () => {
    const fixture = cluster({ images: { "fast:v1": { startup: constantMs(0) } } });
    const { world } = fixture;
    // Worker starts at 20, container at 2520, healthy at 7520: ticks at 10020, 20020, ...
    createPod(world, "probe", { nodeName: "dca-1", readinessProbe: { periodSeconds: 10 } });
    createPod(world, "delay", { nodeName: "dca-1", readinessProbe: { periodSeconds: 10, initialDelaySeconds: 15 } });
    createPod(world, "twice", { nodeName: "dca-2", readinessProbe: { periodSeconds: 10, successThreshold: 2 } });
    createPod(world, "fast", { nodeName: "dca-2", image: "fast:v1", readinessProbe: { periodSeconds: 10 } });
    world.kernel.run(10_019);
    expect(readyStatus(world, "probe")).toBe("False");
    expect(containerStatus(pod(world, "probe"))?.started).toBe(true);
    expect(readyStatus(world, "fast")).toBe("True"); // the probe run at container start (2520) passes
    world.kernel.run(10_020);
    expect(readyStatus(world, "probe")).toBe("True");
    expect(podCondition(pod(world, "probe") as Pod, "Ready")?.lastTransitionTime).toBe("2026-01-01T00:00:10Z");
    expect(readyStatus(world, "twice")).toBe("False");
    world.kernel.run(20_019);
    expect(readyStatus(world, "delay")).toBe("False");
    world.kernel.run(20_020);
    expect(readyStatus(world, "delay")).toBe("True");
    expect(readyStatus(world, "twice")).toBe("True");
  });

  it("never readies an image whose application never becomes ready", () => {
    const fixture = cluster({ images: { "broken:v1": { ready: false } } });
    const { world } = fixture;
    createPod(world, "with-probe", { nodeName: "dca-1", image: "broken:v1", readinessProbe: { periodSeconds: 1 } });
    createPod(world, "no-probe", { nodeName: "dca-2", image: "broken:v1" });
    world.kernel.run(600_000);
    for (const name of ["with-probe", "no-probe"]) {
      expect(pod(world, name)?.status?.phase).toBe("Running");
      expect(readyStatus(world, name)).toBe("False");
    }
    expect(fixture.kubelet.processState(pod(world, "with-probe")?.metadata.uid as string)).toBe("running");
  });

  it("makes Ready wait for readiness gates and follows their changes", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "gated", { nodeName: "dca-1", readinessGates: ["example.com/lb"] });
    world.kernel.run(3000);
    const gated = pod(world, "gated") as Pod;
    expect(podCondition(gated, "ContainersReady")?.status).toBe("True");
    expect(podCondition(gated, "Ready")).toMatchObject({
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    });
    const setGate = (status: string) =>
      world.store.patch<Pod>("Pod", "default", "gated", (draft) => {
        const conditions = (draft.status?.conditions ?? []).filter((condition) => condition.type !== "example.com/lb");
        conditions.push({ type: "example.com/lb", status, lastTransitionTime: "2026-01-01T00:00:04Z" });
        (draft.status as { conditions: unknown[] }).conditions = conditions;
      });
    world.kernel.run(4000);
    setGate("True");
    world.kernel.run(4019);
    expect(readyStatus(world, "gated")).toBe("False");
    world.kernel.run(4020);
    expect(podCondition(pod(world, "gated") as Pod, "Ready")).toEqual({
      type: "Ready",
      status: "True",
      lastTransitionTime: "2026-01-01T00:00:04Z",
    });
    world.kernel.run(6000);
    setGate("False");
    world.kernel.run(6020);
    expect(podCondition(pod(world, "gated") as Pod, "Ready")).toMatchObject({
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: 'the status of pod readiness gate "example.com/lb" is not "True", but False',
    });
    // The gate condition itself is left as the other writer set it.
    expect(podCondition(pod(world, "gated") as Pod, "example.com/lb")?.status).toBe("False");
  });

  it("restarts a crashing container with CrashLoopBackOff: at once, then 10 s, then 20 s", () => {
    const fixture = cluster({ images: { "crashy:v1": { crashAfter: constantMs(1000) } } });
    const { world } = fixture;
    const created = createPod(world, "crashy", { nodeName: "dca-1", image: "crashy:v1" });
    world.kernel.run(5020);
    const backingOff = containerStatus(pod(world, "crashy"));
    expect(backingOff).toMatchObject({
      ready: false,
      restartCount: 1,
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off 10s restarting failed container=app pod=crashy_default(${created.metadata.uid})`,
        },
      },
      lastState: { terminated: { exitCode: 1, reason: "Error" } },
    });
    expect(pod(world, "crashy")?.status?.phase).toBe("Running");
    expect(readyStatus(world, "crashy")).toBe("False");
    world.kernel.run(38_000);
    const states = fixture.transitions.filter((each) => each.pod === "crashy").map((each) => [each.atMs, each.state]);
    expect(states).toEqual([
      [2520, "running"],
      [3520, "stopped"],
      [4020, "running"],
      [5020, "stopped"],
      [15_520, "running"],
      [16_520, "stopped"],
      [37_020, "running"],
    ]);
    expect(containerStatus(pod(world, "crashy"))?.restartCount).toBe(3);
    expect(world.eventCounts.get("BackOff")).toBe(2);
  });

  it("restarts a container when its image changes in place (preStop and SIGTERM first)", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(10_000);
    world.store.patch<Pod>("Pod", "default", "web", (draft) => {
      (draft.spec?.containers[0] as { image: string }).image = "app:v2";
    });
    world.kernel.run(20_000);
    // Seen at 10020: SIGTERM, exit at 10120, pull app:v2 until 12120, running at 12620.
    expect(transitionAt(fixture, "web", "draining")).toBe(10_020);
    expect(transitionAt(fixture, "web", "stopped")).toBe(10_120);
    expect(fixture.transitions.filter((each) => each.pod === "web").at(-1)).toEqual({
      atMs: 12_620,
      pod: "web",
      state: "running",
    });
    expect(containerStatus(pod(world, "web"))).toMatchObject({ image: "app:v2", restartCount: 1, ready: true });
  });

  it("reports pull failures (imagePullFailure fault): ErrImagePull, ImagePullBackOff, retries with back-off", () => {
    const fixture = cluster();
    const { world, kubelet } = fixture;
    kubelet.setImagePullFailing("bad:v1", true);
    createPod(world, "bad", { nodeName: "dca-1", image: "bad:v1" });
    world.kernel.run(2020);
    expect(containerStatus(pod(world, "bad"))?.state?.waiting?.reason).toBe("ErrImagePull");
    world.kernel.run(3020);
    expect(containerStatus(pod(world, "bad"))?.state?.waiting).toEqual({
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "bad:v1"',
    });
    // Retry at 12020 fails at 14020; the next retry comes 20 s later, at 34020, after the fault healed.
    world.kernel.run(14_020);
    expect(containerStatus(pod(world, "bad"))?.state?.waiting?.reason).toBe("ErrImagePull");
    kubelet.setImagePullFailing("bad:v1", false);
    world.kernel.run(36_519);
    expect(pod(world, "bad")?.status?.phase).toBe("Pending");
    world.kernel.run(36_520);
    expect(pod(world, "bad")?.status?.phase).toBe("Running");
    expect(world.eventCounts.get("Failed")).toBe(2);
  });

  it("crashes a running container on request (podCrash fault)", () => {
    const fixture = cluster();
    const { world, kubelet } = fixture;
    const created = createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(3000);
    kubelet.crashContainer(created.metadata.uid);
    expect(kubelet.processState(created.metadata.uid)).toBe("stopped");
    world.kernel.run(3500);
    expect(kubelet.processState(created.metadata.uid)).toBe("running");
    expect(containerStatus(pod(world, "web"))?.restartCount).toBe(1);
  });
});

describe("kubelet: termination (§5.2)", () => {
  it("SIGTERMs, writes the terminal status and deletes the pod with grace 0", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(10_000);
    world.store.delete("Pod", "default", "web");
    world.kernel.run(10_020);
    expect(transitionAt(fixture, "web", "draining")).toBe(10_020);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBe("2026-01-01T00:00:40Z");
    world.kernel.run(10_119);
    expect(pod(world, "web")).toBeDefined();
    world.kernel.run(10_120);
    expect(pod(world, "web")).toBeUndefined();
    const last = fixture.deleted.get("web");
    expect(last?.atMs).toBe(10_120);
    expect(last?.pod.status?.phase).toBe("Succeeded");
    expect(containerStatus(last?.pod)?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(podCondition(last?.pod as Pod, "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(transitionAt(fixture, "web", "stopped")).toBe(10_120);
  });

  it("runs the preStop hook first; the process keeps serving meanwhile", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "web", { nodeName: "dca-1", preStop: { exec: { command: ["/bin/sh", "-c", "sleep 5"] } } });
    world.kernel.run(10_000);
    world.store.delete("Pod", "default", "web");
    world.kernel.run(15_019);
    expect(fixture.kubelet.processState(pod(world, "web")?.metadata.uid as string)).toBe("running");
    world.kernel.run(20_000);
    expect(transitionAt(fixture, "web", "draining")).toBe(15_020);
    expect(fixture.deleted.get("web")?.atMs).toBe(15_120);
  });

  it("SIGKILLs at the end of the grace period", () => {
    const fixture = cluster({ images: { "slow:v1": { shutdown: constantMs(60_000) } } });
    const { world } = fixture;
    createPod(world, "web", { nodeName: "dca-1", image: "slow:v1" });
    world.kernel.run(10_000);
    world.store.delete("Pod", "default", "web");
    world.kernel.run(60_000);
    const last = fixture.deleted.get("web");
    expect(last?.atMs).toBe(40_020);
    expect(last?.pod.status?.phase).toBe("Failed");
    expect(containerStatus(last?.pod)?.state?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
  });

  it("counts preStop against the grace and still gives SIGTERM at least 2 s", () => {
    const fixture = cluster({ images: { "slow:v1": { shutdown: constantMs(60_000) } } });
    const { world } = fixture;
    createPod(world, "long-hook", {
      nodeName: "dca-1",
      image: "slow:v1",
      preStop: { sleep: { seconds: 40 } } as never,
    });
    createPod(world, "short-hook", {
      nodeName: "dca-1",
      image: "slow:v1",
      preStop: { exec: { command: ["sleep", "10"] } },
    });
    createPod(world, "tiny-grace", { nodeName: "dca-2", image: "slow:v1" });
    world.kernel.run(10_000);
    world.store.delete("Pod", "default", "long-hook");
    world.store.delete("Pod", "default", "short-hook");
    world.store.delete("Pod", "default", "tiny-grace", { gracePeriodSeconds: 1 });
    world.kernel.run(60_000);
    // Hook cut at the 30 s grace (40020), then the 2 s minimum.
    expect(transitionAt(fixture, "long-hook", "draining")).toBe(40_020);
    expect(fixture.deleted.get("long-hook")?.atMs).toBe(42_020);
    // 10 s hook, 20 s left for SIGTERM.
    expect(transitionAt(fixture, "short-hook", "draining")).toBe(20_020);
    expect(fixture.deleted.get("short-hook")?.atMs).toBe(40_020);
    // Grace 1 s becomes 2 s.
    expect(fixture.deleted.get("tiny-grace")?.atMs).toBe(12_020);
  });

  it("leaves the object to its finalizers after the final delete", () => {
    const fixture = cluster();
    const { world } = fixture;
    const created = createPod(world, "kept", { nodeName: "dca-1", finalizers: ["example.com/keep"] });
    world.kernel.run(10_000);
    world.store.delete("Pod", "default", "kept");
    world.kernel.run(30_000);
    const kept = pod(world, "kept");
    expect(kept?.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(kept?.status?.phase).toBe("Succeeded");
    expect(fixture.kubelet.processState(created.metadata.uid)).toBe("stopped");
    world.store.patch<Pod>("Pod", "default", "kept", (draft) => {
      draft.metadata.finalizers = [];
    });
    expect(pod(world, "kept")).toBeUndefined();
    world.kernel.run(30_020);
    expect(fixture.kubelet.processState(created.metadata.uid)).toBe("absent");
  });

  it("finishes a pod deleted before its container started without waiting", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "early", { nodeName: "dca-1" });
    world.kernel.run(1000);
    world.store.delete("Pod", "default", "early");
    world.kernel.run(1020);
    expect(pod(world, "early")).toBeUndefined();
    expect(fixture.transitions.filter((each) => each.pod === "early")).toEqual([]);
  });

  it("does nothing for a pod deleted before it was bound", () => {
    const fixture = cluster();
    const { world } = fixture;
    createPod(world, "unbound");
    world.store.delete("Pod", "default", "unbound");
    expect(pod(world, "unbound")).toBeUndefined();
    world.kernel.run(1000);
    expect(fixture.transitions).toEqual([]);
  });
});

describe("kubelet: machine down and up", () => {
  it("loses the processes at once, writes nothing while down, and restarts pods in a new sandbox", () => {
    const fixture = cluster();
    const { world, nodes, kubelet } = fixture;
    const created = createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(10_000);
    const before = pod(world, "web");
    nodes.setNodeDown("dca-1", true);
    expect(kubelet.processState(created.metadata.uid)).toBe("absent");
    expect(transitionAt(fixture, "web", "absent")).toBe(10_000);
    expect(kubelet.leaseRenewTimeMs("dca-1")).toBe(10_000);
    createPod(world, "while-down", { nodeName: "dca-1" });
    world.kernel.run(20_000);
    expect(pod(world, "web")).toBe(before);
    expect(pod(world, "while-down")?.status?.podIP).toBeUndefined();
    expect(kubelet.leaseRenewTimeMs("dca-1")).toBe(10_000);
    expect(kubelet.leaseRenewTimeMs("dca-2")).toBe(20_000);
    // The handle the node lifecycle controller keeps reads the same renewals, and is the same object each time.
    const lease = kubelet.nodeLease("dca-1");
    expect(lease?.renewTimeMs()).toBe(10_000);
    expect(kubelet.nodeLease("dca-1")).toBe(lease);
    expect(kubelet.nodeLease("no-such-node")).toBeUndefined();
    nodes.setNodeDown("dca-1", false);
    // A new sandbox: the next address after the last one handed out, not the old 10.1.0.2.
    const restarted = pod(world, "web");
    expect(restarted?.status?.podIP).toBe("10.1.0.3");
    expect(containerStatus(restarted)?.lastState?.terminated).toMatchObject({ exitCode: 255, reason: "Unknown" });
    expect(pod(world, "while-down")?.status?.podIP).toBe("10.1.0.4");
    const ready = node(world, "dca-1")?.status?.conditions?.find((condition) => condition.type === "Ready");
    expect(ready).toMatchObject({ status: "True", reason: "KubeletReady", lastHeartbeatTime: "2026-01-01T00:00:20Z" });
    world.kernel.run(20_499);
    expect(kubelet.processState(created.metadata.uid)).toBe("absent");
    world.kernel.run(20_500);
    expect(containerStatus(pod(world, "web"))).toMatchObject({ restartCount: 1, ready: true });
    expect(kubelet.processState(created.metadata.uid)).toBe("running");
  });

  it("finishes pods deleted while the machine was down when it comes back", () => {
    const fixture = cluster();
    const { world, nodes } = fixture;
    createPod(world, "web", { nodeName: "dca-1" });
    world.kernel.run(10_000);
    nodes.setNodeDown("dca-1", true);
    world.store.delete("Pod", "default", "web");
    world.kernel.run(100_000);
    expect(pod(world, "web")?.metadata.deletionTimestamp).toBeDefined();
    nodes.setNodeDown("dca-1", false);
    expect(pod(world, "web")).toBeUndefined();
    const last = fixture.deleted.get("web")?.pod;
    expect(containerStatus(last)?.state?.terminated).toMatchObject({ exitCode: 137, reason: "ContainerStatusUnknown" });
    expect(last?.status?.phase).toBe("Failed");
  });
});

/**
 * Schemas of the Kubernetes-style objects a scenario stream may hold (interfaces.md §1): the
 * fields the simulator uses are validated strictly (replica counts, strategies, selectors,
 * templates, probes, preStop hooks, grace periods, scheduling constraints, Service ports and
 * session affinity, Gateway and LoadBalancer specs); the other standard fields users paste from
 * real manifests (env, volumes, securityContext, ...) are on an explicit allow-list and accepted
 * without looking inside. Any other field is an error.
 *
 * These schemas validate only: the loader keeps the object exactly as written for the store,
 * which applies the API server's defaults itself (src/api/defaults.ts).
 *
 * Left out on purpose: the API server's full validation of fields the simulator ignores
 * (volume sources, env var references, security contexts).
 */
import { z } from "zod";
import { API_VERSIONS } from "../api/kinds.ts";
import { matchesSelector } from "../api/selector.ts";
import {
  annotations,
  describeInput,
  distribution,
  dnsLabel,
  duration,
  integer,
  intOrPercent,
  intOrPercentIsZero,
  ipOrCidr,
  labels,
  objectName,
  quantity,
} from "./schema-values.ts";

/** Accepted as written, not validated (fields the simulator does not model). */
const anyMap = z.record(z.string(), z.unknown());
const anyList = z.array(z.unknown());
const text = z.string({ error: (issue) => `expected a string, got ${describeInput(issue.input)}` });
const flag = z.boolean({ error: (issue) => `expected true or false, got ${describeInput(issue.input)}` });
const strings = z.array(text);
const port = integer(1, 65535);
const intOrName = z.union([port, text], {
  error: (issue) => `expected a port number or name, got ${describeInput(issue.input)}`,
});

function oneOf<T extends string>(values: readonly [T, ...T[]]) {
  return z.enum(values, {
    error: (issue) => `expected one of ${values.join(", ")}, got ${describeInput(issue.input)}`,
  });
}

/** Server-set metadata fields: accepted nowhere, with a hint (see UNKNOWN_FIELD_HINTS). */
export const SERVER_SET_FIELDS = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "ownerReferences",
  "status",
] as const;

// ---- metadata and selectors ----------------------------------------------------------------------

export const objectMeta = z
  .strictObject({
    name: objectName,
    namespace: dnsLabel.optional(),
    labels: labels.optional(),
    annotations: annotations.optional(),
    finalizers: strings.optional(),
  })
  .meta({ id: "ObjectMeta" });

const templateMeta = z.strictObject({
  name: objectName.optional(),
  namespace: dnsLabel.optional(),
  labels: labels.optional(),
  annotations: annotations.optional(),
  finalizers: strings.optional(),
});

const selectorRequirement = z
  .strictObject({
    key: text,
    operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: strings.optional(),
  })
  .superRefine((value, ctx) => {
    const hasValues = (value.values ?? []).length > 0;
    if ((value.operator === "In" || value.operator === "NotIn") && !hasValues) {
      ctx.addIssue({
        code: "custom",
        path: ["values"],
        message: `must be non-empty when operator is ${value.operator}`,
      });
    }
    if ((value.operator === "Exists" || value.operator === "DoesNotExist") && hasValues) {
      ctx.addIssue({ code: "custom", path: ["values"], message: `must be empty when operator is ${value.operator}` });
    }
  });

export const labelSelector = z
  .strictObject({
    matchLabels: labels.optional(),
    matchExpressions: z.array(selectorRequirement).optional(),
  })
  .meta({ id: "LabelSelector" });

// ---- pod spec ------------------------------------------------------------------------------------

const handlerFields = {
  exec: z.strictObject({ command: strings.optional() }).optional(),
  httpGet: z
    .strictObject({
      path: text.optional(),
      port: intOrName,
      host: text.optional(),
      scheme: oneOf(["HTTP", "HTTPS"]).optional(),
      httpHeaders: anyList.optional(),
    })
    .optional(),
  tcpSocket: z.strictObject({ port: intOrName, host: text.optional() }).optional(),
};

function exactlyOneHandler(keys: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = keys.filter((key) => value[key] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `must specify exactly one handler of ${keys.join(", ")} (found ${present.length === 0 ? "none" : present.join(", ")})`,
      });
    }
  };
}

const probe = z
  .strictObject({
    ...handlerFields,
    grpc: z.strictObject({ port, service: text.optional() }).optional(),
    initialDelaySeconds: integer(0).optional(),
    periodSeconds: integer(1).optional(),
    timeoutSeconds: integer(1).optional(),
    successThreshold: integer(1).optional(),
    failureThreshold: integer(1).optional(),
    terminationGracePeriodSeconds: integer(1).optional(),
  })
  .superRefine(exactlyOneHandler(["exec", "httpGet", "tcpSocket", "grpc"]))
  .meta({ id: "Probe" });

const lifecycleHandler = z
  .strictObject({ ...handlerFields, sleep: z.strictObject({ seconds: integer(0) }).optional() })
  .superRefine(exactlyOneHandler(["exec", "httpGet", "tcpSocket", "sleep"]));

const containerPort = z.strictObject({
  name: dnsLabel.optional(),
  containerPort: port,
  protocol: oneOf(["TCP", "UDP", "SCTP"]).optional(),
  hostPort: port.optional(),
  hostIP: text.optional(),
});

const container = z
  .strictObject({
    name: dnsLabel,
    image: z
      .string({ error: (issue) => `expected an image name, got ${describeInput(issue.input)}` })
      .min(1, "must not be empty")
      .max(1024),
    imagePullPolicy: oneOf(["Always", "IfNotPresent", "Never"]).optional(),
    command: strings.optional(),
    args: strings.optional(),
    workingDir: text.optional(),
    ports: z.array(containerPort).optional(),
    env: anyList.optional(),
    envFrom: anyList.optional(),
    resources: z
      .strictObject({
        requests: z.record(z.string(), quantity).optional(),
        limits: z.record(z.string(), quantity).optional(),
        claims: anyList.optional(),
      })
      .optional(),
    volumeMounts: anyList.optional(),
    volumeDevices: anyList.optional(),
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    startupProbe: probe.optional(),
    lifecycle: z
      .strictObject({
        preStop: lifecycleHandler.optional(),
        postStart: lifecycleHandler.optional(),
        stopSignal: text.optional(),
      })
      .optional(),
    terminationMessagePath: text.optional(),
    terminationMessagePolicy: text.optional(),
    securityContext: anyMap.optional(),
    stdin: flag.optional(),
    stdinOnce: flag.optional(),
    tty: flag.optional(),
    resizePolicy: anyList.optional(),
    restartPolicy: text.optional(),
  })
  .meta({ id: "Container" });

const nodeSelectorTerm = z.strictObject({
  matchExpressions: z
    .array(
      z.strictObject({
        key: text,
        operator: oneOf(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
        values: strings.optional(),
      }),
    )
    .optional(),
  matchFields: anyList.optional(),
});

const nodeAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z
    .strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1, "needs at least one term") })
    .optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.strictObject({ weight: integer(1, 100), preference: nodeSelectorTerm }))
    .optional(),
});

const toleration = z.strictObject({
  key: text.optional(),
  operator: oneOf(["Exists", "Equal"]).optional(),
  value: text.optional(),
  effect: z.enum(["", "NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int("must be a whole number").optional(),
});

function uniqueContainerNames(
  value: { containers: { name: string }[]; initContainers?: { name: string }[] },
  ctx: z.RefinementCtx,
) {
  const seen = new Set<string>();
  const lists: ["containers" | "initContainers", { name: string }[]][] = [
    ["containers", value.containers],
    ["initContainers", value.initContainers ?? []],
  ];
  for (const [list, containers] of lists) {
    containers.forEach((each, index) => {
      if (seen.has(each.name)) {
        ctx.addIssue({
          code: "custom",
          path: [list, index, "name"],
          message: `duplicate container name "${each.name}"`,
        });
      }
      seen.add(each.name);
    });
  }
}

export const podSpec = z
  .strictObject({
    containers: z.array(container).min(1, "a pod needs at least one container"),
    initContainers: z.array(container).optional(),
    ephemeralContainers: anyList.optional(),
    restartPolicy: oneOf(["Always", "OnFailure", "Never"]).optional(),
    terminationGracePeriodSeconds: integer(0).optional(),
    activeDeadlineSeconds: integer(1).optional(),
    readinessGates: z.array(z.strictObject({ conditionType: text })).optional(),
    nodeSelector: z.record(z.string(), text).optional(),
    nodeName: text.optional(),
    affinity: z
      .strictObject({
        nodeAffinity: nodeAffinity.optional(),
        podAffinity: anyMap.optional(),
        podAntiAffinity: anyMap.optional(),
      })
      .optional(),
    tolerations: z.array(toleration).optional(),
    schedulerName: text.optional(),
    priorityClassName: text.optional(),
    priority: z.number().int().optional(),
    preemptionPolicy: text.optional(),
    topologySpreadConstraints: anyList.optional(),
    serviceAccountName: text.optional(),
    serviceAccount: text.optional(),
    automountServiceAccountToken: flag.optional(),
    securityContext: anyMap.optional(),
    imagePullSecrets: anyList.optional(),
    volumes: anyList.optional(),
    dnsPolicy: text.optional(),
    dnsConfig: anyMap.optional(),
    hostname: text.optional(),
    subdomain: text.optional(),
    hostAliases: anyList.optional(),
    hostNetwork: flag.optional(),
    hostPID: flag.optional(),
    hostIPC: flag.optional(),
    hostUsers: flag.optional(),
    shareProcessNamespace: flag.optional(),
    enableServiceLinks: flag.optional(),
    runtimeClassName: text.optional(),
    overhead: anyMap.optional(),
    setHostnameAsFQDN: flag.optional(),
    os: anyMap.optional(),
    schedulingGates: anyList.optional(),
    resourceClaims: anyList.optional(),
    resources: anyMap.optional(),
  })
  .superRefine(uniqueContainerNames);

export const podTemplate = z
  .strictObject({ metadata: templateMeta.optional(), spec: podSpec })
  .meta({ id: "PodTemplateSpec" });

// ---- workloads -----------------------------------------------------------------------------------

type TemplateLabels = { metadata?: { labels?: Record<string, string> | undefined } | undefined };

/** Kubernetes: "selector does not match template labels"; an empty selector selects nothing useful. */
function selectorMatchesTemplate(
  value: { selector: z.output<typeof labelSelector>; template: TemplateLabels },
  ctx: z.RefinementCtx,
) {
  const selector = value.selector;
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    ctx.addIssue({ code: "custom", path: ["selector"], message: "must not be empty (it would select every pod)" });
    return;
  }
  if (!matchesSelector(selector, value.template.metadata?.labels)) {
    ctx.addIssue({
      code: "custom",
      path: ["template", "metadata", "labels"],
      message: "selector does not match template labels",
    });
  }
}

const rollingUpdateDeployment = z.strictObject({
  maxSurge: intOrPercent().optional(),
  maxUnavailable: intOrPercent({ maxPercent: 100 }).optional(),
});

const deploymentStrategy = z
  .strictObject({
    type: oneOf(["RollingUpdate", "Recreate"]).optional(),
    rollingUpdate: rollingUpdateDeployment.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.type === "Recreate" && value.rollingUpdate !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["rollingUpdate"],
        message: "may not be specified when strategy type is Recreate",
      });
    }
    const rolling = value.rollingUpdate;
    if (rolling !== undefined && intOrPercentIsZero(rolling.maxSurge) && intOrPercentIsZero(rolling.maxUnavailable)) {
      ctx.addIssue({
        code: "custom",
        path: ["rollingUpdate", "maxUnavailable"],
        message: "may not be 0 when maxSurge is 0",
      });
    }
  });

const deploymentSpec = z
  .strictObject({
    replicas: integer(0).optional(),
    selector: labelSelector,
    template: podTemplate,
    strategy: deploymentStrategy.optional(),
    minReadySeconds: integer(0).optional(),
    revisionHistoryLimit: integer(0).optional(),
    progressDeadlineSeconds: integer(1).optional(),
    paused: flag.optional(),
  })
  .superRefine(selectorMatchesTemplate)
  .superRefine((value, ctx) => {
    if (value.progressDeadlineSeconds !== undefined && value.progressDeadlineSeconds <= (value.minReadySeconds ?? 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["progressDeadlineSeconds"],
        message: "must be greater than minReadySeconds",
      });
    }
  });

const replicaSetSpec = z
  .strictObject({
    replicas: integer(0).optional(),
    minReadySeconds: integer(0).optional(),
    selector: labelSelector,
    template: podTemplate,
  })
  .superRefine(selectorMatchesTemplate);

const replicationControllerSpec = z
  .strictObject({
    replicas: integer(0).optional(),
    minReadySeconds: integer(0).optional(),
    selector: labels.optional(),
    template: podTemplate,
  })
  .superRefine((value, ctx) => {
    const templateLabels = value.template.metadata?.labels;
    if (value.selector === undefined && Object.keys(templateLabels ?? {}).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["template", "metadata", "labels"],
        message: "needs labels when spec.selector is not set",
      });
    } else if (value.selector !== undefined && !matchesSelector({ matchLabels: value.selector }, templateLabels)) {
      ctx.addIssue({
        code: "custom",
        path: ["template", "metadata", "labels"],
        message: "selector does not match template labels",
      });
    }
  });

const statefulSetSpec = z
  .strictObject({
    replicas: integer(0).optional(),
    selector: labelSelector,
    template: podTemplate,
    serviceName: text.optional(),
    podManagementPolicy: oneOf(["OrderedReady", "Parallel"]).optional(),
    updateStrategy: z
      .strictObject({
        type: oneOf(["RollingUpdate", "OnDelete"]).optional(),
        rollingUpdate: z
          .strictObject({
            partition: integer(0).optional(),
            maxUnavailable: intOrPercent({ maxPercent: 100 }).optional(),
          })
          .optional(),
      })
      .optional(),
    revisionHistoryLimit: integer(0).optional(),
    minReadySeconds: integer(0).optional(),
    volumeClaimTemplates: anyList.optional(),
    persistentVolumeClaimRetentionPolicy: anyMap.optional(),
    ordinals: z.strictObject({ start: integer(0).optional() }).optional(),
  })
  .superRefine(selectorMatchesTemplate);

// ---- networking ------------------------------------------------------------------------------------

const servicePort = z.strictObject({
  name: dnsLabel.optional(),
  protocol: oneOf(["TCP", "UDP", "SCTP"]).optional(),
  appProtocol: text.optional(),
  port,
  targetPort: intOrName.optional(),
  nodePort: port.optional(),
});

const serviceSpec = z
  .strictObject({
    selector: labels.optional(),
    ports: z.array(servicePort).optional(),
    type: oneOf(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]).optional(),
    sessionAffinity: oneOf(["None", "ClientIP"]).optional(),
    sessionAffinityConfig: z
      .strictObject({ clientIP: z.strictObject({ timeoutSeconds: integer(1, 86_400).optional() }).optional() })
      .optional(),
    publishNotReadyAddresses: flag.optional(),
    clusterIP: text.optional(),
    clusterIPs: strings.optional(),
    externalIPs: strings.optional(),
    externalName: text.optional(),
    externalTrafficPolicy: oneOf(["Cluster", "Local"]).optional(),
    internalTrafficPolicy: oneOf(["Cluster", "Local"]).optional(),
    ipFamilies: strings.optional(),
    ipFamilyPolicy: text.optional(),
    loadBalancerIP: text.optional(),
    loadBalancerSourceRanges: z.array(ipOrCidr).optional(),
    loadBalancerClass: text.optional(),
    allocateLoadBalancerNodePorts: flag.optional(),
    healthCheckNodePort: port.optional(),
    trafficDistribution: text.optional(),
  })
  .superRefine((value, ctx) => {
    const ports = value.ports ?? [];
    const names = new Set<string>();
    ports.forEach((each, index) => {
      if (ports.length > 1 && each.name === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["ports", index, "name"],
          message: "is required when a Service has more than one port",
        });
      }
      if (each.name !== undefined && names.has(each.name)) {
        ctx.addIssue({ code: "custom", path: ["ports", index, "name"], message: `duplicate port name "${each.name}"` });
      }
      if (each.name !== undefined) names.add(each.name);
    });
  });

const gatewaySpec = z.strictObject({
  service: objectName.meta({ description: "the Service (same namespace) the gateway forwards allowed requests to" }),
  allowedSources: z
    .array(ipOrCidr)
    .optional()
    .meta({ description: "source IPs or CIDR blocks allowed through; others are rejected (absent: allow all)" }),
});

const loadBalancerSpec = z
  .strictObject({
    service: objectName.optional().meta({ description: "register the pods of this Service (same namespace)" }),
    selector: labelSelector.optional().meta({ description: "or: register the pods this selector matches" }),
    registrationDelay: distribution
      .optional()
      .meta({ description: "pod ready -> routed (default spec.timing.lbRegistration)" }),
    deregistrationDelay: distribution
      .optional()
      .meta({ description: "hold or deletion -> no longer routed (default spec.timing.lbDeregistration)" }),
    drainTime: duration
      .optional()
      .meta({ description: "after deregistration, before the finalizer is removed (default 1s)" }),
    readinessGate: text
      .optional()
      .meta({ description: "pod condition set True once registered (default rolloutsim.io/lb-ready)" }),
    finalizer: text
      .optional()
      .meta({ description: "finalizer that protects registered pods (default lb.rolloutsim.io/<name>)" }),
  })
  .superRefine((value, ctx) => {
    if ((value.service === undefined) === (value.selector === undefined)) {
      ctx.addIssue({ code: "custom", message: "set exactly one of service or selector" });
    }
  });

// ---- custom resources (schemas ready; the runner does not support them yet, see support.ts) --------

const cafeDeploymentSpec = z.strictObject({
  podSetType: oneOf(["InPlaceSet", "ReplicaSet", "StatefulSet"]).optional(),
  replicas: integer(0).optional(),
  selector: labelSelector,
  template: podTemplate,
  historyLimit: integer(0, 50).optional(),
  minReadySeconds: integer(0).optional(),
  topology: z
    .strictObject({
      unitType: oneOf(["DataCenter", "Cell", "Zone", "None"]).optional(),
      values: strings.optional(),
      unitReplicas: z.record(z.string(), intOrPercent({ maxPercent: 100 })).optional(),
      autoReschedule: z
        .strictObject({ enable: flag.optional(), initialDelaySeconds: integer(0).optional() })
        .optional(),
    })
    .optional(),
  strategy: z
    .strictObject({
      upgradeType: oneOf(["Beta", "Batch"]).optional(),
      batchSize: integer(1).optional(),
      needWaitingForConfirm: flag.optional(),
      pause: flag.optional(),
      minReadySeconds: integer(0).optional(),
      maxSurgeSizeInGroup: intOrPercent().optional(),
    })
    .optional(),
  volumeClaimTemplates: anyList.optional(),
  serviceName: text.optional(),
});

const inPlaceSetSpec = z.strictObject({
  replicas: integer(0).optional(),
  selector: labelSelector,
  template: podTemplate,
  minReadySeconds: integer(0).optional(),
  deployUnit: text.optional(),
  strategy: z.strictObject({ partition: integer(0).optional(), pause: flag.optional() }).optional(),
});

const stringMatch = z.strictObject({ exact: text.optional(), prefix: text.optional(), regex: text.optional() });
const destination = z.strictObject({
  host: text,
  subset: text.optional(),
  port: z.strictObject({ number: port }).optional(),
});

const httpRoute = z.strictObject({
  name: text.optional(),
  match: z
    .array(
      z.strictObject({
        name: text.optional(),
        uri: stringMatch.optional(),
        method: stringMatch.optional(),
        authority: stringMatch.optional(),
        scheme: stringMatch.optional(),
        headers: z.record(z.string(), stringMatch).optional(),
        withoutHeaders: z.record(z.string(), stringMatch).optional(),
        queryParams: z.record(z.string(), stringMatch).optional(),
        port: port.optional(),
        sourceLabels: z.record(z.string(), text).optional(),
        gateways: strings.optional(),
        ignoreUriCase: flag.optional(),
        sourceNamespace: text.optional(),
      }),
    )
    .optional(),
  route: z
    .array(z.strictObject({ destination, weight: integer(0, 100).optional(), headers: anyMap.optional() }))
    .optional(),
  mirror: destination.optional(),
  mirrorPercentage: z.strictObject({ value: z.number().min(0).max(100) }).optional(),
  mirrors: anyList.optional(),
  timeout: duration.optional(),
  retries: anyMap.optional(),
  fault: anyMap.optional(),
  redirect: anyMap.optional(),
  rewrite: anyMap.optional(),
  headers: anyMap.optional(),
  corsPolicy: anyMap.optional(),
  delegate: anyMap.optional(),
  directResponse: anyMap.optional(),
});

const virtualServiceSpec = z.strictObject({
  hosts: strings.optional(),
  gateways: strings.optional(),
  http: z.array(httpRoute).optional(),
  tcp: anyList.optional(),
  tls: anyList.optional(),
  exportTo: strings.optional(),
});

const destinationRuleSpec = z.strictObject({
  host: text,
  trafficPolicy: anyMap.optional(),
  subsets: z
    .array(z.strictObject({ name: text, labels: labels.optional(), trafficPolicy: anyMap.optional() }))
    .optional(),
  exportTo: strings.optional(),
  workloadSelector: anyMap.optional(),
});

const rolloutSpec = z.strictObject({
  replicas: integer(0).optional(),
  selector: labelSelector.optional(),
  template: podTemplate.optional(),
  workloadRef: anyMap.optional(),
  minReadySeconds: integer(0).optional(),
  revisionHistoryLimit: integer(0).optional(),
  paused: flag.optional(),
  progressDeadlineSeconds: integer(1).optional(),
  progressDeadlineAbort: flag.optional(),
  restartAt: text.optional(),
  rollbackWindow: anyMap.optional(),
  analysis: anyMap.optional(),
  strategy: z
    .strictObject({
      canary: z
        .strictObject({
          steps: z.array(anyMap).optional(),
          maxSurge: intOrPercent().optional(),
          maxUnavailable: intOrPercent({ maxPercent: 100 }).optional(),
          canaryService: text.optional(),
          stableService: text.optional(),
          trafficRouting: anyMap.optional(),
          analysis: anyMap.optional(),
          dynamicStableScale: flag.optional(),
          abortScaleDownDelaySeconds: integer(0).optional(),
          scaleDownDelaySeconds: integer(0).optional(),
          canaryMetadata: anyMap.optional(),
          stableMetadata: anyMap.optional(),
          antiAffinity: anyMap.optional(),
          minPodsPerReplicaSet: integer(1).optional(),
          pingPong: anyMap.optional(),
        })
        .optional(),
      blueGreen: z
        .strictObject({
          activeService: text,
          previewService: text.optional(),
          autoPromotionEnabled: flag.optional(),
          autoPromotionSeconds: integer(0).optional(),
          scaleDownDelaySeconds: integer(0).optional(),
          scaleDownDelayRevisionLimit: integer(0).optional(),
          previewReplicaCount: integer(0).optional(),
          prePromotionAnalysis: anyMap.optional(),
          postPromotionAnalysis: anyMap.optional(),
          previewMetadata: anyMap.optional(),
          activeMetadata: anyMap.optional(),
          antiAffinity: anyMap.optional(),
          abortScaleDownDelaySeconds: integer(0).optional(),
        })
        .optional(),
    })
    .optional(),
});

// ---- one schema per kind -------------------------------------------------------------------------------

function kindSchema<S extends z.ZodType>(kind: string, spec: S | undefined, extra: Record<string, z.ZodType> = {}) {
  const versions = API_VERSIONS[kind] as readonly [string, ...string[]];
  const shape = {
    apiVersion: z.enum(versions, {
      error: (issue) => `the apiVersion of ${kind} is ${versions.join(" or ")}, not ${describeInput(issue.input)}`,
    }),
    kind: z.literal(kind),
    metadata: objectMeta,
    ...(spec === undefined ? {} : { spec }),
    ...extra,
  };
  return z.strictObject(shape).meta({ id: kind, title: kind, description: `${kind} (${versions.join(", ")})` });
}

/** The schema of each kind a scenario may create, by kind. */
export const OBJECT_SCHEMAS = {
  Pod: kindSchema("Pod", podSpec),
  Service: kindSchema("Service", serviceSpec),
  ReplicationController: kindSchema("ReplicationController", replicationControllerSpec),
  ReplicaSet: kindSchema("ReplicaSet", replicaSetSpec),
  Deployment: kindSchema("Deployment", deploymentSpec),
  StatefulSet: kindSchema("StatefulSet", statefulSetSpec),
  CafeDeployment: kindSchema("CafeDeployment", cafeDeploymentSpec),
  InPlaceSet: kindSchema("InPlaceSet", inPlaceSetSpec),
  VirtualService: kindSchema("VirtualService", virtualServiceSpec),
  DestinationRule: kindSchema("DestinationRule", destinationRuleSpec),
  Rollout: kindSchema("Rollout", rolloutSpec),
  Gateway: kindSchema("Gateway", gatewaySpec),
  LoadBalancer: kindSchema("LoadBalancer", loadBalancerSpec),
} as const;

export type ObjectKind = keyof typeof OBJECT_SCHEMAS;

/** An object of a kind as written in a scenario (e.g. `ObjectInput<"Deployment">`). */
export type ObjectInput<K extends ObjectKind> = z.input<(typeof OBJECT_SCHEMAS)[K]>;

export function isObjectKind(kind: string): kind is ObjectKind {
  return Object.hasOwn(OBJECT_SCHEMAS, kind);
}

/** Kinds whose pods come from spec.template (setImage, scale and rollouts apply to them). */
export const WORKLOAD_KINDS: readonly string[] = [
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "StatefulSet",
  "CafeDeployment",
  "InPlaceSet",
  "Rollout",
];

/** Kinds that can be paused and resumed (spec.paused). */
export const PAUSABLE_KINDS: readonly string[] = ["Deployment", "CafeDeployment", "Rollout"];

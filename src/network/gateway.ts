/**
 * The IP-whitelist gateway of the CafeDeployment talk ("GatewayService: is incoming IP address in
 * whitelist? yes: accept, no: reject"), as `rolloutsim/v1 Gateway`:
 *
 * ```yaml
 * apiVersion: rolloutsim/v1
 * kind: Gateway
 * metadata: {name: edge}
 * spec:
 *   service: demo                     # the Service accepted requests are forwarded to
 *   allowedSources: [203.0.113.0/25, 198.51.100.7, 10.0.0.0/8]   # CIDRs or single IPs
 * ```
 *
 * A request whose source IP matches no entry is rejected (outcome "rejected", reason
 * "not-whitelisted"); the others go to the Service through the data plane. Without
 * `allowedSources` every source is allowed; an empty list allows none. A single IP is a /32 (/128).
 * IPv4-mapped IPv6 sources are compared as IPv4 (ipaddr.process). Entries that do not parse are
 * skipped with a Warning event (the scenario loader rejects them up front).
 *
 * The gateway applies its configuration as soon as the store changes (a config push, no watch lag).
 */
import ipaddr from "ipaddr.js";
import type { KObject } from "../api/object.ts";
import { objectKey } from "../api/object.ts";
import type { Component, World } from "../world/world.ts";

export const GATEWAY_COMPONENT = "gateway";

export interface GatewaySpec {
  service?: string;
  allowedSources?: string[];
}

export interface Gateway extends KObject {
  readonly spec?: GatewaySpec;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A parsed Gateway: where it forwards and the ranges it allows (null: everything). */
export interface GatewayRules {
  readonly key: string;
  readonly serviceKey: string | undefined;
  readonly ranges: readonly Range[] | null;
  readonly version: number;
  /** Decisions per source IP, filled on first use. */
  readonly decisions: Map<string, boolean>;
}

/** Parses "CIDR" or "IP" into a range; undefined if it is neither. */
export function parseSource(entry: string): Range | undefined {
  const text = entry.trim();
  if (ipaddr.isValidCIDR(text)) {
    const [address, bits] = ipaddr.parseCIDR(text);
    return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
      ? [(address as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)]
      : [address, bits];
  }
  if (!ipaddr.isValid(text)) return undefined;
  const address = ipaddr.process(text);
  return [address, address.kind() === "ipv4" ? 32 : 128];
}

/** True if `sourceIp` falls in one of the ranges (null ranges: allow all). */
export function sourceAllowed(ranges: readonly Range[] | null, sourceIp: string): boolean {
  if (ranges === null) return true;
  if (!ipaddr.isValid(sourceIp)) return false;
  const address = ipaddr.process(sourceIp);
  for (const range of ranges) {
    if (range[0].kind() === address.kind() && address.match(range)) return true;
  }
  return false;
}

export type GatewayListener = (gatewayKey: string) => void;

export class GatewayRegistry implements Component {
  readonly name = GATEWAY_COMPONENT;
  private readonly rules = new Map<string, GatewayRules>();
  private readonly beforeChange: GatewayListener[] = [];
  private nextVersion = 1;

  constructor(private readonly world: World) {}

  start(): void {
    for (const gateway of this.world.store.list<Gateway>("Gateway")) this.update(gateway, false);
    this.world.store.watch((type, object) => {
      if (object.kind === "Gateway") this.update(object as Gateway, type === "DELETED");
    });
  }

  /** Called before a gateway's rules change (aggregated traffic settles the past first). */
  onBeforeChange(listener: GatewayListener): void {
    this.beforeChange.push(listener);
  }

  /** The rules of Gateway "namespace/name", or undefined if there is no such gateway. */
  get(gatewayKey: string): GatewayRules | undefined {
    return this.rules.get(gatewayKey);
  }

  /** True if the gateway accepts a request from `sourceIp` (cached per source). */
  allows(rules: GatewayRules, sourceIp: string): boolean {
    let decision = rules.decisions.get(sourceIp);
    if (decision === undefined) {
      decision = sourceAllowed(rules.ranges, sourceIp);
      rules.decisions.set(sourceIp, decision);
    }
    return decision;
  }

  private update(gateway: Gateway, deleted: boolean): void {
    const key = objectKey(gateway.metadata.namespace, gateway.metadata.name);
    for (const listener of this.beforeChange) listener(key);
    if (deleted) {
      this.rules.delete(key);
      return;
    }
    const spec = gateway.spec ?? {};
    let ranges: Range[] | null = null;
    if (spec.allowedSources !== undefined) {
      ranges = [];
      for (const entry of spec.allowedSources) {
        const range = parseSource(String(entry));
        if (range === undefined) {
          this.world.recordEvent(
            gateway,
            "Warning",
            "InvalidSource",
            `allowedSources entry ${JSON.stringify(entry)} is not an IP or CIDR; ignored`,
          );
        } else {
          ranges.push(range);
        }
      }
    }
    this.rules.set(key, {
      key,
      serviceKey: spec.service === undefined ? undefined : objectKey(gateway.metadata.namespace, spec.service),
      ranges,
      version: this.nextVersion++,
      decisions: new Map(),
    });
  }
}

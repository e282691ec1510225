/**
 * Pod IP allocation from a node's podCIDR, as the CNI host-local IPAM plugin does it
 * (containernetworking/plugins: plugins/ipam/host-local/backend/allocator/allocator.go, range.go):
 *
 * - the usable range is network+1 .. broadcast-1, and the gateway (network+1 by default) is never
 *   handed out, so a /24 gives .2 .. .254 (253 addresses);
 * - allocation starts right after the last reserved address and walks the range round-robin,
 *   taking the first free one, so a pod recreated on the same node usually gets a NEW IP (the
 *   whitelist gateway depends on this);
 * - an address is released when the pod's sandbox is torn down.
 *
 * Everything is integer arithmetic on IPv4 addresses as unsigned 32-bit numbers; deterministic.
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
  /** Number of addresses in the block (2^(32 - prefix)). */
  readonly size: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** "10.1.2.3" -> unsigned 32-bit integer; null if not a dotted IPv4 address. */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** "0" .. "255". */
const OCTET_TEXT: readonly string[] = Array.from({ length: 256 }, (_, octet) => String(octet));

export function formatIpv4(value: number): string {
  return `${Math.floor(value / 16_777_216) % 256}.${Math.floor(value / 65_536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/** "10.1.2.0/24" -> the block (the address is masked to its network); null if malformed. */
export function parseCidr(text: string): Ipv4Cidr | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === null || !/^\d{1,2}$/.test(prefixText)) return null;
  const prefixLength = Number(prefixText);
  if (prefixLength > 32) return null;
  const size = 2 ** (32 - prefixLength);
  return { network: address - (address % size), prefixLength, size };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}

/** True if `ip` (text or integer) lies inside the block. */
export function cidrContains(cidr: Ipv4Cidr, ip: string | number): boolean {
  const value = typeof ip === "number" ? ip : parseIpv4(ip);
  return value !== null && value >= cidr.network && value < cidr.network + cidr.size;
}

/** One node's host-local allocator. */
export class PodIpAllocator {
  readonly cidr: Ipv4Cidr;
  /** First and last allocatable addresses (inclusive), and the gateway that is skipped. */
  private readonly rangeStart: number;
  private readonly rangeEnd: number;
  private readonly gateway: number;
  /** Allocated addresses, by their text (what callers hold) to their value. */
  private readonly reserved = new Map<string, number>();
  private readonly reservedValues = new Set<number>();
  private lastReserved: number | null = null;
  /** "a.b.c." of the /24 block (value / 256) last formatted: addresses are handed out in order, mostly in one block. */
  private prefixBlock = -1;
  private prefixText = "";

  constructor(cidrText: string) {
    const cidr = parseCidr(cidrText);
    if (cidr === null || cidr.size < 4)
      throw new Error(`pod CIDR ${cidrText} is not an IPv4 block of at least 4 addresses`);
    this.cidr = cidr;
    this.rangeStart = cidr.network + 1;
    this.rangeEnd = cidr.network + cidr.size - 2;
    this.gateway = cidr.network + 1;
  }

  /** Addresses this allocator can hand out at most. */
  get capacity(): number {
    const span = this.rangeEnd - this.rangeStart + 1;
    return span - 1; // the gateway (network+1) is inside the range and never handed out
  }

  get allocatedCount(): number {
    return this.reserved.size;
  }

  isAllocated(ip: string): boolean {
    return this.reserved.has(ip);
  }

  /** The next free address after the last reserved one (round-robin), or null when exhausted. */
  allocate(): string | null {
    const span = this.rangeEnd - this.rangeStart + 1;
    const first = this.lastReserved === null ? this.rangeStart : this.lastReserved + 1;
    for (let step = 0; step < span; step++) {
      const candidate = this.rangeStart + ((first - this.rangeStart + step) % span);
      if (candidate === this.gateway || this.reservedValues.has(candidate)) continue;
      const ip = this.format(candidate);
      this.reserved.set(ip, candidate);
      this.reservedValues.add(candidate);
      this.lastReserved = candidate;
      return ip;
    }
    return null;
  }

  /** formatIpv4(value), with one concatenation when the block's prefix is known. */
  private format(value: number): string {
    const block = Math.floor(value / 256);
    if (block !== this.prefixBlock) {
      const text = formatIpv4(value);
      this.prefixBlock = block;
      this.prefixText = text.slice(0, text.lastIndexOf(".") + 1);
    }
    return this.prefixText + (OCTET_TEXT[value % 256] as string);
  }

  /** Frees an address; returns false if it was not allocated here. */
  release(ip: string): boolean {
    const value = this.reserved.get(ip);
    if (value === undefined) return false;
    this.reserved.delete(ip);
    this.reservedValues.delete(value);
    return true;
  }
}

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

const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * "10.1.2.3" -> unsigned 32-bit integer; null if not a dotted IPv4 address: four decimal octets
 * 0..255 without leading zeros. One pass over the characters (it runs at every IP release).
 */
export function parseIpv4(text: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      continue;
    }
    if (code < DIGIT_0 || code > DIGIT_9 || (digits > 0 && octet === 0)) return null;
    octet = octet * 10 + (code - DIGIT_0);
    digits++;
    if (octet > 255) return null;
  }
  if (digits === 0 || dots !== 3) return null;
  return value * 256 + octet;
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
  /**
   * The text of each allocated address, by its offset in the block (undefined: free). An array,
   * not a Map or Set: a /24 has 256 slots, and hash tables that grow and shrink as pods come and
   * go cost more than the slots.
   */
  private readonly allocatedText: (string | undefined)[] = [];
  private allocated = 0;
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
    return this.allocated;
  }

  isAllocated(ip: string): boolean {
    return this.offsetOf(ip) >= 0;
  }

  /** The block offset of an allocated address given as its text; -1 if it is not allocated here. */
  private offsetOf(ip: string): number {
    const value = parseIpv4(ip);
    if (value === null || value < this.cidr.network || value >= this.cidr.network + this.cidr.size) return -1;
    const offset = value - this.cidr.network;
    return this.allocatedText[offset] === ip ? offset : -1;
  }

  /** The next free address after the last reserved one (round-robin), or null when exhausted. */
  allocate(): string | null {
    const span = this.rangeEnd - this.rangeStart + 1;
    const first = this.lastReserved === null ? this.rangeStart : this.lastReserved + 1;
    for (let step = 0; step < span; step++) {
      const candidate = this.rangeStart + ((first - this.rangeStart + step) % span);
      if (candidate === this.gateway || this.allocatedText[candidate - this.cidr.network] !== undefined) continue;
      const ip = this.format(candidate);
      this.allocatedText[candidate - this.cidr.network] = ip;
      this.allocated++;
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
    const offset = this.offsetOf(ip);
    if (offset < 0) return false;
    this.allocatedText[offset] = undefined;
    this.allocated--;
    return true;
  }
}

import { describe, expect, it } from "vitest";
import {
  cidrContains,
  formatIpv4,
  type Ipv4Cidr,
  PodIpAllocator,
  parseCidr,
  parseIpv4,
} from "../../src/cluster/ip-allocator.ts";

describe("IPv4 helpers", () => {
  it("parses and formats addresses", () => {
    expect(parseIpv4("10.1.2.3")).toBe(10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 256 + 3);
    expect(formatIpv4(parseIpv4("172.16.255.1") as number)).toBe("172.16.255.1");
    expect(parseIpv4("10.1.2")).toBeNull();
    expect(parseIpv4("10.1.2.256")).toBeNull();
    expect(parseIpv4("10.01.2.3")).toBeNull();
  });

  it("accepts exactly four octets 0..255 without leading zeros", () => {
    expect(parseIpv4("0.0.0.0")).toBe(0);
    expect(parseIpv4("255.255.255.255")).toBe(2 ** 32 - 1);
    for (const bad of [
      "",
      "1.2.3.4.5",
      "1..2.3",
      ".1.2.3",
      "1.2.3.",
      "1.2.3.00",
      "1.2.3.1000",
      "1.2.3.x",
      "1.2.3.-1",
      " 1.2.3.4",
      "1.2.3.4\n",
    ]) {
      expect(parseIpv4(bad)).toBeNull();
    }
  });

  it("reports allocation by the address's exact text", () => {
    const allocator = new PodIpAllocator("10.1.0.0/24");
    const ip = allocator.allocate() as string;
    expect(allocator.isAllocated(ip)).toBe(true);
    expect(allocator.isAllocated("10.1.1.2")).toBe(false);
    expect(allocator.release("10.1.1.2")).toBe(false);
    expect(allocator.release(ip)).toBe(true);
    expect(allocator.release(ip)).toBe(false);
    expect(allocator.allocatedCount).toBe(0);
  });

  it("parses CIDRs and tests membership", () => {
    const cidr = parseCidr("10.1.2.77/24");
    expect(cidr).toEqual({ network: parseIpv4("10.1.2.0"), prefixLength: 24, size: 256 });
    expect(cidrContains(cidr as Ipv4Cidr, "10.1.2.254")).toBe(true);
    expect(cidrContains(cidr as Ipv4Cidr, "10.1.3.1")).toBe(false);
    expect(parseCidr("10.1.2.0/33")).toBeNull();
    expect(parseCidr("10.1.2.0")).toBeNull();
  });
});

describe("PodIpAllocator (host-local)", () => {
  it("hands out .2 upward, skipping the network address and the gateway (.1)", () => {
    const allocator = new PodIpAllocator("10.1.0.0/24");
    expect(allocator.allocate()).toBe("10.1.0.2");
    expect(allocator.allocate()).toBe("10.1.0.3");
    expect(allocator.capacity).toBe(253);
  });

  it("continues after the last reserved address, so a freed address is not reused at once", () => {
    const allocator = new PodIpAllocator("10.1.0.0/24");
    const first = allocator.allocate();
    allocator.allocate();
    expect(allocator.release(first as string)).toBe(true);
    expect(allocator.allocate()).toBe("10.1.0.4");
    expect(allocator.isAllocated("10.1.0.2")).toBe(false);
  });

  it("wraps around to freed addresses and reports exhaustion with null", () => {
    const allocator = new PodIpAllocator("10.9.9.0/29"); // .2 .. .6 usable
    const ips = [
      allocator.allocate(),
      allocator.allocate(),
      allocator.allocate(),
      allocator.allocate(),
      allocator.allocate(),
    ];
    expect(ips).toEqual(["10.9.9.2", "10.9.9.3", "10.9.9.4", "10.9.9.5", "10.9.9.6"]);
    expect(allocator.allocate()).toBeNull();
    allocator.release("10.9.9.3");
    expect(allocator.allocate()).toBe("10.9.9.3");
    expect(allocator.allocatedCount).toBe(5);
  });

  it("release of an unknown address is a no-op", () => {
    const allocator = new PodIpAllocator("10.1.0.0/24");
    expect(allocator.release("10.1.0.9")).toBe(false);
  });

  it("is deterministic", () => {
    const run = (): (string | null)[] => {
      const allocator = new PodIpAllocator("10.2.3.0/24");
      const out: (string | null)[] = [];
      for (let i = 0; i < 300; i++) {
        const ip = allocator.allocate();
        out.push(ip);
        if (i % 3 === 0 && ip !== null) allocator.release(ip);
      }
      return out;
    };
    expect(run()).toEqual(run());
  });
});

/**
 * Named, seeded random streams and the distributions of the scenario format.
 *
 * Each subsystem draws from its own stream derived from (seed, name), so adding a fault or a
 * traffic source does not shift every pod's start-up time (design.md, "Separate random streams").
 */
import seedrandom from "seedrandom";

export interface RandomStream {
  readonly name: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number;
  /** Standard normal variate (Box–Muller). */
  normal(): number;
}

class AleaStream implements RandomStream {
  private readonly prng: () => number;
  private spareNormal = Number.NaN;

  constructor(
    readonly name: string,
    seed: number,
  ) {
    this.prng = seedrandom.alea(`${seed}/${name}`);
  }

  next(): number {
    return this.prng();
  }

  intBetween(min: number, max: number): number {
    return min + Math.floor(this.prng() * (max - min + 1));
  }

  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const value = this.spareNormal;
      this.spareNormal = Number.NaN;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

/** Creates the stream for (seed, name); the same pair always yields the same sequence. */
export function createRandomStream(seed: number, name: string): RandomStream {
  return new AleaStream(name, seed);
}

/** A random or constant duration, in integer milliseconds once sampled. */
export type Distribution =
  | { readonly kind: "constant"; readonly valueMs: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: "exponential"; readonly meanMs: number }
  | { readonly kind: "lognormal"; readonly medianMs: number; readonly sigma: number };

export function constantMs(valueMs: number): Distribution {
  return { kind: "constant", valueMs };
}

/** Draws one value, rounded to a whole millisecond and never negative. */
export function sampleMs(distribution: Distribution, stream: RandomStream): number {
  switch (distribution.kind) {
    case "constant":
      return distribution.valueMs;
    case "uniform":
      return Math.round(distribution.minMs + stream.next() * (distribution.maxMs - distribution.minMs));
    case "exponential":
      return Math.round(-Math.log(1 - stream.next()) * distribution.meanMs);
    case "lognormal":
      return Math.round(distribution.medianMs * Math.exp(distribution.sigma * stream.normal()));
  }
}

/** The mean of a distribution, in milliseconds (used by aggregated traffic and reports). */
export function meanMs(distribution: Distribution): number {
  switch (distribution.kind) {
    case "constant":
      return distribution.valueMs;
    case "uniform":
      return (distribution.minMs + distribution.maxMs) / 2;
    case "exponential":
      return distribution.meanMs;
    case "lognormal":
      return distribution.medianMs * Math.exp((distribution.sigma * distribution.sigma) / 2);
  }
}

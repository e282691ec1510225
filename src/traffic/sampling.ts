/**
 * Discrete distributions for aggregated traffic, drawn from the simulator's seeded streams:
 * Poisson counts (inversion for small means, Hörmann's PTRS transformed rejection for large ones,
 * as numpy does) and binomial counts (inversion for small n·p, Hörmann's BTRS for large, as
 * TensorFlow does). Both are exact samplers, not approximations, and cost O(1) expected time for
 * large means, so a 100 ms interval at 100k requests/s costs the same as one at 10/s.
 */
import type { RandomStream } from "../sim/random.ts";

const LOG_FACTORIAL_TABLE_SIZE = 256;
const logFactorialTable = buildLogFactorialTable();

function buildLogFactorialTable(): Float64Array {
  const table = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
  for (let k = 1; k < LOG_FACTORIAL_TABLE_SIZE; k++) table[k] = (table[k - 1] as number) + Math.log(k);
  return table;
}

/** ln(k!) — exact from a table below 256, Stirling's series above (error < 1e-12). */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return logFactorialTable[k] as number;
  const x = k + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/** Exponential variate with the given mean. */
export function exponential(mean: number, stream: RandomStream): number {
  return -Math.log(1 - stream.next()) * mean;
}

/** A Poisson(mean) count. */
export function poisson(mean: number, stream: RandomStream): number {
  if (!(mean > 0)) return 0;
  return mean < 10 ? poissonInversion(mean, stream) : poissonPtrs(mean, stream);
}

function poissonInversion(mean: number, stream: RandomStream): number {
  let k = 0;
  let probability = Math.exp(-mean);
  let cumulative = probability;
  const u = stream.next();
  while (u > cumulative && k < 1000) {
    k++;
    probability *= mean / k;
    cumulative += probability;
  }
  return k;
}

/** Hörmann (1993), "The transformed rejection method for generating Poisson random variables". */
function poissonPtrs(mean: number, stream: RandomStream): number {
  const sqrtMean = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * sqrtMean;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = stream.next() - 0.5;
    const v = stream.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k))
      return k;
  }
}

/** A Binomial(n, p) count. */
export function binomial(n: number, p: number, stream: RandomStream): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, stream);
  return n * p < 10 ? binomialInversion(n, p, stream) : binomialBtrs(n, p, stream);
}

function binomialInversion(n: number, p: number, stream: RandomStream): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  for (;;) {
    let r = q ** n;
    let u = stream.next();
    let x = 0;
    while (u > r) {
      u -= r;
      x++;
      if (x > n) break;
      r *= a / x - s;
    }
    if (x <= n) return x;
  }
}

/** Hörmann (1993), "The generation of binomial random variates" (BTRS), for n·p ≥ 10, p ≤ 0.5. */
function binomialBtrs(n: number, p: number, stream: RandomStream): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const alpha = (2.83 + 5.1 / b) * spq;
  const vr = 0.92 - 4.2 / b;
  const m = Math.floor((n + 1) * p);
  const logRatio = Math.log(p / q);
  const hm = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = stream.next() - 0.5;
    let v = stream.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    if (v <= hm - logFactorial(k) - logFactorial(n - k) + (k - m) * logRatio) return k;
  }
}

/**
 * Splits `n` over categories with the given weights (a multinomial draw by sequential binomials),
 * writing the counts into `out`. Stops early once nothing is left.
 */
export function multinomial(n: number, weights: ArrayLike<number>, out: number[], stream: RandomStream): void {
  let remainingWeight = 0;
  let lastPositive = -1;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] as number;
    if (weight > 0) {
      remainingWeight += weight;
      lastPositive = i;
    }
  }
  let remaining = n;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] as number;
    if (remaining === 0 || weight <= 0) {
      out[i] = 0;
      continue;
    }
    const count = i === lastPositive ? remaining : binomial(remaining, weight / remainingWeight, stream);
    out[i] = count;
    remaining -= count;
    remainingWeight -= weight;
  }
}

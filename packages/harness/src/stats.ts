/** Summary statistics of measured figures, for the bench and deploy reports. */

/** Nearest-rank percentiles: every figure is one that was measured. */
export interface Distribution {
  min: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(xs: number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { min: s[0], median: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

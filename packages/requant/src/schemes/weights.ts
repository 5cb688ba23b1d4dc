/**
 * Weight correction and rounding-error folding for one weighted layer (after MRQ, Manohara
 * et al. 2023, "Support Multiple Quantization Schemes through Model Re-Quantization").
 *
 * Derivation (ours). Output channel c of a linear layer computes, in real values,
 *   y_c = sum_k Sw_c (w_ck - zw) * x_k + Sb_c b_c,   x_k = Sx (q_k - zx).
 * Re-quantizing the input to (Sx', zx' = 0) is exact in real terms as long as the kernel
 * is handed Sx' (TFLite kernels derive their multipliers from the scales), so the real
 * function is kept by:
 *  - weight correction: a new weight scale Sw'_c (unchanged, or the scheme's power of two)
 *    and the scale ratio moved into the integers, w'_ck = round(Sw_c (w_ck - zw) / Sw'_c);
 *    the bias re-expressed on its new scale Sx' Sw'_c, b'_c = round(Sb_c b_c / (Sx' Sw'_c)).
 *    A weight zero point zw, if any, is removed by the same subtraction. (An activation zero
 *    point removed needs no bias term here: the kernel subtracts the input's zero point
 *    itself, and the new one is 0; a kernel without input offsets would take -zx Sx sum_k w
 *    into the bias instead.) Switched off, the integers are kept and only the scales change:
 *    the naive re-quantization, whose error is the scale ratio itself.
 *  - rounding-error folding: the re-rounded weights are off by e_ck = Sw'_c w'_ck -
 *    Sw_c (w_ck - zw), so y_c moves by sum_k e_ck x_k, whose expectation
 *    sum_k e_ck E[x_k] is subtracted from the bias. E[x_k] is the mean of input channel k
 *    over calibration records, or, without them, (lo + hi) / 8 of the input's real range
 *    [lo, hi] (requantize.ts says why).
 */
import { clampTo, constView, f32, type DType, type Tensor } from '@mliflow/ir';

/** Where weight element i sits: its output channel and the input column it multiplies. */
export interface WeightLayout {
  channels: number;
  /** Input columns whose means the folding needs. */
  columns: number;
  channel(i: number): number;
  column(i: number): number;
}

export function convLayout(w: Tensor): WeightLayout {
  const [o, h, wd, i] = w.shape;
  const per = h * wd * i;
  return { channels: o, columns: i, channel: (k) => Math.floor(k / per), column: (k) => k % i };
}

export function depthwiseLayout(w: Tensor, depthMultiplier: number): WeightLayout {
  const c = w.shape[3];
  const dm = Math.max(1, depthMultiplier);
  return { channels: c, columns: c / dm, channel: (k) => k % c, column: (k) => Math.floor((k % c) / dm) };
}

export function matrixLayout(w: Tensor): WeightLayout {
  const [o, i] = w.shape;
  return { channels: o, columns: i, channel: (k) => Math.floor(k / i), column: (k) => k % i };
}

/** Candidate new scales for a group of weights, from its old scale and largest real magnitude. */
export type ScaleRule = (oldScale: number, maxAbsReal: number) => number[];

export interface ReweightResult {
  tensor: Tensor;
  /** New scale per output channel (repeated for a per-tensor scale). */
  channelScale: Float64Array;
  /** sum_k e_ck E[x_k] per output channel, in real units. */
  expectedError: Float64Array;
  /** RMS of the weights' real error with the integers kept, and as written, relative to the weights' RMS. */
  naiveError: number;
  error: number;
}

/**
 * New weights for one tensor. `keep` scales are ones already in the scheme; `rule` picks
 * the new scale of the others from the old scale and the largest real magnitude.
 */
export function reweight(
  w: Tensor,
  layout: WeightLayout,
  rule: { corrected: ScaleRule; naive: (s: number) => number; keeps: (s: number) => boolean },
  correct: boolean,
  mean: (column: number) => number,
): ReweightResult {
  const q = w.quant!;
  const perChannel = q.scale.length > 1;
  const groups = perChannel ? q.scale.length : 1;
  const src = constView(w) as Int8Array;
  const n = src.length;
  const maxAbs = new Float64Array(groups);
  const grp = (i: number): number => (perChannel ? layout.channel(i) : 0);
  const zp = (g: number): number => q.zeroPoint[perChannel ? g : 0] ?? 0;
  for (let i = 0; i < n; i++) {
    const g = grp(i);
    maxAbs[g] = Math.max(maxAbs[g], Math.abs(q.scale[perChannel ? g : 0] * (src[i] - zp(g))));
  }
  // Each group takes the candidate scale whose re-rounded (and clamped) weights are closest
  // to the old real weights: the power of two above the range never clips, the one below
  // halves the rounding step and clips only the few largest weights.
  const candidates = q.scale.map((s, g) => (rule.keeps(s) && zp(g) === 0 ? [s] : correct ? rule.corrected(s, maxAbs[g]).map(f32) : [f32(rule.naive(s))]));
  const sse = candidates.map((c) => new Float64Array(c.length));
  for (let i = 0; i < n; i++) {
    const g = grp(i);
    const c = candidates[g];
    if (c.length === 1) continue;
    const real = q.scale[perChannel ? g : 0] * (src[i] - zp(g));
    for (let k = 0; k < c.length; k++) {
      const e = c[k] * Math.max(-127, clampTo('int8', Math.round(real / c[k]))) - real;
      sse[g][k] += e * e;
    }
  }
  const newScale = candidates.map((c, g) => {
    let best = 0;
    for (let k = 1; k < c.length; k++) if (sse[g][k] < sse[g][best]) best = k;
    return c[best];
  });
  const out = new Int8Array(n);
  const expectedError = new Float64Array(layout.channels);
  let sq = 0;
  let errSq = 0;
  let naiveSq = 0;
  for (let i = 0; i < n; i++) {
    const g = grp(i);
    const s = q.scale[perChannel ? g : 0];
    const real = s * (src[i] - zp(g));
    const s2 = newScale[perChannel ? g : 0];
    const v = correct ? clampTo('int8', Math.round(real / s2)) : src[i] - zp(g);
    out[i] = Math.max(-127, v);
    const e = s2 * out[i] - real;
    expectedError[layout.channel(i)] += e * mean(layout.column(i));
    sq += real * real;
    errSq += e * e;
    const naive = rule.naive(s) * (src[i] - zp(g)) - real;
    naiveSq += naive * naive;
  }
  const channelScale = new Float64Array(layout.channels);
  for (let c = 0; c < layout.channels; c++) channelScale[c] = newScale[perChannel ? c : 0];
  const rel = (x: number): number => (sq > 0 ? Math.sqrt(x / sq) : 0);
  const tensor: Tensor = {
    ...w,
    data: new Uint8Array(out.buffer),
    quant: { scale: newScale, zeroPoint: newScale.map(() => 0), axis: q.axis },
  };
  return { tensor, channelScale, expectedError, naiveError: rel(naiveSq), error: rel(errSq) };
}

/**
 * A bias on its new scale Sx' Sw'_c. `oldBias` null means the layer had none (it gets one
 * when folding needs it). `fold` adds -expectedError.
 */
export function rebias(
  oldBias: Tensor | null,
  oldChannelScale: (c: number) => number,
  newInputScale: number,
  channelScale: Float64Array,
  expectedError: Float64Array | null,
  correct: boolean,
  dtype: DType,
  perChannel: boolean,
  name: string,
): { tensor: Tensor; maxFoldLsb: number } {
  const channels = channelScale.length;
  const old = oldBias ? (constView(oldBias) as Int32Array) : new Int32Array(channels);
  const oldScale = (c: number): number => {
    const bq = oldBias?.quant;
    if (bq && bq.scale.length > 0) return bq.scale[bq.scale.length > 1 ? c : 0];
    return oldChannelScale(c);
  };
  const scales = Array.from(channelScale, (s) => f32(newInputScale * s));
  const values: number[] = [];
  let maxFoldLsb = 0;
  for (let c = 0; c < channels; c++) {
    const sb = scales[c];
    let v = correct ? Math.round((oldScale(c) * old[c]) / sb) : old[c];
    if (expectedError) {
      const fold = Math.round(-expectedError[c] / sb);
      maxFoldLsb = Math.max(maxFoldLsb, Math.abs(fold));
      v += fold;
    }
    values.push(dtype === 'int64' ? v : clampTo('int32', v));
  }
  const data =
    dtype === 'int64'
      ? new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer)
      : new Uint8Array(Int32Array.from(values).buffer);
  const scale = perChannel ? scales : [scales[0]];
  const tensor: Tensor = {
    name: oldBias?.name ?? name,
    dtype,
    shape: [channels],
    data,
    quant: { scale, zeroPoint: scale.map(() => 0), axis: 0 },
    isVariable: false,
  };
  return { tensor, maxFoldLsb };
}

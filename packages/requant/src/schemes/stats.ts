/**
 * Activation statistics for re-quantization: each activation's real-valued range and the
 * mean of each input channel of the weighted layers, either measured over calibration
 * records (the golden executor with trace, so every operator output is seen) or estimated
 * without data from the tensor's own quantization.
 */
import {
  GoldenExecutor,
  byteSize,
  recordBytes,
  recordCount,
  typedView,
  type Activation,
  type Graph,
  type Tensor,
} from '@mliflow/ir';

export interface TensorStats {
  min: number;
  max: number;
  /** Mean of the real values per channel, channels being the innermost `width` elements. */
  means: Map<number, Float64Array>;
  /** For int8 tensors: how often each real value occurred, as (value, count) pairs. */
  histogram: { value: Float64Array; count: Float64Array } | null;
}

/** real = scale * (q - zeroPoint) over the tensor's integer range, narrowed by a fused activation. */
export function representableRange(t: Tensor, act: Activation = 'none'): [number, number] {
  const q = t.quant!;
  const s = q.scale[0];
  const zp = q.zeroPoint[0] ?? 0;
  const [qmin, qmax] = t.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  let lo = s * (qmin - zp);
  let hi = s * (qmax - zp);
  if (act === 'relu' || act === 'relu6') lo = Math.max(lo, 0);
  if (act === 'relu6') hi = Math.min(hi, 6);
  if (act === 'relu_n1_to_1') [lo, hi] = [Math.max(lo, -1), Math.min(hi, 1)];
  return [lo, hi];
}

/**
 * Measures ranges and channel means over calibration records. `widths` names, per tensor,
 * the channel widths whose means the weighted layers need (a tensor can feed several).
 */
export function measureStats(
  g: Graph,
  records: Uint8Array,
  widths: Map<number, Set<number>>,
  file: string,
  onRecord?: (i: number, n: number) => void,
): { stats: Map<number, TensorStats>; count: number } {
  const ex = new GoldenExecutor(g, { file });
  const n = recordCount(records.length, recordBytes(g, 'inputs'), `calibration records for ${file}`);
  const sums = new Map<number, { min: number; max: number; sums: Map<number, Float64Array>; rows: Map<number, number>; codes: Float64Array | null }>();
  const accumulate = (id: number, bytes: Uint8Array): void => {
    const t = g.tensors[id];
    if (!t.quant || (t.dtype !== 'int8' && t.dtype !== 'int16')) return;
    // A copy when unaligned: typedView's own copy of a Node Buffer would be a view.
    const v = typedView(t.dtype, bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes)) as Int8Array | Int16Array;
    const s = t.quant.scale[0];
    const zp = t.quant.zeroPoint[0] ?? 0;
    let e = sums.get(id);
    if (!e) sums.set(id, (e = { min: Infinity, max: -Infinity, sums: new Map(), rows: new Map(), codes: t.dtype === 'int8' ? new Float64Array(256) : null }));
    let qmin = Infinity;
    let qmax = -Infinity;
    const codes = e.codes;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < qmin) qmin = x;
      if (x > qmax) qmax = x;
      if (codes) codes[x + 128]++;
    }
    e.min = Math.min(e.min, s * (qmin - zp));
    e.max = Math.max(e.max, s * (qmax - zp));
    for (const w of widths.get(id) ?? []) {
      let acc = e.sums.get(w);
      if (!acc) e.sums.set(w, (acc = new Float64Array(w)));
      for (let i = 0; i < v.length; i++) acc[i % w] += v[i] - zp;
      e.rows.set(w, (e.rows.get(w) ?? 0) + v.length / w);
    }
  };
  const inSizes = g.inputs.map((id) => byteSize(g.tensors[id]));
  const recIn = inSizes.reduce((a, b) => a + b, 0);
  for (let r = 0; r < n; r++) {
    let off = r * recIn;
    const ins = inSizes.map((sz) => records.subarray(off, (off += sz)));
    ex.resetState();
    const res = ex.run(ins, { trace: true });
    g.inputs.forEach((id, k) => accumulate(id, ins[k]));
    for (const tr of res.trace!) g.ops[tr.index].outputs.forEach((id, k) => accumulate(id, tr.outputs[k]));
    onRecord?.(r + 1, n);
  }
  const stats = new Map<number, TensorStats>();
  for (const [id, e] of sums) {
    const s = g.tensors[id].quant!.scale[0];
    const zp = g.tensors[id].quant!.zeroPoint[0] ?? 0;
    const means = new Map<number, Float64Array>();
    for (const [w, acc] of e.sums) means.set(w, acc.map((x) => (s * x) / e.rows.get(w)!));
    const histogram = e.codes ? { value: Float64Array.from(e.codes, (_, k) => s * (k - 128 - zp)), count: e.codes } : null;
    stats.set(id, { min: e.min, max: e.max, means, histogram });
  }
  return { stats, count: n };
}

/** Values a symmetric grid of step `scale` may clip: at most this fraction of those observed. */
export const MAX_CLIPPED = 1e-3;

/**
 * The symmetric scale for observed values: among `candidates` (the first covers the whole
 * observed range), the one with the least squared quantization error over the histogram,
 * provided it clips at most MAX_CLIPPED of the values.
 */
export function leastErrorScale(candidates: number[], hist: { value: Float64Array; count: Float64Array }[], qmax: number): number {
  let best = candidates[0];
  let bestErr = Infinity;
  for (const [k, s] of candidates.entries()) {
    let err = 0;
    let clipped = 0;
    let total = 0;
    for (const h of hist) {
      for (let i = 0; i < h.value.length; i++) {
        const c = h.count[i];
        if (!c) continue;
        const x = h.value[i];
        const q = Math.round(x / s);
        const qc = q > qmax ? qmax : q < -qmax - 1 ? -qmax - 1 : q;
        if (qc !== q) clipped += c;
        total += c;
        err += c * (x - s * qc) ** 2;
      }
    }
    if (k > 0 && clipped > MAX_CLIPPED * total) continue;
    if (err < bestErr) [best, bestErr] = [s, err];
  }
  return best;
}

/**
 * Re-quantization of an int8 model into another quantization scheme, as a pass from graph to
 * graph (the quantization lives on the tensors):
 *  - sym8: int8 activations with zero point 0, each scale widened so the range still fits;
 *  - pow2-8: sym8 with every activation and weight scale a power of two;
 *  - pow2-16x8: int16 symmetric power-of-two activations, int8 symmetric power-of-two
 *    weights and int64 biases (TFLite's 16x8 operator versions); operators without a 16x8
 *    form (LSTM) stay pow2-8, behind QUANTIZE operators.
 * Steps: choose each operator's mode (--only), insert QUANTIZE where a tensor crosses modes,
 * group tensors whose quantization must be equal (pooling, reshape, pad, transpose, LSTM
 * state), pick each group's new quantization from its range, then rewrite the weighted
 * layers (weights.ts). A tensor already in the scheme keeps its quantization, so applying a
 * scheme twice changes nothing the second time.
 */
import {
  UnsupportedError,
  UsageError,
  f32,
  opLabel,
  type Activation,
  type DType,
  type Graph,
  type Op,
  type OpKind,
  type Quantization,
  type Tensor,
} from '@mliflow/ir';
import { leastErrorScale, measureStats, representableRange, type TensorStats } from './stats.js';
import { convLayout, depthwiseLayout, matrixLayout, rebias, reweight, type WeightLayout } from './weights.js';

export type SchemeName = 'sym8' | 'pow2-8' | 'pow2-16x8';
export const SCHEME_NAMES: readonly SchemeName[] = ['sym8', 'pow2-8', 'pow2-16x8'];

export interface RequantOptions {
  scheme: SchemeName;
  /** Fold scale and zero-point changes into the weights and biases (default on). */
  weightCorrection?: boolean;
  /** Fold the re-rounded weights' expected error into the biases (default on). */
  roundingFolding?: boolean;
  /** Calibration records (every input's bytes, in input order, as in ../shared/vectors). */
  calib?: Uint8Array;
  /** Operator selectors: indices ("3"), ranges ("3-7") or output tensor names. */
  only?: string[];
  /** Model file name for messages. */
  file?: string;
  onCalibRecord?: (i: number, n: number) => void;
}

export interface QuantSummary {
  dtype: DType;
  scale: number;
  zeroPoint: number;
}

export interface LayerReport {
  /** Operator index in the new graph. */
  index: number;
  kind: OpKind;
  output: string;
  /** 'inserted' for the QUANTIZE operators added at mode boundaries. */
  mode: 'kept' | 'requantized' | 'inserted';
  old: QuantSummary | null;
  new: QuantSummary;
  /** Relative RMS error of the real weights: with the integers kept, and as written. */
  weightError?: { naive: number; corrected: number };
  /** Largest bias change from rounding-error folding, in bias LSBs. */
  foldLsb?: number;
}

export interface RequantResult {
  graph: Graph;
  /** The model was already in the scheme: the graph is the input's. */
  noop: boolean;
  layers: LayerReport[];
  /** How activation ranges and input means were obtained. */
  statistics: { source: 'calibration' | 'data-free'; records: number };
}

type Mode = 'keep' | 'p8' | 'p16';

/** Operators whose output quantization must equal their input's. */
const FOLLOW = new Set<OpKind>(['max_pool_2d', 'average_pool_2d', 'reshape', 'pad', 'transpose']);
const SUPPORTED = new Set<OpKind>([...FOLLOW, 'conv_2d', 'depthwise_conv_2d', 'fully_connected', 'add', 'softmax', 'mean', 'unidirectional_sequence_lstm']);
/** TFLite's operator versions with int16 activations (op_version.cc); others have none in 16x8. */
const P16_VERSION: Partial<Record<OpKind, number>> = {
  conv_2d: 4,
  depthwise_conv_2d: 5,
  fully_connected: 7,
  add: 3,
  average_pool_2d: 3,
  max_pool_2d: 3,
  softmax: 3,
  reshape: 1,
  pad: 4,
  transpose: 5,
  mean: 3,
};
/** QUANTIZE versions: int8 output from an integer input (requantize), int16 output. */
const QUANTIZE_VERSION = { int8: 2, int16: 3 } as const;

const isPow2 = (s: number): boolean => s > 0 && 2 ** Math.round(Math.log2(s)) === s;
const pow2Nearest = (s: number): number => 2 ** Math.round(Math.log2(s));
/**
 * The power of two at or above `s`, except that the one below is taken when it clips the
 * range by at most one step of its own grid (a range of 255 at int8 fits 2 with 254).
 */
function pow2Cover(s: number, qmax: number): number {
  const lower = 2 ** Math.floor(Math.log2(s));
  return s <= lower * (1 + 1 / qmax) ? lower : lower * 2;
}

function actOf(op: Op): Activation {
  const a = (op.attrs as { activation?: Activation }).activation;
  return a === 'relu' || a === 'relu6' || a === 'relu_n1_to_1' ? a : 'none';
}

function summary(t: Tensor): QuantSummary | null {
  return t.quant ? { dtype: t.dtype, scale: t.quant.scale[0], zeroPoint: t.quant.zeroPoint[0] ?? 0 } : null;
}

/** Operator indices chosen by --only selectors. */
export function selectOps(g: Graph, only: string[], file: string): Set<number> {
  const chosen = new Set<number>();
  for (const sel of only) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(sel.trim());
    if (range) {
      const a = Number(range[1]);
      const b = range[2] !== undefined ? Number(range[2]) : a;
      if (a > b || b >= g.ops.length) throw new UsageError(`${file}: --only ${sel}: the model has operators 0 to ${g.ops.length - 1}`);
      for (let i = a; i <= b; i++) chosen.add(i);
      continue;
    }
    const i = g.ops.findIndex((op) => op.outputs.some((o) => g.tensors[o].name === sel.trim()));
    if (i < 0) throw new UsageError(`${file}: --only ${sel}: no operator index, range or output tensor of that name`);
    chosen.add(i);
  }
  return chosen;
}

function checkInt8(g: Graph, file: string): void {
  const io = [...g.inputs.map((id) => ['input', id] as const), ...g.outputs.map((id) => ['output', id] as const)];
  for (const [what, id] of io) {
    const t = g.tensors[id];
    if (t.dtype === 'float32') throw new UsageError(`${file}: a float model (${what} "${t.name}" is float32); requant takes an int8 model`);
    if (t.dtype !== 'int8' || !t.quant) throw new UsageError(`${file}: ${what} "${t.name}" is ${t.dtype}${t.quant ? '' : ' without quantization'}; requant takes int8 models`);
  }
  g.ops.forEach((op, i) => {
    if (!SUPPORTED.has(op.kind)) {
      throw new UnsupportedError(`${file}: ${opLabel(i, op)} cannot be re-quantized (requant handles ${[...SUPPORTED].map((k) => k.toUpperCase()).join(', ')})`);
    }
    for (const o of op.outputs) {
      const t = g.tensors[o];
      if (t.dtype !== 'int8' || !t.quant) throw new UsageError(`${file}: ${opLabel(i, op)}: output "${t.name}" is ${t.dtype}; requant takes int8 models`);
      if (t.quant.scale.length !== 1) throw new UnsupportedError(`${file}: ${opLabel(i, op)}: output "${t.name}" is quantized per channel`);
    }
  });
}

class UnionFind {
  private readonly parent: number[] = [];
  find(x: number): number {
    while (this.parent[x] !== undefined && this.parent[x] !== x) x = this.parent[x];
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

const LSTM_GATES = [
  { w: 1, r: 5, b: 12 },
  { w: 2, r: 6, b: 13 },
  { w: 3, r: 7, b: 14 },
  { w: 4, r: 8, b: 15 },
];

export function requantize(g: Graph, opts: RequantOptions): RequantResult {
  const file = opts.file ?? '<model>';
  const scheme = opts.scheme;
  if (!SCHEME_NAMES.includes(scheme)) throw new UsageError(`unknown scheme "${String(scheme)}"; use ${SCHEME_NAMES.join(', ')}`);
  const correct = opts.weightCorrection ?? true;
  const fold = opts.roundingFolding ?? true;
  const pow2 = scheme !== 'sym8';
  if (!opts.only && alreadyIn(g, scheme)) return { graph: g, noop: true, layers: [], statistics: { source: 'data-free', records: 0 } };
  checkInt8(g, file);

  // 1. Each operator's mode.
  const selected = opts.only ? selectOps(g, opts.only, file) : null;
  const modes: Mode[] = g.ops.map((op, i) => {
    if (selected && !selected.has(i)) return 'keep';
    return scheme === 'pow2-16x8' && P16_VERSION[op.kind] !== undefined ? 'p16' : 'p8';
  });

  // 2. The new graph's operators, with QUANTIZE where an activation crosses modes.
  const isActivation = (id: number): boolean => id >= 0 && !g.tensors[id].data && !g.tensors[id].isVariable;
  const producer = new Map<number, number>();
  g.ops.forEach((op, i) => op.outputs.forEach((o) => producer.set(o, i)));
  const firstConsumer = (id: number): number => g.ops.findIndex((op) => op.inputs.includes(id));
  const homeMode = (id: number): Mode => {
    const p = producer.get(id);
    if (p !== undefined) return modes[p];
    const c = firstConsumer(id);
    return c >= 0 ? modes[c] : 'keep';
  };
  const tensors: Tensor[] = g.tensors.map((t) => ({ ...t, quant: t.quant ? { ...t.quant } : null }));
  /** The original tensor whose values a new tensor carries (for ranges and statistics). */
  const origin: number[] = g.tensors.map((_, i) => i);
  const tmode: Mode[] = g.tensors.map((_, i) => (isActivation(i) ? homeMode(i) : 'keep'));
  const ops: Op[] = [];
  /** Original operator index of each new operator; -1 for an inserted QUANTIZE. */
  const opOrigin: number[] = [];
  const converted = new Map<string, number>();
  g.ops.forEach((op, i) => {
    const inputs = op.inputs.map((id) => {
      if (!isActivation(id) || tmode[id] === modes[i]) return id;
      const key = `${id}:${modes[i]}`;
      let c = converted.get(key);
      if (c === undefined) {
        const src = g.tensors[id];
        c = tensors.push({ ...src, name: `${src.name}/${modes[i]}`, quant: { ...src.quant! }, shapeSignature: undefined }) - 1;
        origin.push(id);
        tmode.push(modes[i]);
        ops.push({ kind: 'quantize', inputs: [id], outputs: [c], attrs: {}, intermediates: [], version: 1 });
        opOrigin.push(-1);
        converted.set(key, c);
      }
      return c;
    });
    if (op.kind === 'unidirectional_sequence_lstm') {
      for (const v of [op.inputs[18], op.inputs[19]]) if (v >= 0) tmode[v] = modes[i];
    }
    ops.push({ ...op, inputs, outputs: [...op.outputs], intermediates: [...op.intermediates], attrs: { ...op.attrs } } as Op);
    opOrigin.push(i);
  });

  // 3. Groups of tensors that must share a quantization.
  const uf = new UnionFind();
  ops.forEach((op, k) => {
    if (FOLLOW.has(op.kind)) uf.union(op.inputs[0], op.outputs[0]);
    if (op.kind === 'unidirectional_sequence_lstm') {
      const out = op.outputs[0];
      uf.union(out, op.inputs[18]);
      const oq = g.tensors[g.ops[opOrigin[k]].outputs[0]].quant!;
      for (const m of op.intermediates) {
        const q = g.tensors[m].quant;
        if (q && q.scale[0] === oq.scale[0] && (q.zeroPoint[0] ?? 0) === (oq.zeroPoint[0] ?? 0)) {
          uf.union(out, m);
          tmode[m] = tmode[out];
        }
      }
    }
  });
  const newProducer = new Map<number, Op>();
  ops.forEach((op) => op.outputs.forEach((o) => newProducer.set(o, op)));

  // 4. Statistics: measured over calibration records, or the quantization's own range.
  let stats: Map<number, TensorStats> | null = null;
  let records = 0;
  const widths = new Map<number, Set<number>>();
  const needMean = (id: number, w: number): void => {
    const o = origin[id];
    if (!widths.has(o)) widths.set(o, new Set());
    widths.get(o)!.add(w);
  };
  ops.forEach((op, k) => {
    if (modes[opOrigin[k]] === 'keep' || opOrigin[k] < 0) return;
    if (op.kind === 'conv_2d') needMean(op.inputs[0], tensors[op.inputs[1]].shape[3]);
    if (op.kind === 'depthwise_conv_2d') needMean(op.inputs[0], tensors[op.inputs[0]].shape[3]);
    if (op.kind === 'fully_connected') needMean(op.inputs[0], tensors[op.inputs[1]].shape[1]);
    if (op.kind === 'unidirectional_sequence_lstm') {
      needMean(op.inputs[0], tensors[op.inputs[0]].shape[2]);
      needMean(op.outputs[0], tensors[op.inputs[5]].shape[1]);
    }
  });
  if (opts.calib) {
    const m = measureStats(g, opts.calib, widths, file, opts.onCalibRecord);
    stats = m.stats;
    records = m.count;
  }
  const originalAct = (id: number): Activation => {
    const p = producer.get(id);
    return p === undefined ? 'none' : actOf(g.ops[p]);
  };
  const rangeOf = (id: number): [number, number] | null => {
    const o = origin[id];
    if (stats) {
      const s = stats.get(o);
      return s ? [s.min, s.max] : null;
    }
    return g.tensors[o].quant ? representableRange(g.tensors[o], originalAct(o)) : null;
  };
  const meanOf = (id: number, width: number): ((k: number) => number) => {
    const o = origin[id];
    const m = stats?.get(o)?.means.get(width);
    if (m) return (k) => m[k];
    // Data-free: (lo + hi) / 8 over the representable range. Activations cluster near 0 and
    // a converter's range ends are extremes, some four standard deviations out; for a ReLU
    // output [0, hi] this gives hi/8, near a half-normal's mean (0.8 sigma = hi/5). Measured
    // on kws01 and 500 CIFAR-10 images, the plain midpoint overshoots badly (pow2-8 ResNet-8
    // -15 points) and 0 (no folding) does worse than this.
    const [lo, hi] = representableRange(g.tensors[o], originalAct(o));
    const estimate = (lo + hi) / 8;
    return () => estimate;
  };

  // 5. Each group's new quantization.
  const groups = new Map<number, number[]>();
  tensors.forEach((t, id) => {
    if (!t.quant || t.data || tmode[id] === 'keep') return;
    if (!isActivation(origin[id]) && !t.isVariable && !ops.some((op) => op.intermediates.includes(id))) return;
    const r = uf.find(id);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(id);
  });
  for (const members of groups.values()) {
    const mode = tmode[members[0]];
    const bits = mode === 'p16' ? 16 : 8;
    const dtype: DType = mode === 'p16' ? 'int16' : 'int8';
    const qmax = 2 ** (bits - 1) - 1;
    const pinned = members.some((m) => newProducer.get(m)?.kind === 'softmax');
    let quant: Quantization;
    const old = tensors[members[0]].quant!;
    const oldIn = (s: number, zp: number): boolean => zp === 0 && (!pow2 || isPow2(s)) && tensors[members[0]].dtype === dtype;
    const lstmCell = members.length === 1 && tensors[members[0]].dtype === 'int16' && tensors[members[0]].isVariable;
    if (pinned) {
      quant = mode === 'p16' ? { scale: [f32(1 / 32768)], zeroPoint: [0], axis: 0 } : { scale: [f32(1 / 256)], zeroPoint: [-128], axis: 0 };
    } else if (lstmCell) {
      // The LSTM cell state is int16 with zero point 0 already; TFLite wants its scale a power of two.
      quant = { scale: [isPow2(old.scale[0]) ? old.scale[0] : 2 ** Math.ceil(Math.log2(old.scale[0]))], zeroPoint: [0], axis: 0 };
    } else if (members.every((m) => oldIn(tensors[m].quant!.scale[0], tensors[m].quant!.zeroPoint[0] ?? 0))) {
      quant = { scale: [old.scale[0]], zeroPoint: [0], axis: 0 };
    } else {
      let lo = 0;
      let hi = 0;
      for (const m of members) {
        const r = rangeOf(m);
        if (r) [lo, hi] = [Math.min(lo, r[0]), Math.max(hi, r[1])];
      }
      let s = Math.max(-lo / (qmax + 1), hi / qmax);
      if (!(s > 0)) s = old.scale[0];
      const hist = stats ? members.map((m) => stats!.get(origin[m])?.histogram).filter((h) => h) : [];
      // With calibration, a grid that clips a few outliers may fit the rest better; not for
      // values that decide the result (graph outputs, softmax inputs), where the top matters.
      const decides = members.some((m) => g.outputs.includes(origin[m]) || ops.some((op) => op.kind === 'softmax' && op.inputs[0] === m));
      if (hist.length > 0 && !decides) {
        const top = pow2 ? 2 ** Math.ceil(Math.log2(s)) : s;
        const candidates = pow2 ? [top, top / 2, top / 4] : [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((f) => top * f);
        s = leastErrorScale(candidates, hist as { value: Float64Array; count: Float64Array }[], qmax);
      } else if (pow2) {
        s = pow2Cover(s, qmax);
      }
      quant = { scale: [f32(s)], zeroPoint: [0], axis: 0 };
    }
    for (const m of members) {
      if (lstmCell) {
        tensors[m] = { ...tensors[m], quant };
        continue;
      }
      tensors[m] = { ...tensors[m], dtype, quant: { ...quant, scale: [...quant.scale], zeroPoint: [...quant.zeroPoint] } };
      if (tensors[m].isVariable && tensors[m].data) {
        // A state's initial value (zero in real terms) re-expressed: all zero with zero point 0.
        tensors[m] = { ...tensors[m], data: new Uint8Array(tensors[m].data!.length * (dtype === 'int16' ? 2 : 1)) };
      }
    }
  }

  // 6. Weighted layers: new weights and biases.
  const layers: LayerReport[] = [];
  const rule = {
    keeps: (s: number) => !pow2 || isPow2(s),
    naive: (s: number) => (pow2 ? pow2Nearest(s) : s),
    corrected: (s: number, maxAbs: number) => {
      if (!(maxAbs > 0)) return [pow2 ? pow2Nearest(s) : s];
      if (!pow2) return [maxAbs / 127];
      const up = 2 ** Math.ceil(Math.log2(maxAbs / 127));
      return [up, up / 2];
    },
  };
  const rewritten = new Set<number>();
  const replace = (id: number, t: Tensor, what: string, k: number): void => {
    if (rewritten.has(id)) throw new UnsupportedError(`${file}: ${opLabel(k, ops[k])}: ${what} "${t.name}" is shared with another operator`);
    rewritten.add(id);
    tensors[id] = t;
  };
  ops.forEach((op, k) => {
    const i = opOrigin[k];
    const orig = i >= 0 ? g.ops[i] : null;
    const outT = tensors[op.outputs[0]];
    const report: LayerReport = {
      index: k,
      kind: op.kind,
      output: outT.name,
      mode: !orig ? 'inserted' : modes[i] === 'keep' ? 'kept' : 'requantized',
      old: orig ? summary(g.tensors[orig.outputs[0]]) : null,
      new: summary(outT)!,
    };
    layers.push(report);
    if (!orig) {
      op.version = QUANTIZE_VERSION[outT.dtype === 'int16' ? 'int16' : 'int8'];
      return;
    }
    if (modes[i] === 'keep') return;
    if (modes[i] === 'p16') {
      op.version = P16_VERSION[op.kind]!;
      // TFLite's power-of-two int16 ADD path is not TFLite Micro's; the general one is.
      if (op.kind === 'add') (op.attrs as { potScaleInt16: boolean }).potScaleInt16 = false;
    }
    const biasType: DType = modes[i] === 'p16' ? 'int64' : 'int32';
    const xOld = g.tensors[orig.inputs[0]].quant!.scale[0];
    const xNew = tensors[op.inputs[0]].quant!.scale[0];
    const weighted = (wId: number, bId: number, layout: WeightLayout, mean: (c: number) => number, extra?: Float64Array): void => {
      const w = g.tensors[wId];
      const rw = reweight(w, layout, rule, correct, mean);
      replace(wId, rw.tensor, 'weights', k);
      const bias = bId >= 0 ? g.tensors[bId] : null;
      if (extra) for (let c = 0; c < extra.length; c++) rw.expectedError[c] += extra[c];
      const wq = w.quant!;
      const rb = rebias(
        bias,
        (c) => xOld * wq.scale[wq.scale.length > 1 ? c : 0],
        xNew,
        rw.channelScale,
        fold ? rw.expectedError : null,
        correct,
        biasType,
        wq.scale.length > 1,
        `${w.name}/bias`,
      );
      if (bId >= 0) replace(bId, rb.tensor, 'bias', k);
      else if (fold) {
        const id = tensors.push(rb.tensor) - 1;
        op.inputs[2] = id;
      }
      const prev = report.weightError;
      report.weightError = prev
        ? { naive: Math.max(prev.naive, rw.naiveError), corrected: Math.max(prev.corrected, rw.error) }
        : { naive: rw.naiveError, corrected: rw.error };
      report.foldLsb = Math.max(report.foldLsb ?? 0, rb.maxFoldLsb);
    };
    switch (op.kind) {
      case 'conv_2d': {
        const w = g.tensors[op.inputs[1]];
        weighted(op.inputs[1], op.inputs[2] ?? -1, convLayout(w), meanOf(op.inputs[0], w.shape[3]));
        break;
      }
      case 'depthwise_conv_2d': {
        const w = g.tensors[op.inputs[1]];
        const dm = (op.attrs as { depthMultiplier: number }).depthMultiplier;
        const inCh = tensors[op.inputs[0]].shape[3];
        weighted(op.inputs[1], op.inputs[2] ?? -1, depthwiseLayout(w, w.shape[3] / inCh || dm), meanOf(op.inputs[0], inCh));
        break;
      }
      case 'fully_connected': {
        const w = g.tensors[op.inputs[1]];
        weighted(op.inputs[1], op.inputs[2] ?? -1, matrixLayout(w), meanOf(op.inputs[0], w.shape[1]));
        break;
      }
      case 'unidirectional_sequence_lstm': {
        const units = g.tensors[op.inputs[5]].shape[1];
        const inSize = tensors[op.inputs[0]].shape[2];
        const meanX = meanOf(op.inputs[0], inSize);
        const meanH = meanOf(op.outputs[0], units);
        for (const gate of LSTM_GATES) {
          // The recurrent weights have no bias of their own: their expected error goes into
          // the gate's bias, which is on the input weights' scale.
          const r = g.tensors[op.inputs[gate.r]];
          const rr = reweight(r, matrixLayout(r), rule, correct, meanH);
          replace(op.inputs[gate.r], rr.tensor, 'weights', k);
          weighted(op.inputs[gate.w], op.inputs[gate.b], matrixLayout(g.tensors[op.inputs[gate.w]]), meanX, rr.expectedError);
        }
        break;
      }
      default:
        break;
    }
  });

  const graph: Graph = { ...g, tensors: tensors.map(stripMinMax), ops };
  const noop = sameModel(g, graph);
  return { graph: noop ? g : graph, noop, layers, statistics: { source: stats ? 'calibration' : 'data-free', records } };
}

/**
 * Whether every tensor already meets the scheme: zero points 0 (the pinned int8 SOFTMAX output
 * aside), power-of-two scales for pow2-*, and for pow2-16x8 int16 outputs wherever the
 * operator has a 16x8 form (QUANTIZE to int8 feeds the ones that have none).
 */
function alreadyIn(g: Graph, scheme: SchemeName): boolean {
  const softmaxOut = new Set(g.ops.filter((op) => op.kind === 'softmax').flatMap((op) => op.outputs));
  const quantOk = g.tensors.every((t, id) => {
    if (!t.quant) return true;
    if (softmaxOut.has(id) && t.dtype === 'int8' && t.quant.zeroPoint[0] === -128 && t.quant.scale[0] === f32(1 / 256)) return true;
    return t.quant.zeroPoint.every((z) => z === 0) && (scheme === 'sym8' || t.quant.scale.every(isPow2));
  });
  if (!quantOk) return false;
  const want16 = (op: Op): boolean => scheme === 'pow2-16x8' && P16_VERSION[op.kind] !== undefined;
  const outputsOk = g.ops.every((op) => {
    const t = g.tensors[op.outputs[0]];
    if (op.kind === 'quantize') return scheme === 'pow2-16x8' && (t.dtype === 'int16' || t.dtype === 'int8');
    if (!SUPPORTED.has(op.kind)) return false;
    return t.dtype === (want16(op) ? 'int16' : 'int8');
  });
  // A graph input takes its first consumer's form, as in requantize.
  const inputsOk = g.inputs.every((id) => {
    const first = g.ops.find((op) => op.inputs.includes(id));
    return g.tensors[id].dtype === (first && want16(first) ? 'int16' : 'int8');
  });
  return outputsOk && inputsOk;
}

/** Calibration min/max of the input model no longer describe the new quantization. */
function stripMinMax(t: Tensor): Tensor {
  if (!t.quant || (t.quant.min === undefined && t.quant.max === undefined)) return t;
  const { min: _min, max: _max, ...q } = t.quant;
  return { ...t, quant: q };
}

function sameModel(a: Graph, b: Graph): boolean {
  if (a.tensors.length !== b.tensors.length || a.ops.length !== b.ops.length) return false;
  const sameQ = (x: Quantization | null, y: Quantization | null): boolean =>
    (x === null && y === null) ||
    (x !== null && y !== null && x.scale.length === y.scale.length && x.scale.every((s, i) => s === y.scale[i] && (x.zeroPoint[i] ?? 0) === (y.zeroPoint[i] ?? 0)));
  const sameData = (x: Uint8Array | null, y: Uint8Array | null): boolean =>
    x === y || (x !== null && y !== null && x.length === y.length && x.every((v, i) => v === y[i]));
  return a.tensors.every((t, i) => t.dtype === b.tensors[i].dtype && sameQ(t.quant, b.tensors[i].quant) && sameData(t.data, b.tensors[i].data));
}

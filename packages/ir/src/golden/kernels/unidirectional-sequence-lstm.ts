/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, TFLite Micro's reference semantics (standard LSTM: no
 * peephole, projection, layer norm or CIFG). One step, for the current input row x and
 * the previous hidden state h, in this order:
 *   f = sigmoid(gate(forget)), i = sigmoid(gate(input)), g = tanh(gate(cell))
 *   c = sat16(mul(f, c) + mul(i, g)), then clipped to +-quantized_clip when cell_clip > 0
 *   o = sigmoid(gate(output))            (still from the previous h)
 *   h = mul(tanh(c), o); the step's output row is h.
 * Integer (int8 x int8 -> int16 cell, int32 bias):
 *   gate(k) = sat16(sat16(MBQM(sum W_k (x - zp_x) + b_k, sIn_k)) + sat16(MBQM(sum R_k (h - zp_h), sRec_k)))
 *     in Q3.12; sigmoid/tanh give Q0.15 (see lstm/nonlinear.ts);
 *   mul(a, b) = clamp(MBQM(a * b, m, s) + zp) to the destination type (int16 cell, int8 h).
 * Float: the same sequence in float32 (sigmoid with TFLite's cut-offs).
 * Batch-major input runs batch by batch with that batch's state row; time-major runs the
 * whole batch per step.
 */
import { constView, type Tensor } from '../../graph.js';
import { f32, multiplyByQuantizedMultiplier } from '../../quant.js';
import type { Buffers, Evaluate, Kernel } from '../kernel.js';
import { sigmoidQ312, tanhQ } from './lstm/nonlinear.js';
import { lstmMacs, lstmParams, type LstmGateParams, type LstmParams } from './lstm/params.js';

export const unidirectionalSequenceLstm: Kernel = {
  prepare(ctx) {
    const p = lstmParams(ctx.graph, ctx.op, ctx.index);
    return p.dtype === 'float32' ? prepareFloat(ctx.graph.tensors, p) : prepareInt(ctx.graph.tensors, p);
  },
  macs(ctx) {
    return lstmMacs(lstmParams(ctx.graph, ctx.op, ctx.index));
  },
};

/** Step geometry shared by both paths: rows per step and where each step reads and writes. */
interface Geometry {
  /** Rows computed together in one step (the batch when time-major, else 1). */
  rows: number;
  /** Outer loop count (batches when batch-major, else 1) and steps per outer iteration. */
  outer: number;
  steps: number;
}

function geometry(p: LstmParams): Geometry {
  return p.timeMajor ? { rows: p.batch, outer: 1, steps: p.timeSteps } : { rows: 1, outer: p.batch, steps: p.timeSteps };
}

// ---------------------------------------------------------------------------------------
// int8 activations, int8 weights, int16 cell state, int32 bias
// ---------------------------------------------------------------------------------------

interface IntGate {
  w: Int8Array;
  r: Int8Array;
  b: Int32Array;
  mIn: number;
  sIn: number;
  mRec: number;
  sRec: number;
}

function intGate(tensors: Tensor[], g: LstmGateParams): IntGate {
  return {
    w: constView(tensors[g.inputWeights]) as Int8Array,
    r: constView(tensors[g.recurrentWeights]) as Int8Array,
    b: constView(tensors[g.bias]) as Int32Array,
    mIn: g.inputScale.multiplier,
    sIn: g.inputScale.shift,
    mRec: g.recurrentScale.multiplier,
    sRec: g.recurrentScale.shift,
  };
}

const sat16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);

function prepareInt(tensors: Tensor[], p: LstmParams): Evaluate {
  const S = p.stateSize;
  const I = p.inputSize;
  const { rows, outer, steps } = geometry(p);
  const gates = [intGate(tensors, p.forget), intGate(tensors, p.input), intGate(tensors, p.cell), intGate(tensors, p.output)];
  const [gf, gi, gc, go] = gates;
  const zpX = p.inputZeroPoint;
  const zpH = p.hiddenZeroPoint;
  const n = rows * S;
  const fBuf = new Int16Array(n);
  const iBuf = new Int16Array(n);
  const cBuf = new Int16Array(n);
  const oBuf = new Int16Array(n);
  const tBuf = new Int16Array(n);
  const clip = p.cellClip > 0 ? p.quantizedCellClip : -1;
  const mFc = p.forgetCellMul;
  const mIc = p.inputCellMul;
  const mH = p.hiddenMul;

  // out[r*S + j] = sat16(FC_in) + sat16(FC_rec), each FC rescaled to Q3.12 and saturated first.
  const gate = (g: IntGate, x: Int8Array, xOff: number, h: Int8Array, hOff: number, out: Int16Array): void => {
    for (let r = 0; r < rows; r++) {
      const xo = xOff + r * I;
      const ho = hOff + r * S;
      for (let j = 0; j < S; j++) {
        let acc = 0;
        const wo = j * I;
        for (let c = 0; c < I; c++) acc = (acc + g.w[wo + c] * (x[xo + c] - zpX)) | 0;
        acc = (acc + g.b[j]) | 0;
        const a = sat16(multiplyByQuantizedMultiplier(acc, g.mIn, g.sIn));
        acc = 0;
        const ro = j * S;
        for (let c = 0; c < S; c++) acc = (acc + g.r[ro + c] * (h[ho + c] - zpH)) | 0;
        const b = sat16(multiplyByQuantizedMultiplier(acc, g.mRec, g.sRec));
        out[r * S + j] = sat16(a + b);
      }
    }
  };

  return (buffers: Buffers) => {
    const x = buffers[p.tensors.input] as Int8Array;
    const h = buffers[p.tensors.hiddenState] as Int8Array;
    const c = buffers[p.tensors.cellState] as Int16Array;
    const y = buffers[p.tensors.output] as Int8Array;
    for (let b = 0; b < outer; b++) {
      const so = b * S; // state row of this batch (0 when time-major)
      for (let t = 0; t < steps; t++) {
        const step = b * steps + t;
        const xOff = step * rows * I;
        gate(gf, x, xOff, h, so, fBuf);
        sigmoidQ312(fBuf, 0, n);
        gate(gi, x, xOff, h, so, iBuf);
        sigmoidQ312(iBuf, 0, n);
        gate(gc, x, xOff, h, so, cBuf);
        tanhQ(cBuf, 0, cBuf, 0, n, 3, 0);
        for (let k = 0; k < n; k++) {
          const fc = sat16(multiplyByQuantizedMultiplier(fBuf[k] * c[so + k], mFc.multiplier, mFc.shift));
          const ig = sat16(multiplyByQuantizedMultiplier(iBuf[k] * cBuf[k], mIc.multiplier, mIc.shift));
          let v = sat16(fc + ig);
          if (clip >= 0) v = v > clip ? clip : v < -clip ? -clip : v;
          c[so + k] = v;
        }
        gate(go, x, xOff, h, so, oBuf);
        sigmoidQ312(oBuf, 0, n);
        tanhQ(c, so, tBuf, 0, n, p.tanhMultiplier, p.tanhShift);
        const yOff = step * rows * S;
        for (let k = 0; k < n; k++) {
          let v = multiplyByQuantizedMultiplier(tBuf[k] * oBuf[k], mH.multiplier, mH.shift) + zpH;
          v = v < -128 ? -128 : v > 127 ? 127 : v;
          h[so + k] = v;
          y[yOff + k] = v;
        }
      }
    }
  };
}

// ---------------------------------------------------------------------------------------
// float32
// ---------------------------------------------------------------------------------------

interface FloatGate {
  w: Float32Array;
  r: Float32Array;
  b: Float32Array;
}

function floatGate(tensors: Tensor[], g: LstmGateParams): FloatGate {
  return {
    w: constView(tensors[g.inputWeights]) as Float32Array,
    r: constView(tensors[g.recurrentWeights]) as Float32Array,
    b: constView(tensors[g.bias]) as Float32Array,
  };
}

/** TFLite's float logistic: exact formula between its cut-offs, exp(x) below, 1 above. */
function sigmoidF(v: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const x = v[k];
    v[k] = x > 16.619047164916992 ? 1 : x < -9 ? f32(Math.exp(x)) : f32(1 / f32(1 + f32(Math.exp(-x))));
  }
}

function tanhF(src: Float32Array, off: number, dst: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) dst[k] = f32(Math.tanh(src[off + k]));
}

function prepareFloat(tensors: Tensor[], p: LstmParams): Evaluate {
  const S = p.stateSize;
  const I = p.inputSize;
  const { rows, outer, steps } = geometry(p);
  const [gf, gi, gc, go] = [p.forget, p.input, p.cell, p.output].map((g) => floatGate(tensors, g));
  const n = rows * S;
  const fBuf = new Float32Array(n);
  const iBuf = new Float32Array(n);
  const cBuf = new Float32Array(n);
  const oBuf = new Float32Array(n);
  const tBuf = new Float32Array(n);
  const clip = p.cellClip;

  // Each FC sums in order, adds its bias, and only then are the two FCs added.
  const gate = (g: FloatGate, x: Float32Array, xOff: number, h: Float32Array, hOff: number, out: Float32Array): void => {
    for (let r = 0; r < rows; r++) {
      const xo = xOff + r * I;
      const ho = hOff + r * S;
      for (let j = 0; j < S; j++) {
        let a = 0;
        const wo = j * I;
        for (let c = 0; c < I; c++) a = f32(a + f32(x[xo + c] * g.w[wo + c]));
        a = f32(a + g.b[j]);
        let b = 0;
        const ro = j * S;
        for (let c = 0; c < S; c++) b = f32(b + f32(h[ho + c] * g.r[ro + c]));
        out[r * S + j] = f32(a + b);
      }
    }
  };

  return (buffers: Buffers) => {
    const x = buffers[p.tensors.input] as Float32Array;
    const h = buffers[p.tensors.hiddenState] as Float32Array;
    const c = buffers[p.tensors.cellState] as Float32Array;
    const y = buffers[p.tensors.output] as Float32Array;
    for (let b = 0; b < outer; b++) {
      const so = b * S;
      for (let t = 0; t < steps; t++) {
        const step = b * steps + t;
        const xOff = step * rows * I;
        gate(gf, x, xOff, h, so, fBuf);
        sigmoidF(fBuf, n);
        gate(gi, x, xOff, h, so, iBuf);
        sigmoidF(iBuf, n);
        gate(gc, x, xOff, h, so, cBuf);
        tanhF(cBuf, 0, cBuf, n);
        for (let k = 0; k < n; k++) {
          let v = f32(f32(fBuf[k] * c[so + k]) + f32(iBuf[k] * cBuf[k]));
          if (clip > 0) v = Math.max(Math.min(clip, v), -clip);
          c[so + k] = v;
        }
        gate(go, x, xOff, h, so, oBuf);
        sigmoidF(oBuf, n);
        tanhF(c, so, tBuf, n);
        const yOff = step * rows * S;
        for (let k = 0; k < n; k++) {
          const v = f32(tBuf[k] * oBuf[k]);
          h[so + k] = v;
          y[yOff + k] = v;
        }
      }
    }
  };
}

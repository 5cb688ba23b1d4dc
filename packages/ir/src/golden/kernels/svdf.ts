/**
 * SVDF, TFLite Micro's reference semantics. Per invocation and batch row b:
 *   1. the state [filters, memory] shifts left by one element (as one flat buffer);
 *   2. state[f][memory-1] = feature projection of the input:
 *        int: clamp_T(MBQM(sum_c wf[f][c] * (x[c] - zp_in), scale1)) + zp_state, stored with
 *             T's wrap-around (T = state type; the sum with the zero point is not re-clamped);
 *   3. per filter, t[f] = sum_m wt[f][m] * (state[f][m] - zp_state) (int32);
 *   4. out[u] = bias[u] + sum of its `rank` filters;
 *        int: clamp_int8(MBQM(out, scale2) + zp_out). The fused activation is not applied on
 *             this path (TFLite Micro ignores it); the float path applies it.
 */
import { constView, type Tensor } from '../../graph.js';
import { f32, multiplyByQuantizedMultiplier } from '../../quant.js';
import type { Activation } from '../../ops.js';
import type { Buffers, Evaluate, Kernel } from '../kernel.js';
import { svdfMacs, svdfParams, type SvdfParams } from './lstm/params.js';

export const svdf: Kernel = {
  prepare(ctx) {
    const p = svdfParams(ctx.graph, ctx.op, ctx.index);
    return p.dtype === 'float32' ? prepareFloat(ctx.graph.tensors, p) : prepareInt(ctx.graph.tensors, p);
  },
  macs(ctx) {
    return svdfMacs(svdfParams(ctx.graph, ctx.op, ctx.index));
  },
};

function prepareInt(tensors: Tensor[], p: SvdfParams): Evaluate {
  const { batch, inputSize, numFilters, numUnits, rank, memorySize } = p;
  const wf = constView(tensors[p.tensors.weightsFeature]) as Int8Array;
  const wt = constView(tensors[p.tensors.weightsTime]) as Int8Array | Int16Array;
  const bias = p.tensors.bias >= 0 ? (constView(tensors[p.tensors.bias]) as Int32Array) : null;
  const [stateMin, stateMax] = p.stateDtype === 'int16' ? [-32768, 32767] : [-128, 127];
  const { inputZeroPoint: zpIn, stateZeroPoint: zpState, outputZeroPoint: zpOut } = p;
  const m1 = p.scale1.multiplier;
  const s1 = p.scale1.shift;
  const m2 = p.scale2.multiplier;
  const s2 = p.scale2.shift;
  const stateLen = batch * numFilters * memorySize;
  const scratch = new Int32Array(numFilters);
  return (buffers: Buffers) => {
    const x = buffers[p.tensors.input] as Int8Array;
    // Int8Array/Int16Array stores wrap modulo 2^8/2^16, as the C conversion does in practice.
    const state = buffers[p.tensors.state] as Int8Array | Int16Array;
    const out = buffers[p.tensors.output] as Int8Array;
    state.copyWithin(0, 1, stateLen);
    for (let b = 0; b < batch; b++) {
      const xo = b * inputSize;
      const so = b * numFilters * memorySize;
      for (let f = 0; f < numFilters; f++) {
        let acc = 0;
        const wo = f * inputSize;
        for (let c = 0; c < inputSize; c++) acc = (acc + wf[wo + c] * (x[xo + c] - zpIn)) | 0;
        let v = multiplyByQuantizedMultiplier(acc, m1, s1);
        v = v < stateMin ? stateMin : v > stateMax ? stateMax : v;
        state[so + f * memorySize + memorySize - 1] = zpState + v;
      }
      for (let f = 0; f < numFilters; f++) {
        let acc = 0;
        const o = f * memorySize;
        for (let m = 0; m < memorySize; m++) acc = (acc + Math.imul(wt[o + m], state[so + o + m] - zpState)) | 0;
        scratch[f] = acc;
      }
      for (let u = 0; u < numUnits; u++) {
        let acc = bias ? bias[u] : 0;
        for (let r = 0; r < rank; r++) acc = (acc + scratch[u * rank + r]) | 0;
        let v = multiplyByQuantizedMultiplier(acc, m2, s2) + zpOut;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        out[b * numUnits + u] = v;
      }
    }
  };
}

function prepareFloat(tensors: Tensor[], p: SvdfParams): Evaluate {
  const { batch, inputSize, numFilters, numUnits, rank, memorySize } = p;
  const wf = constView(tensors[p.tensors.weightsFeature]) as Float32Array;
  const wt = constView(tensors[p.tensors.weightsTime]) as Float32Array;
  const bias = p.tensors.bias >= 0 ? (constView(tensors[p.tensors.bias]) as Float32Array) : null;
  const act = floatActivation(p.activation);
  const stateLen = batch * numFilters * memorySize;
  const scratch = new Float32Array(numFilters);
  return (buffers: Buffers) => {
    const x = buffers[p.tensors.input] as Float32Array;
    const state = buffers[p.tensors.state] as Float32Array;
    const out = buffers[p.tensors.output] as Float32Array;
    state.copyWithin(0, 1, stateLen);
    for (let b = 0; b < batch; b++) {
      const xo = b * inputSize;
      const so = b * numFilters * memorySize;
      for (let f = 0; f < numFilters; f++) {
        let acc = 0;
        const wo = f * inputSize;
        for (let c = 0; c < inputSize; c++) acc = f32(acc + f32(wf[wo + c] * x[xo + c]));
        state[so + f * memorySize + memorySize - 1] = acc;
      }
      for (let f = 0; f < numFilters; f++) {
        let acc = 0;
        const o = f * memorySize;
        for (let m = 0; m < memorySize; m++) acc = f32(acc + f32(wt[o + m] * state[so + o + m]));
        scratch[f] = acc;
      }
      for (let u = 0; u < numUnits; u++) {
        let acc = bias ? bias[u] : 0;
        for (let r = 0; r < rank; r++) acc = f32(acc + scratch[u * rank + r]);
        out[b * numUnits + u] = act(acc);
      }
    }
  };
}

function floatActivation(a: Activation): (x: number) => number {
  switch (a) {
    case 'none':
      return (x) => x;
    case 'relu':
      return (x) => Math.max(0, x);
    case 'relu_n1_to_1':
      return (x) => Math.max(-1, Math.min(x, 1));
    case 'relu6':
      return (x) => Math.max(0, Math.min(x, 6));
    case 'tanh':
      return (x) => f32(Math.tanh(x));
    case 'sign_bit':
      return (x) => (x < 0 || Object.is(x, -0) ? 1 : 0);
  }
}

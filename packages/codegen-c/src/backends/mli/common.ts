/**
 * Shared by the MLI lowerings: mli_tensor descriptions (shapes with explicit strides, sa8/sa32
 * params) and the call record. The numbers (el_params, cfg, function) come from the op's MLI
 * plan; this backend only lays them out as C.
 */
import type { MliRelu, MliSaParams, MliTensorRef } from '@mliflow/requant';
import type { ConstArray, KernelCall, MliCall, MliTensor } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';

export const MLI_HEADER = 'mli_api.h';

/** Element strides of a dense tensor, outermost first (MLI never derives them itself). */
export function denseStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

function elParams(p: MliSaParams): MliTensor['params'] {
  return { zeroPoint: p.zeroPoint, scale: p.scale, fracBits: p.scaleFracBits, dim: p.dim };
}

/** mli_relu_cfg as a C initializer. */
export function reluCfg(r: MliRelu): string {
  const t = { none: 'MLI_RELU_NONE', gen: 'MLI_RELU_GEN', relu6: 'MLI_RELU_6', relu1: 'MLI_RELU_1' }[r];
  return `{ .type = ${t} }`;
}

/** The arena tensor a plan refers to, as an sa8 mli_tensor. */
export function planTensor(role: string, ref: MliTensorRef, output: boolean): MliTensor {
  return activation(role, ref.tensor, ref.shape, ref.params, output);
}

/** An sa8 view of an arena tensor with MLI's shape (rank 1 or more: strides on rank 0 are UB in MLI). */
export function activation(role: string, tensor: number, shape: number[], p: MliSaParams, output: boolean): MliTensor {
  if (shape.length === 0) throw new Error(`MLI tensor ${role} needs rank >= 1`);
  return { role, tensor, elType: 'MLI_EL_SA_8', shape, memStride: denseStrides(shape), params: elParams(p), output };
}

/** A constant tensor laid out for MLI at compile time. */
export function constant(role: string, data: ConstArray, shape: number[], p: MliSaParams, elType: MliTensor['elType']): MliTensor {
  return { role, tensor: -1, data, elType, shape, memStride: denseStrides(shape), params: elParams(p), output: false };
}

/** A call of an MLI kernel: tensor arguments in `argOrder`, `cfg` by name. */
export function mliCall(ctx: LowerCtx, kernel: string, mli: MliCall, extra: { macs: number }): KernelCall {
  return {
    index: ctx.w.index,
    kind: ctx.kind,
    backend: 'mli',
    kernel,
    paramsType: '',
    params: {},
    // Arena tensors, for liveness; MLI documents no in-place use of these kernels, so none.
    args: mli.tensors.filter((t) => t.tensor >= 0).map((t) => ctx.arg(t.tensor, !t.output)),
    scratchBytes: 0,
    inPlaceOk: [],
    macs: extra.macs,
    sources: [],
    headers: [MLI_HEADER],
    mli,
  };
}

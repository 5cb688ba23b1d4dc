/**
 * SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM. Their C kernels (mlf_svdf.c, mlf_lstm.c,
 * mlf_seq.h) and their constants (svdfCParams/lstmCParams in @mliflow/ir) are written
 * separately, following the conventions of mlf_kernels.h: params keys are the C field
 * names, arguments are the op's non-constant inputs in TFLite order, then its outputs.
 * Without the kernel files these ops fail with a clear error instead of producing C.
 */
import {
  lstmCParams,
  lstmMacs,
  lstmParams,
  svdfCParams,
  svdfMacs,
  svdfParams,
  type CKernelParams,
} from '@mliflow/ir';
import { LSTM_TABLE_HEADER, kernelFiles } from '../../emit/project.js';
import type { KernelCall, ParamValue } from '../../lir.js';
import { constData } from '../../module.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { HEADER, call } from './common.js';

const SEQ_HEADER = 'mlf_seq.h';

function haveKernel(source: string): boolean {
  const lib = kernelFiles('portable');
  return lib.has(source) && lib.has(SEQ_HEADER);
}

/** Typed arrays become compile-time arrays, or the constant tensor they view. */
function toParams(ctx: LowerCtx, params: CKernelParams['params']): Record<string, ParamValue> {
  const constInputs = ctx.w.op.inputs.filter((i) => i >= 0 && ctx.isConst(i));
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'number') {
      out[k] = v;
      continue;
    }
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const same = constInputs.find((id) => {
      const d = constData(ctx.m, id)!;
      return d.byteLength === bytes.byteLength && d.buffer === bytes.buffer && d.byteOffset === bytes.byteOffset;
    });
    if (same !== undefined) {
      out[k] = { tensor: same };
    } else {
      const ctype = v instanceof Int8Array ? 'int8_t' : v instanceof Int16Array ? 'int16_t' : 'int32_t';
      out[k] = { array: { ctype, data: v, what: k } };
    }
  }
  return out;
}

function seqCall(ctx: LowerCtx, c: CKernelParams, paramsType: string, source: string, macs: number): KernelCall {
  const args = [
    ...ctx.w.op.inputs.filter((i) => i >= 0 && !ctx.isConst(i)).map((i) => ctx.arg(i, !ctx.tensor(i).isVariable)),
    ...ctx.w.op.outputs.map((o) => ctx.arg(o, false)),
  ];
  return call(ctx, {
    kernel: c.kernel,
    paramsType,
    params: toParams(ctx, c.params),
    args,
    scratchBytes: 0,
    inPlaceOk: [],
    macs,
    sources: [source],
    headers: source === 'mlf_lstm.c' ? [HEADER, SEQ_HEADER, LSTM_TABLE_HEADER] : [HEADER, SEQ_HEADER],
  });
}

export function lowerSvdf(ctx: LowerCtx): KernelCall {
  if (!haveKernel('mlf_svdf.c')) throw ctx.fail('no portable kernel for SVDF yet');
  const c = ctx.params(svdfCParams);
  return seqCall(ctx, c, 'mlf_svdf_params', 'mlf_svdf.c', svdfMacs(ctx.params(svdfParams)));
}

export function lowerLstm(ctx: LowerCtx): KernelCall {
  if (!haveKernel('mlf_lstm.c')) throw ctx.fail('no portable kernel for UNIDIRECTIONAL_SEQUENCE_LSTM yet');
  const c = ctx.params(lstmCParams);
  return seqCall(ctx, c, 'mlf_lstm_params', 'mlf_lstm.c', lstmMacs(ctx.params(lstmParams)));
}

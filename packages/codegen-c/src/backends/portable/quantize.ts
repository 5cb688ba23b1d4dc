/** QUANTIZE between integer types (TFLite's Requantize). */
import { DTYPE_BYTES, isKind, quantizeParams } from '@mliflow/ir';
import { TYPE_SUFFIX, type KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../lower-ctx.js';
import { call } from './common.js';

const PAIRS = new Set(['s8_s8', 's8_s16', 's8_s32', 's16_s8', 's16_s16', 's16_s32', 's32_s8', 's32_s16']);

export function lowerQuantize(ctx: LowerCtx): KernelCall {
  const op = ctx.w.op;
  if (!isKind(op, 'quantize')) throw ctx.fail('not QUANTIZE');
  const inId = ctx.input(0);
  const outId = ctx.output(0);
  const di = ctx.dtype(inId);
  const dout = ctx.dtype(outId);
  if (di === 'float32') throw ctx.fail('float-to-integer QUANTIZE needs float input; the C backend runs integer models only');
  const pair = `${TYPE_SUFFIX[di] ?? di}_${TYPE_SUFFIX[dout] ?? dout}`;
  if (!PAIRS.has(pair)) throw ctx.fail(`QUANTIZE from ${di} to ${dout} is not supported`);
  const p = ctx.params(quantizeParams);
  return call(ctx, {
    kernel: `mlf_requant_${pair}`,
    paramsType: 'mlf_requant_params',
    params: { size: p.size, in_zp: p.inputZeroPoint, out_zp: p.outputZeroPoint, mult: p.multiplier, shift: p.shift },
    args: [ctx.arg(inId, true), ctx.arg(outId, false)],
    scratchBytes: 0,
    // Element i is read before byte i of a narrower-or-equal output is written.
    inPlaceOk: DTYPE_BYTES[dout] <= DTYPE_BYTES[di] ? [{ output: outId, input: inId }] : [],
    macs: 0,
    sources: ['mlf_quantize.c'],
  });
}

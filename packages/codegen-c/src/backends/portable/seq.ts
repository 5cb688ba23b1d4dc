/**
 * SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM. Their C kernels (mlf_svdf.c, mlf_lstm.c,
 * mlf_seq.h) and the TypeScript that computes their constants are written separately;
 * until both exist these ops fail with a clear error instead of producing C.
 */
import type { KernelCall } from '../../lir.js';
import type { LowerCtx } from '../../passes/lower.js';

export function lowerSvdf(ctx: LowerCtx): KernelCall {
  throw ctx.fail('no portable kernel for SVDF yet');
}

export function lowerLstm(ctx: LowerCtx): KernelCall {
  throw ctx.fail('no portable kernel for UNIDIRECTIONAL_SEQUENCE_LSTM yet');
}

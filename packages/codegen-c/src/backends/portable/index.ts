/** The portable backend: C99 kernels in kernels/portable, one lowering per op kind. */
import type { LoweringTable } from '../../lower-ctx.js';
import { lowerConv } from './conv.js';
import { lowerAdd, lowerReshapeCopy } from './eltwise.js';
import { lowerFullyConnected } from './fc.js';
import { lowerPool } from './pool.js';
import { lowerQuantize } from './quantize.js';
import { lowerMean, lowerSoftmax } from './reduce.js';
import { lowerLstm, lowerSvdf } from './seq.js';
import { lowerPad, lowerTranspose } from './shape.js';

export const PORTABLE: LoweringTable = {
  conv_2d: lowerConv,
  depthwise_conv_2d: lowerConv,
  fully_connected: lowerFullyConnected,
  average_pool_2d: lowerPool,
  max_pool_2d: lowerPool,
  add: lowerAdd,
  pad: lowerPad,
  transpose: lowerTranspose,
  mean: lowerMean,
  softmax: lowerSoftmax,
  quantize: lowerQuantize,
  reshape: lowerReshapeCopy,
  svdf: lowerSvdf,
  unidirectional_sequence_lstm: lowerLstm,
};

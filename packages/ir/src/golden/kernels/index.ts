/** Operator kind to golden kernel: one file per operator, TFLite Micro's reference arithmetic. */
import { add } from './add.js';
import { averagePool2d } from './average-pool-2d.js';
import { maxPool2d } from './max-pool-2d.js';
import { conv2d } from './conv-2d.js';
import { depthwiseConv2d } from './depthwise-conv-2d.js';
import { fullyConnected } from './fully-connected.js';
import { reshape } from './reshape.js';
import { softmax } from './softmax.js';
import { svdf } from './svdf.js';
import { pad } from './pad.js';
import { transpose } from './transpose.js';
import { mean } from './mean.js';
import { unidirectionalSequenceLstm } from './unidirectional-sequence-lstm.js';
import { quantize } from './quantize.js';
import { dequantize } from './dequantize.js';
import { relu } from './relu.js';
import { relu6 } from './relu6.js';
import type { KernelTable } from '../kernel.js';

export const KERNELS: KernelTable = {
  add: add,
  average_pool_2d: averagePool2d,
  max_pool_2d: maxPool2d,
  conv_2d: conv2d,
  depthwise_conv_2d: depthwiseConv2d,
  fully_connected: fullyConnected,
  reshape: reshape,
  softmax: softmax,
  svdf: svdf,
  pad: pad,
  transpose: transpose,
  mean: mean,
  unidirectional_sequence_lstm: unidirectionalSequenceLstm,
  quantize: quantize,
  dequantize: dequantize,
  relu: relu,
  relu6: relu6,
};

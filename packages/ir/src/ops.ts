/**
 * The closed set of operator kinds mliflow understands, each with typed attributes.
 * Input order follows TFLite's for the same builtin, so kernels index inputs the way
 * TFLite Micro's reference kernels do.
 */

export type Activation = 'none' | 'relu' | 'relu_n1_to_1' | 'relu6' | 'tanh' | 'sign_bit';
export type Padding = 'same' | 'valid';

export interface ConvAttrs {
  padding: Padding;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  activation: Activation;
}
export interface DepthwiseAttrs extends ConvAttrs {
  depthMultiplier: number;
}
export interface PoolAttrs {
  padding: Padding;
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  activation: Activation;
}

export interface OpAttrs {
  add: { activation: Activation; potScaleInt16: boolean };
  average_pool_2d: PoolAttrs;
  max_pool_2d: PoolAttrs;
  conv_2d: ConvAttrs;
  depthwise_conv_2d: DepthwiseAttrs;
  fully_connected: { activation: Activation; keepNumDims: boolean; asymmetricQuantizeInputs: boolean };
  reshape: { newShape: number[] | null };
  softmax: { beta: number };
  svdf: { rank: number; activation: Activation; asymmetricQuantizeInputs: boolean };
  pad: Record<string, never>;
  transpose: Record<string, never>;
  mean: { keepDims: boolean };
  unidirectional_sequence_lstm: {
    activation: Activation;
    cellClip: number;
    projClip: number;
    timeMajor: boolean;
    asymmetricQuantizeInputs: boolean;
    diagonalRecurrentTensors: boolean;
  };
  quantize: Record<string, never>;
  dequantize: Record<string, never>;
  relu: Record<string, never>;
  relu6: Record<string, never>;
}

export type OpKind = keyof OpAttrs;

export interface Op<K extends OpKind = OpKind> {
  kind: K;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  attrs: OpAttrs[K];
  /** TFLite's internal tensors of the op (LSTM keeps gate scales there). */
  intermediates: number[];
  /** The operator code's version in the file, kept for writing back. */
  version: number;
}

/** Narrow an op to a kind with its attribute type. */
export function isKind<K extends OpKind>(op: Op, kind: K): op is Op<K> {
  return op.kind === kind;
}

export function opLabel(index: number, op: Op): string {
  return `operator #${index} (${op.kind.toUpperCase()})`;
}

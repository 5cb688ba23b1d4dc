/**
 * The part of TFLite's schema.fbs that mliflow reads and writes, stated once as data so
 * that the reader and the writer cannot disagree: field ids, enum values, option tables.
 */
import type { DType } from '../graph.js';
import type { Activation, OpKind, Padding } from '../ops.js';

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;
/** Buffer.data is declared `force_align: 16`. */
export const BUFFER_DATA_ALIGN = 16;
/** OperatorCode.deprecated_builtin_code is a byte; codes above this one store this value there. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** Field ids (declaration order in schema.fbs). */
export const F = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata_buffer: 5, metadata: 6, signature_defs: 7 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5, sparsity: 6, shape_signature: 7, has_rank: 8, variant_tensors: 9, external_buffer: 10 },
  Quantization: { min: 0, max: 1, scale: 2, zero_point: 3, details_type: 4, details: 5, quantized_dimension: 6 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4, custom_options: 5, custom_options_format: 6, mutating_variable_inputs: 7, intermediates: 8, large_custom_options_offset: 9, large_custom_options_size: 10, builtin_options_2_type: 11, builtin_options_2: 12 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Metadata: { name: 0, buffer: 1 },
} as const;

/** TensorType enum values and the dtypes mliflow maps them to. */
export const TENSOR_TYPES: Record<number, DType> = {
  0: 'float32',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  6: 'bool',
  7: 'int16',
  9: 'int8',
};
export const TENSOR_TYPE_NAMES: Record<number, string> = {
  0: 'FLOAT32', 1: 'FLOAT16', 2: 'INT32', 3: 'UINT8', 4: 'INT64', 5: 'STRING', 6: 'BOOL', 7: 'INT16',
  8: 'COMPLEX64', 9: 'INT8', 10: 'FLOAT64', 11: 'COMPLEX128', 12: 'UINT64', 13: 'RESOURCE', 14: 'VARIANT',
  15: 'UINT32', 16: 'UINT16', 17: 'INT4', 18: 'BFLOAT16', 19: 'INT2', 20: 'UINT4',
};
export function tensorTypeCode(d: DType): number {
  for (const [code, name] of Object.entries(TENSOR_TYPES)) if (name === d) return Number(code);
  throw new Error(`no TensorType for ${d}`);
}

export const PADDINGS: Padding[] = ['same', 'valid'];
export const ACTIVATIONS: Activation[] = ['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit'];

/** Builtin operator names by code, for messages about operators mliflow does not support. */
export const BUILTIN_NAMES: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 5: 'DEPTH_TO_SPACE',
  6: 'DEQUANTIZE', 7: 'EMBEDDING_LOOKUP', 8: 'FLOOR', 9: 'FULLY_CONNECTED', 10: 'HASHTABLE_LOOKUP',
  11: 'L2_NORMALIZATION', 12: 'L2_POOL_2D', 13: 'LOCAL_RESPONSE_NORMALIZATION', 14: 'LOGISTIC',
  15: 'LSH_PROJECTION', 16: 'LSTM', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 20: 'RELU_N1_TO_1', 21: 'RELU6',
  22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 24: 'RNN', 25: 'SOFTMAX', 26: 'SPACE_TO_DEPTH', 27: 'SVDF', 28: 'TANH',
  29: 'CONCAT_EMBEDDINGS', 30: 'SKIP_GRAM', 31: 'CALL', 32: 'CUSTOM', 33: 'EMBEDDING_LOOKUP_SPARSE', 34: 'PAD',
  35: 'UNIDIRECTIONAL_SEQUENCE_RNN', 36: 'GATHER', 37: 'BATCH_TO_SPACE_ND', 38: 'SPACE_TO_BATCH_ND',
  39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 42: 'DIV', 43: 'SQUEEZE', 44: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  45: 'STRIDED_SLICE', 46: 'BIDIRECTIONAL_SEQUENCE_RNN', 47: 'EXP', 48: 'TOPK_V2', 49: 'SPLIT',
  50: 'LOG_SOFTMAX', 51: 'DELEGATE', 52: 'BIDIRECTIONAL_SEQUENCE_LSTM', 53: 'CAST', 54: 'PRELU',
  55: 'MAXIMUM', 56: 'ARG_MAX', 57: 'MINIMUM', 58: 'LESS', 59: 'NEG', 60: 'PADV2', 61: 'GREATER',
  62: 'GREATER_EQUAL', 63: 'LESS_EQUAL', 64: 'SELECT', 65: 'SLICE', 66: 'SIN', 67: 'TRANSPOSE_CONV',
  68: 'SPARSE_TO_DENSE', 69: 'TILE', 70: 'EXPAND_DIMS', 71: 'EQUAL', 72: 'NOT_EQUAL', 73: 'LOG', 74: 'SUM',
  75: 'SQRT', 76: 'RSQRT', 77: 'SHAPE', 78: 'POW', 79: 'ARG_MIN', 80: 'FAKE_QUANT', 81: 'REDUCE_PROD',
  82: 'REDUCE_MAX', 83: 'PACK', 84: 'LOGICAL_OR', 85: 'ONE_HOT', 86: 'LOGICAL_AND', 87: 'LOGICAL_NOT',
  88: 'UNPACK', 89: 'REDUCE_MIN', 90: 'FLOOR_DIV', 91: 'REDUCE_ANY', 92: 'SQUARE', 93: 'ZEROS_LIKE',
  94: 'FILL', 95: 'FLOOR_MOD', 96: 'RANGE', 97: 'RESIZE_NEAREST_NEIGHBOR', 98: 'LEAKY_RELU',
  99: 'SQUARED_DIFFERENCE', 100: 'MIRROR_PAD', 101: 'ABS', 102: 'SPLIT_V', 103: 'UNIQUE', 104: 'CEIL',
  105: 'REVERSE_V2', 106: 'ADD_N', 107: 'GATHER_ND', 108: 'COS', 109: 'WHERE', 110: 'RANK', 111: 'ELU',
  112: 'REVERSE_SEQUENCE', 113: 'MATRIX_DIAG', 114: 'QUANTIZE', 115: 'MATRIX_SET_DIAG', 116: 'ROUND',
  117: 'HARD_SWISH', 118: 'IF', 119: 'WHILE', 120: 'NON_MAX_SUPPRESSION_V4', 121: 'NON_MAX_SUPPRESSION_V5',
  122: 'SCATTER_ND', 123: 'SELECT_V2', 124: 'DENSIFY', 125: 'SEGMENT_SUM', 126: 'BATCH_MATMUL',
  128: 'CUMSUM', 129: 'CALL_ONCE', 130: 'BROADCAST_TO', 131: 'RFFT2D', 132: 'CONV_3D', 150: 'GELU',
};

/** Builtins that call other subgraphs. */
export const CONTROL_FLOW_BUILTINS = new Set([31, 118, 119, 129]);

export type FieldType = 'int32' | 'float32' | 'bool' | 'padding' | 'activation' | 'int32[]' | 'uint8';

export interface FieldSpec {
  /** The IR attribute name. */
  attr: string;
  /** The field id in the options table. */
  id: number;
  type: FieldType;
  /** The schema default, which a writer may omit. */
  dflt: number | boolean | string | null;
}

export interface OpSpec {
  kind: OpKind;
  builtin: number;
  /** BuiltinOptions union tag; 0 when the op has no options table. */
  optionsType: number;
  fields: FieldSpec[];
}

const f = (attr: string, id: number, type: FieldType, dflt: FieldSpec['dflt']): FieldSpec => ({ attr, id, type, dflt });

const CONV_FIELDS = [
  f('padding', 0, 'padding', 'same'),
  f('strideW', 1, 'int32', 0),
  f('strideH', 2, 'int32', 0),
  f('activation', 3, 'activation', 'none'),
  f('dilationW', 4, 'int32', 1),
  f('dilationH', 5, 'int32', 1),
];
const POOL_FIELDS = [
  f('padding', 0, 'padding', 'same'),
  f('strideW', 1, 'int32', 0),
  f('strideH', 2, 'int32', 0),
  f('filterW', 3, 'int32', 0),
  f('filterH', 4, 'int32', 0),
  f('activation', 5, 'activation', 'none'),
];

/** BuiltinOptions union tags are 1-based positions in the union's declaration. */
export const OP_SPECS: OpSpec[] = [
  { kind: 'add', builtin: 0, optionsType: 11, fields: [f('activation', 0, 'activation', 'none'), f('potScaleInt16', 1, 'bool', true)] },
  { kind: 'average_pool_2d', builtin: 1, optionsType: 5, fields: POOL_FIELDS },
  { kind: 'conv_2d', builtin: 3, optionsType: 1, fields: CONV_FIELDS },
  {
    kind: 'depthwise_conv_2d',
    builtin: 4,
    optionsType: 2,
    fields: [
      f('padding', 0, 'padding', 'same'),
      f('strideW', 1, 'int32', 0),
      f('strideH', 2, 'int32', 0),
      f('depthMultiplier', 3, 'int32', 0),
      f('activation', 4, 'activation', 'none'),
      f('dilationW', 5, 'int32', 1),
      f('dilationH', 6, 'int32', 1),
    ],
  },
  { kind: 'dequantize', builtin: 6, optionsType: 38, fields: [] },
  {
    kind: 'fully_connected',
    builtin: 9,
    optionsType: 8,
    fields: [f('activation', 0, 'activation', 'none'), f('keepNumDims', 2, 'bool', false), f('asymmetricQuantizeInputs', 3, 'bool', false)],
  },
  { kind: 'max_pool_2d', builtin: 17, optionsType: 5, fields: POOL_FIELDS },
  { kind: 'relu', builtin: 19, optionsType: 0, fields: [] },
  { kind: 'relu6', builtin: 21, optionsType: 0, fields: [] },
  { kind: 'reshape', builtin: 22, optionsType: 17, fields: [f('newShape', 0, 'int32[]', null)] },
  { kind: 'softmax', builtin: 25, optionsType: 9, fields: [f('beta', 0, 'float32', 0)] },
  {
    kind: 'svdf',
    builtin: 27,
    optionsType: 6,
    fields: [f('rank', 0, 'int32', 0), f('activation', 1, 'activation', 'none'), f('asymmetricQuantizeInputs', 2, 'bool', false)],
  },
  { kind: 'pad', builtin: 34, optionsType: 22, fields: [] },
  { kind: 'transpose', builtin: 39, optionsType: 26, fields: [] },
  { kind: 'mean', builtin: 40, optionsType: 27, fields: [f('keepDims', 0, 'bool', false)] },
  {
    kind: 'unidirectional_sequence_lstm',
    builtin: 44,
    optionsType: 71,
    fields: [
      f('activation', 0, 'activation', 'none'),
      f('cellClip', 1, 'float32', 0),
      f('projClip', 2, 'float32', 0),
      f('timeMajor', 3, 'bool', false),
      f('asymmetricQuantizeInputs', 4, 'bool', false),
      f('diagonalRecurrentTensors', 5, 'bool', false),
    ],
  },
  { kind: 'quantize', builtin: 114, optionsType: 89, fields: [] },
];

export const SPEC_BY_BUILTIN = new Map(OP_SPECS.map((s) => [s.builtin, s]));
export const SPEC_BY_KIND = new Map(OP_SPECS.map((s) => [s.kind, s]));

/** The lowered form: one kernel call per operator, all constants computed. */
import type { DType, OpKind } from '@mliflow/ir';

export type Backend = 'portable' | 'mli';

export type CType = 'int8_t' | 'uint8_t' | 'int16_t' | 'int32_t';

export interface ConstArray {
  ctype: CType;
  data: ArrayLike<number>;
  /** What the array holds, for the comment above it. */
  what: string;
}

/**
 * A field of a params struct: an integer, a fixed-size inline array, a pointer to a
 * compile-time array, or a pointer to a constant tensor's data.
 */
export type ParamValue = number | number[] | { array: ConstArray } | { tensor: number };

export interface KernelArg {
  tensor: number;
  ctype: CType;
  /** Read-only for the kernel. */
  readonly: boolean;
}

export interface KernelCall {
  /** Index of the operator in the original graph. */
  index: number;
  kind: OpKind;
  backend: Backend;
  /** The C function called. */
  kernel: string;
  paramsType: string;
  params: Record<string, ParamValue>;
  /** Tensor arguments after the params pointer, in the kernel's order. */
  args: KernelArg[];
  /** Bytes of scratch the kernel needs during the call (passed last). */
  scratchBytes: number;
  /** (output, input) pairs the kernel can run in place (same start offset). */
  inPlaceOk: { output: number; input: number }[];
  /**
   * The output may overlap the input when it starts `delta` bytes before it (delta may
   * be negative): the kernel reads every input byte before any write reaches it.
   */
  slide?: { output: number; input: number; delta: number };
  macs: number;
  /** Kernel source files (in kernels/<backend>/) the call needs. */
  sources: string[];
  /** Headers model.c must include for this kernel. */
  headers: string[];
  /**
   * An embARC MLI call: the kernel takes mli_tensor structs and a cfg struct instead of a
   * params struct (paramsType and params are then unused).
   */
  mli?: MliCall;
}

/** An sa8/sa32 quantization: one value per tensor (dim -1) or arrays along `dim`. */
export interface MliElParams {
  zeroPoint: number[];
  scale: number[];
  fracBits: number[];
  dim: number;
}

/** One mli_tensor the call passes; its data is an arena tensor or a constant array. */
export interface MliTensor {
  /** Short name for the C identifier: mlf_p<op>_<role>. */
  role: string;
  /** Graph tensor whose buffer it views (arena or state), or -1 for `data`. */
  tensor: number;
  /** Constant data laid out for MLI at compile time (weights in HWCN, biases). */
  data?: ConstArray;
  elType: 'MLI_EL_SA_8' | 'MLI_EL_SA_32';
  /** MLI's shape, outermost first, and the element strides for it (innermost 1). */
  shape: number[];
  memStride: number[];
  params: MliElParams;
  /** The kernel writes it (MLI fills in parts of an output tensor: not const). */
  output: boolean;
}

export interface MliCall {
  /** The cfg struct type and its fields, or null for kernels without one (eltwise). */
  cfgType: string | null;
  cfg: Record<string, number | string>;
  tensors: MliTensor[];
  /** The C arguments in order: a tensor role, or "cfg". */
  argOrder: string[];
  /** A table the kernel reads, made once at init by MLI's create function (argument "lut"). */
  lut?: MliLut;
  /** A second MLI call over the same tensors (a ReLU MLI's eltwise lacks), with its own cfg. */
  post?: { kernel: string; cfgType: string; cfg: Record<string, number | string>; argOrder: string[] };
}

export const CTYPE_OF: Partial<Record<DType, CType>> = {
  int8: 'int8_t',
  uint8: 'uint8_t',
  int16: 'int16_t',
  int32: 'int32_t',
};

export const TYPE_SUFFIX: Partial<Record<DType, string>> = { int8: 's8', int16: 's16', int32: 's32' };

/** An mli_lut made at init: `bytes` is MLI 2.0.2's size, checked against `size()` at run time. */
export interface MliLut {
  name: string;
  create: string;
  size: string;
  bytes: number;
}

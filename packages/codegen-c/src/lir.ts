/** The lowered form: one kernel call per operator, all constants computed. */
import type { DType, OpKind } from '@mliflow/ir';

export type Backend = 'portable';

export type CType = 'int8_t' | 'uint8_t' | 'int16_t' | 'int32_t' | 'int64_t';

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
}

export const CTYPE_OF: Partial<Record<DType, CType>> = {
  int8: 'int8_t',
  uint8: 'uint8_t',
  int16: 'int16_t',
  int32: 'int32_t',
};

export const TYPE_SUFFIX: Partial<Record<DType, string>> = { int8: 's8', int16: 's16', int32: 's32' };

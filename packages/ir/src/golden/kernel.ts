/** The contract between the golden executor and its kernels. */
import { UnsupportedError } from '../errors.js';
import type { Graph, Tensor } from '../graph.js';
import { opLabel, type Op, type OpKind } from '../ops.js';

export type TensorData = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | BigInt64Array;

/** One typed view per tensor id: constants over their data, activations over the arena. */
export type Buffers = TensorData[];

/** Runs one operator over the buffers; everything derivable from the graph is done before. */
export type Evaluate = (buffers: Buffers) => void;

export interface PrepareContext {
  graph: Graph;
  op: Op;
  index: number;
  /** Tensor `i` of the op's inputs; throws a clear error when absent and not optional. */
  input(i: number): Tensor;
  /** Like input(), but null for an omitted optional input (index -1 or past the end). */
  optionalInput(i: number): Tensor | null;
  output(i: number): Tensor;
  /** An error naming this operator. */
  unsupported(what: string): UnsupportedError;
}

export interface Kernel {
  /** TFLite Micro's Prepare: validate, derive multipliers; return the Eval closure. */
  prepare(ctx: PrepareContext): Evaluate;
  /** Multiply-accumulates of one invocation, for reports. */
  macs?(ctx: PrepareContext): number;
}

export function prepareContext(graph: Graph, op: Op, index: number): PrepareContext {
  const label = opLabel(index, op);
  const get = (ids: number[], i: number, what: string, optional: boolean): Tensor | null => {
    const id = i < ids.length ? ids[i] : -1;
    if (id === -1) {
      if (optional) return null;
      throw new UnsupportedError(`${label}: ${what} ${i} is missing`);
    }
    return graph.tensors[id];
  };
  return {
    graph,
    op,
    index,
    input: (i) => get(op.inputs, i, 'input', false)!,
    optionalInput: (i) => get(op.inputs, i, 'input', true),
    output: (i) => get(op.outputs, i, 'output', false)!,
    unsupported: (what) => new UnsupportedError(`${label}: ${what}`),
  };
}

export type KernelTable = Record<OpKind, Kernel>;

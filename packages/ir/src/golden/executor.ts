/**
 * The golden executor: a TypeScript integer interpreter with TFLite Micro's reference
 * semantics (`numerics: 'tflite'`). Its outputs are mliflow's ground truth. Another target
 * library's arithmetic comes in as a NumericsSpec that replaces the kernels of the operators
 * that library runs (the `mli` numerics live in @mliflow/requant).
 */
import { MliflowError, UsageError } from '../errors.js';
import { byteSize, elementCount, typedView, type Graph } from '../graph.js';
import { opLabel } from '../ops.js';
import { KERNELS } from './kernels/index.js';
import { prepareContext, type Buffers, type Evaluate, type Kernel, type TensorData } from './kernel.js';

/** Numerics other than TFLite's: per operator, a golden kernel, or null for TFLite's own. */
export interface NumericsSpec {
  /** For reports, e.g. "mli (round up, FULL_ACCU on)". */
  name: string;
  kernel(graph: Graph, opIndex: number): Kernel | null;
}

export type Numerics = 'tflite' | NumericsSpec;

export interface ExecutorOptions {
  numerics?: Numerics;
  /** Model file name for messages. */
  file?: string;
}

export interface OpTrace {
  index: number;
  kind: string;
  macs: number;
  /** Copies of the op's output tensors after it ran. */
  outputs: Uint8Array[];
}

export interface RunResult {
  outputs: Uint8Array[];
  trace?: OpTrace[];
}

export class GoldenExecutor {
  /** 'tflite', or the NumericsSpec's name. */
  readonly numerics: string;
  private readonly buffers: Buffers;
  private readonly bytes: Uint8Array[];
  private readonly evals: Evaluate[];
  readonly macs: number[];
  private readonly variables: number[];

  constructor(
    readonly graph: Graph,
    opts: ExecutorOptions = {},
  ) {
    const numerics = opts.numerics ?? 'tflite';
    if (typeof numerics === 'string' && numerics !== 'tflite') throw new UsageError(`unknown numerics "${numerics as string}"; the golden executor has 'tflite'`);
    const spec = typeof numerics === 'string' ? null : numerics;
    this.numerics = spec ? spec.name : 'tflite';
    const n = graph.tensors.length;
    this.buffers = new Array<TensorData>(n);
    this.bytes = new Array<Uint8Array>(n);
    this.variables = [];
    graph.tensors.forEach((t, i) => {
      const raw = t.data && !t.isVariable ? t.data : new Uint8Array(byteSize(t));
      if (t.isVariable && t.data) raw.set(t.data);
      this.bytes[i] = raw;
      this.buffers[i] = typedView(t.dtype, raw);
      if (t.isVariable) this.variables.push(i);
    });
    this.evals = [];
    this.macs = [];
    graph.ops.forEach((op, i) => {
      const ctx = prepareContext(graph, op, i);
      try {
        const kernel = spec?.kernel(graph, i) ?? KERNELS[op.kind];
        this.evals.push(kernel.prepare(ctx));
        this.macs.push(kernel.macs ? kernel.macs(ctx) : 0);
      } catch (e) {
        if (e instanceof MliflowError) {
          // Keep the error's class (UnsupportedError stays one); only name the file.
          if (opts.file && !e.message.startsWith(opts.file)) e.message = `${opts.file}: ${e.message}`;
          throw e;
        }
        throw new MliflowError(`${opts.file ? opts.file + ': ' : ''}${opLabel(i, op)}: ${(e as Error).message}`);
      }
    });
  }

  /** Byte sizes of one record of inputs and of outputs, in graph order. */
  get inputSizes(): number[] {
    return this.graph.inputs.map((i) => byteSize(this.graph.tensors[i]));
  }
  get outputSizes(): number[] {
    return this.graph.outputs.map((i) => byteSize(this.graph.tensors[i]));
  }

  /** Zero the LSTM/SVDF state, as TFLite Micro's ResetVariableTensors does. */
  resetState(): void {
    for (const v of this.variables) {
      const t = this.graph.tensors[v];
      if (t.data) this.bytes[v].set(t.data);
      else this.bytes[v].fill(0);
    }
  }

  /**
   * One inference. `inputs` holds each input tensor's raw little-endian bytes. `profile`,
   * one slot per operator, accumulates each operator's milliseconds.
   */
  run(inputs: Uint8Array[], opts: { trace?: boolean; profile?: Float64Array } = {}): RunResult {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) throw new UsageError(`the model has ${g.inputs.length} inputs, ${inputs.length} given`);
    g.inputs.forEach((id, k) => {
      const dst = this.bytes[id];
      if (inputs[k].length !== dst.length) {
        throw new UsageError(`input ${k} ("${g.tensors[id].name}") needs ${dst.length} bytes, ${inputs[k].length} given`);
      }
      dst.set(inputs[k]);
    });
    const trace: OpTrace[] | undefined = opts.trace ? [] : undefined;
    const profile = opts.profile;
    for (let i = 0; i < this.evals.length; i++) {
      if (profile) {
        const t0 = performance.now();
        this.evals[i](this.buffers);
        profile[i] += performance.now() - t0;
      } else {
        this.evals[i](this.buffers);
      }
      if (trace) {
        const op = g.ops[i];
        trace.push({ index: i, kind: op.kind, macs: this.macs[i], outputs: op.outputs.map((o) => this.bytes[o].slice()) });
      }
    }
    const outputs = g.outputs.map((id) => this.bytes[id].slice());
    return trace ? { outputs, trace } : { outputs };
  }

  /**
   * Run every record of a vectors file: a record is all inputs' bytes in input order.
   * State is reset before each record so that records are independent.
   */
  runRecords(records: Uint8Array, opts: { count?: number; onRecord?: (i: number, n: number) => void } = {}): Uint8Array {
    const inSizes = this.inputSizes;
    const recIn = inSizes.reduce((a, b) => a + b, 0);
    if (recIn === 0 || records.length % recIn !== 0) {
      throw new UsageError(`inputs are ${records.length} bytes, not a whole number of ${recIn}-byte records`);
    }
    let n = records.length / recIn;
    if (opts.count !== undefined) {
      if (opts.count > n) throw new UsageError(`--count ${opts.count} asks for more records than the ${n} in the inputs`);
      n = opts.count;
    }
    const outSizes = this.outputSizes;
    const recOut = outSizes.reduce((a, b) => a + b, 0);
    const out = new Uint8Array(n * recOut);
    for (let r = 0; r < n; r++) {
      let off = r * recIn;
      const ins = inSizes.map((s) => {
        const b = records.subarray(off, off + s);
        off += s;
        return b;
      });
      this.resetState();
      const res = this.run(ins);
      let o = r * recOut;
      for (const b of res.outputs) {
        out.set(b, o);
        o += b.length;
      }
      opts.onRecord?.(r + 1, n);
    }
    return out;
  }
}

export function totalMacs(ex: GoldenExecutor): number {
  return ex.macs.reduce((a, b) => a + b, 0);
}

export { elementCount };

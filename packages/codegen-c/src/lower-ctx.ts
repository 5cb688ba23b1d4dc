/** What a lowering function sees of its operator; backends depend on this module only. */
import {
  MliflowError,
  UnsupportedError,
  byteSize,
  typedView,
  type DType,
  type Graph,
  type Op,
  type OpKind,
  type Tensor,
} from '@mliflow/ir';
import { CTYPE_OF, type Backend, type KernelArg, type KernelCall } from './lir.js';
import { constData, constGraph, unsupported, type Module, type WorkOp } from './module.js';

export type Lowerer = (ctx: LowerCtx) => KernelCall;
export type LoweringTable = Partial<Record<OpKind, Lowerer>>;

/** What a lowering function sees of its operator. */
export class LowerCtx {
  constructor(
    readonly m: Module,
    readonly w: WorkOp,
    readonly backend: Backend,
    /** The module's graph with folded constants attached (constGraph). */
    readonly graph: Graph = constGraph(m),
  ) {}

  /**
   * An operator's parameters from @mliflow/ir (TFLite Micro's Prepare, shared with the
   * golden kernels), for `op` (this one by default); its errors name the file.
   */
  params<T>(f: (g: Graph, op: Op, index: number) => T, op: Op = this.w.op): T {
    try {
      return f(this.graph, op, this.w.index);
    } catch (e) {
      if (e instanceof MliflowError) {
        throw new UnsupportedError(e.message.startsWith(this.m.file) ? e.message : `${this.m.file}: ${e.message}`);
      }
      throw e;
    }
  }

  get kind(): OpKind {
    return this.w.op.kind;
  }

  fail(reason: string): UnsupportedError {
    return unsupported(this.m, this.w, reason);
  }

  tensor(id: number): Tensor {
    return this.m.graph.tensors[id];
  }

  /** Id of input i; throws when absent. */
  input(i: number): number {
    const id = this.w.op.inputs[i];
    if (id === undefined || id < 0) throw this.fail(`input ${i} is missing`);
    return id;
  }

  optionalInput(i: number): number {
    const id = this.w.op.inputs[i];
    return id === undefined ? -1 : id;
  }

  output(i: number): number {
    const id = this.w.op.outputs[i];
    if (id === undefined || id < 0) throw this.fail(`output ${i} is missing`);
    return id;
  }

  dtype(id: number): DType {
    return this.tensor(id).dtype;
  }

  shape(id: number): number[] {
    return this.tensor(id).shape;
  }

  bytes(id: number): number {
    return byteSize(this.tensor(id));
  }

  requireDtype(id: number, what: string, ...ok: DType[]): DType {
    const d = this.dtype(id);
    if (!ok.includes(d)) throw this.fail(`${what} is ${d}; the ${this.backend} kernel takes ${ok.join(' or ')}`);
    return d;
  }

  /** Constant data of a tensor as numbers. */
  constNumbers(id: number, what: string): number[] {
    const d = constData(this.m, id);
    if (!d) throw this.fail(`${what} must be constant`);
    const v = typedView(this.dtype(id), d) as ArrayLike<number | bigint>;
    return Array.from(v, Number);
  }

  /** `count`: the values the lowering reads; fewer would fold undefined into the tables. */
  constView(id: number, what: string, count?: number): ArrayLike<number> {
    const d = constData(this.m, id);
    if (!d) throw this.fail(`${what} must be constant`);
    const dt = this.dtype(id);
    if (dt === 'int64' || dt === 'float32' || dt === 'bool') throw this.fail(`${what} is ${dt}; expected an integer tensor`);
    const v = typedView(dt, d) as ArrayLike<number>;
    if (count !== undefined && v.length !== count) throw this.fail(`${what} (tensor ${id}) has ${v.length} values; the operator needs ${count}`);
    return v;
  }

  isConst(id: number): boolean {
    return constData(this.m, id) !== null;
  }

  arg(id: number, readonly: boolean): KernelArg {
    const ctype = CTYPE_OF[this.dtype(id)];
    if (!ctype) throw this.fail(`tensor ${id} is ${this.dtype(id)}, which the C backend has no type for`);
    return { tensor: id, ctype, readonly };
  }
}

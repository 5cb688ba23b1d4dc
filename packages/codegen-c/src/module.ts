/**
 * The code generator's working form of a graph. Passes never mutate the caller's Graph:
 * they rewrite `ops` (a list that refers to the original op indices) and record tensor
 * aliases and folded constants beside it.
 */
import { UnsupportedError, opLabel, type Graph, type Op, type Tensor } from '@mliflow/ir';
import type { MliOpPlan } from '@mliflow/requant';
import type { Backend } from './lir.js';

export interface PadFusion {
  /** Extra zero-point padding in front of H and W, from a folded PAD. */
  top: number;
  left: number;
  /** H and W of the padded tensor the conv's own padding was defined against. */
  paddedH: number;
  paddedW: number;
  /** Index of the PAD operator that was folded. */
  padOp: number;
}

export interface WorkOp {
  /** The operator's index in the original graph (for messages and reports). */
  index: number;
  op: Op;
  /** Set when a PAD feeding this conv/depthwise was folded into it. */
  padFusion?: PadFusion;
  /** Set by partition: the backend, and MLI's plan or why MLI does not run the operator. */
  backend?: Backend;
  mli?: { plan: MliOpPlan } | { plan?: undefined; reason: string };
}

export interface Module {
  graph: Graph;
  /** File name for messages. */
  file: string;
  ops: WorkOp[];
  /** tensor -> tensor whose storage it shares (same bytes, same offset). */
  alias: Map<number, number>;
  /** Constant data computed at compile time for tensors that were activations. */
  folded: Map<number, Uint8Array>;
  /** Names of the passes run, in order (reported in model.c). */
  passes: string[];
  /** Original op index -> why no kernel runs it (alias, constant, folded into another op). */
  removed: Map<number, string>;
}

export function newModule(graph: Graph, file: string): Module {
  return { graph, file, ops: graph.ops.map((op, index) => ({ index, op })), alias: new Map(), folded: new Map(), passes: [], removed: new Map() };
}

/** The tensor whose buffer `id` uses, following aliases. */
export function rootOf(m: Module, id: number): number {
  let r = id;
  for (let guard = 0; m.alias.has(r); guard++) {
    if (guard > m.graph.tensors.length) throw new Error(`alias cycle at tensor ${id}`);
    r = m.alias.get(r)!;
  }
  return r;
}

/** Constant data of a tensor: from the file or folded by a pass. */
export function constData(m: Module, id: number): Uint8Array | null {
  if (id < 0) return null;
  const t = m.graph.tensors[id];
  if (t.isVariable) return null;
  return t.data ?? m.folded.get(id) ?? null;
}

/** The graph with the constants passes computed attached as data, as @mliflow/ir reads them. */
export function constGraph(m: Module): Graph {
  if (m.folded.size === 0) return m.graph;
  const tensors = m.graph.tensors.map((t, id) => {
    const d = constData(m, id);
    return d && !t.data ? { ...t, data: d } : t;
  });
  return { ...m.graph, tensors };
}

export function isConst(m: Module, id: number): boolean {
  return constData(m, id) !== null;
}

export function tensor(m: Module, id: number): Tensor {
  return m.graph.tensors[id];
}

export function unsupported(m: Module, w: WorkOp, reason: string): UnsupportedError {
  return new UnsupportedError(`${m.file}: ${opLabel(w.index, w.op)}: ${reason}`);
}

/** Consumers of each tensor among the current ops (positions in m.ops). */
export function consumers(m: Module): Map<number, number[]> {
  const uses = new Map<number, number[]>();
  m.ops.forEach((w, pos) => {
    for (const t of w.op.inputs) {
      if (t < 0) continue;
      const r = rootOf(m, t);
      const l = uses.get(r);
      if (l) l.push(pos);
      else uses.set(r, [pos]);
    }
  });
  return uses;
}

export function isGraphOutput(m: Module, id: number): boolean {
  const r = rootOf(m, id);
  return m.graph.outputs.some((o) => rootOf(m, o) === r);
}

export function isGraphInput(m: Module, id: number): boolean {
  const r = rootOf(m, id);
  return m.graph.inputs.some((o) => rootOf(m, o) === r);
}

/**
 * canonicalize: remove work that needs no kernel.
 *  - constant subgraphs: an op whose inputs are all constant is evaluated now (with the
 *    golden executor) and its output becomes a constant;
 *  - reshapes (and squeeze-like reshapes) become aliases: the output shares the input's
 *    bytes, no copy;
 *  - DEQUANTIZE -> QUANTIZE pairs collapse to an alias (same quantization) or a single
 *    integer requantization; a QUANTIZE that changes nothing becomes an alias.
 */
import { GoldenExecutor, MliflowError, byteSize, opLabel, type Graph, type Op, type Quantization } from '@mliflow/ir';
import { consumers, constData, constGraph, isConst, isGraphOutput, rootOf, tensor, type Module, type WorkOp } from '../module.js';

export function canonicalize(m: Module): void {
  foldConstants(m);
  aliasReshapes(m);
  foldQuantizePairs(m);
  m.passes.push('canonicalize');
}

function foldConstants(m: Module): void {
  const keep: WorkOp[] = [];
  for (const w of m.ops) {
    const ins = w.op.inputs.filter((i) => i >= 0);
    const foldable =
      ins.length > 0 &&
      ins.every((i) => isConst(m, i)) &&
      w.op.outputs.every((o) => !tensor(m, o).isVariable && !isGraphOutput(m, o));
    if (foldable) {
      const out = evaluate(m, w);
      if (out) {
        w.op.outputs.forEach((o, k) => m.folded.set(o, out[k]));
        m.removed.set(w.index, 'constant, evaluated at compile time');
        continue;
      }
    }
    keep.push(w);
  }
  m.ops = keep;
}

/** Run one op on constant inputs; null when no evaluator handles it. */
function evaluate(m: Module, w: WorkOp): Uint8Array[] | null {
  if (w.op.kind === 'reshape') {
    const d = constData(m, w.op.inputs[0])!;
    return [d.slice()];
  }
  const g: Graph = { ...constGraph(m), ops: [w.op], inputs: [], outputs: w.op.outputs };
  try {
    const ex = new GoldenExecutor(g, { file: m.file });
    return ex.run([]).outputs;
  } catch (e) {
    if (e instanceof MliflowError) return null;
    throw e;
  }
}

function aliasReshapes(m: Module): void {
  m.ops = m.ops.filter((w) => {
    if (w.op.kind !== 'reshape') return true;
    const src = w.op.inputs[0];
    const dst = w.op.outputs[0];
    const a = tensor(m, src);
    const b = tensor(m, dst);
    if (a.isVariable || b.isVariable || a.dtype !== b.dtype || byteSize(a) !== byteSize(b)) return true;
    if (isConst(m, src)) return true; // folded above unless it is a graph output
    m.alias.set(dst, rootOf(m, src));
    m.removed.set(w.index, 'alias of its input');
    return false;
  });
}

function sameQuant(a: Quantization | null, b: Quantization | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.scale.length === b.scale.length &&
    a.scale.every((s, i) => s === b.scale[i]) &&
    a.zeroPoint.every((z, i) => z === b.zeroPoint[i])
  );
}

function foldQuantizePairs(m: Module): void {
  const uses = consumers(m);
  const producer = new Map<number, number>();
  m.ops.forEach((w, pos) => w.op.outputs.forEach((o) => producer.set(o, pos)));
  const drop = new Set<number>();
  m.ops.forEach((w, pos) => {
    if (w.op.kind !== 'quantize') return;
    const src = w.op.inputs[0];
    const p = producer.get(src);
    const pw = p === undefined ? undefined : m.ops[p];
    if (pw && pw.op.kind === 'dequantize' && (uses.get(rootOf(m, src)) ?? []).length === 1 && !isGraphOutput(m, src)) {
      // q -> float -> q': requantize q straight into q'.
      const orig = pw.op.inputs[0];
      drop.add(p!);
      m.removed.set(pw.index, `folded into ${opLabel(w.index, w.op)}`);
      const op: Op = { ...w.op, inputs: [orig] };
      m.ops[pos] = { index: w.index, op };
    }
    const cur = m.ops[pos].op;
    const a = tensor(m, cur.inputs[0]);
    const b = tensor(m, cur.outputs[0]);
    if (a.dtype === b.dtype && sameQuant(a.quant, b.quant) && !isConst(m, cur.inputs[0]) && !a.isVariable) {
      m.alias.set(cur.outputs[0], rootOf(m, cur.inputs[0]));
      m.removed.set(w.index, 'alias of its input (no change of type or scale)');
      drop.add(pos);
    }
  });
  m.ops = m.ops.filter((_, pos) => !drop.has(pos));
}

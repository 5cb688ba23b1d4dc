/**
 * emit: the lowered calls and the memory plan become a C project through the Nunjucks
 * templates in templates/c. Everything is ordered by tensor or operator index, so the
 * same input gives the same bytes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { UnsupportedError, byteSize, elementCount, typedView, type Tensor } from '@mliflow/ir';
import { CTYPE_OF, type ConstArray, type CType, type KernelCall, type ParamValue } from '../lir.js';
import { constData, rootOf, type Module } from '../module.js';
import { alignUp, type MemoryPlan } from '../passes/plan-memory.js';
import { arrayBody, cComment, cFloat, cInt, cString } from './c.js';
import type { TargetSpec } from '../target.js';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../../../templates/c/', import.meta.url));
export const KERNEL_DIR = fileURLToPath(new URL('../../kernels/', import.meta.url));

let env: nunjucks.Environment | null = null;
function templates(): nunjucks.Environment {
  env ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATE_DIR, { noCache: false }), {
    autoescape: false,
    trimBlocks: true,
    lstripBlocks: true,
    throwOnUndefined: true,
  });
  return env;
}

const kernelCache = new Map<string, Map<string, string>>();
/** The kernel library of a backend: file name -> text. */
export function kernelFiles(backend: string): Map<string, string> {
  let files = kernelCache.get(backend);
  if (!files) {
    files = new Map();
    const dir = `${KERNEL_DIR}${backend}/`;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.c') || f.endsWith('.h')) files.set(f, readFileSync(dir + f, 'utf8'));
    }
    kernelCache.set(backend, files);
  }
  return files;
}


interface WeightArray {
  name: string;
  ctype: CType;
  count: number;
  bytes: number;
  comment: string;
  body: string;
}

interface IoView {
  index: number;
  name: string;
  ctype: CType;
  dtype: string;
  shape: string;
  rank: number;
  dims: string;
  elements: number;
  bytes: number;
  scale: string;
  zeroPoint: number;
  offset: number;
}

export interface Emitted {
  files: Map<string, string>;
  weightsBytes: number;
  stateBytes: number;
  executable: string;
}

export function emitProject(m: Module, calls: KernelCall[], plan: MemoryPlan, target: TargetSpec, model: string): Emitted {
  const g = m.graph;
  const align = Math.max(1, target.alignment);
  const weights: WeightArray[] = [];
  const tensorArrays = new Map<number, string>();

  const addArray = (name: string, ctype: CType, data: ArrayLike<number>, comment: string): string => {
    const bytes = data.length * ctypeBytes(ctype);
    weights.push({ name, ctype, count: Math.max(data.length, 1), bytes, comment: cComment(comment), body: arrayBody(data.length ? data : [0]) });
    return name;
  };
  const tensorArray = (id: number): string => {
    let name = tensorArrays.get(id);
    if (name) return name;
    const t = g.tensors[id];
    const d = constData(m, id);
    const ctype = CTYPE_OF[t.dtype];
    if (!d || !ctype) throw new Error(`tensor ${id} has no constant integer data`);
    name = `mlf_t${id}`;
    tensorArrays.set(id, name);
    addArray(name, ctype, typedView(t.dtype, d) as ArrayLike<number>, `tensor ${id} "${t.name}" ${t.dtype} [${t.shape.join(', ')}]`);
    return name;
  };

  // State: variable tensors, each with its initial value (zero unless the file gives one).
  const stateOffsets = new Map<number, number>();
  const stateInit: { offset: number; bytes: number; array: string | null }[] = [];
  let stateBytes = 0;
  g.tensors.forEach((t, id) => {
    if (!t.isVariable) return;
    stateOffsets.set(id, stateBytes);
    let init: string | null = null;
    if (t.data && t.data.some((b) => b !== 0)) {
      init = addArray(`mlf_init_t${id}`, 'uint8_t', t.data, `initial value of state tensor ${id} "${t.name}"`);
    }
    stateInit.push({ offset: stateBytes, bytes: byteSize(t), array: init });
    stateBytes += alignUp(byteSize(t), align);
  });

  const tensorExpr = (id: number, ctype: CType, readonly: boolean): string => {
    const t = g.tensors[id];
    if (t.isVariable) return `MLF_S(${ctype}, ${stateOffsets.get(id)})`;
    if (constData(m, id)) {
      if (!readonly) throw new Error(`constant tensor ${id} written by a kernel`);
      return `(const ${ctype} *)${tensorArray(id)}`;
    }
    const off = plan.offsetOf.get(rootOf(m, id));
    if (off === undefined) throw new Error(`tensor ${id} has no arena buffer`);
    return `MLF_A(${ctype}, ${off})`;
  };

  const callViews = calls.map((c, pos) => {
    const fields = Object.keys(c.params)
      .sort()
      .map((k) => ({ name: k, value: paramExpr(m.file, c, k, c.params[k], addArray, tensorArray) }));
    const args = c.args.map((a) => tensorExpr(a.tensor, a.ctype, a.readonly));
    const sb = plan.scratch.get(pos);
    if (sb) args.push(`(void *)(mlf_arena + ${sb.offset})`);
    const tensorsText = c.args.map((a) => `${a.readonly ? 'in' : 'out'} t${a.tensor}`).join(', ');
    return {
      index: c.index,
      kind: c.kind.toUpperCase(),
      kernel: c.kernel,
      backend: c.backend,
      paramsType: c.paramsType,
      fields,
      args,
      inPlace: plan.inPlace.has(pos),
      macs: c.macs,
      tensorsText,
    };
  });

  const io = (ids: number[]): IoView[] =>
    ids.map((id, index) => {
      const t: Tensor = g.tensors[id];
      const ctype = CTYPE_OF[t.dtype];
      if (!ctype) throw new Error(`graph tensor ${id} is ${t.dtype}`);
      const off = plan.offsetOf.get(rootOf(m, id));
      if (off === undefined) throw new Error(`graph tensor ${id} has no arena buffer`);
      return {
        index,
        name: cComment(t.name),
        ctype,
        dtype: t.dtype,
        shape: t.shape.join(', '),
        rank: t.shape.length,
        dims: `{${t.shape.join(', ')}}`,
        elements: elementCount(t.shape),
        bytes: byteSize(t),
        scale: cFloat(t.quant?.scale[0] ?? 0),
        zeroPoint: t.quant?.zeroPoint[0] ?? 0,
        offset: off,
      };
    });

  const headers = [...new Set(calls.flatMap((c) => c.headers))].sort();
  const backends = [...new Set(calls.map((c) => c.backend))].sort();
  const lib = new Map<string, string>();
  for (const be of backends) for (const [f, text] of kernelFiles(be)) lib.set(f, text);
  const sources = [...new Set(calls.flatMap((c) => c.sources))].sort();
  const kernelHeaders = [...lib.keys()].filter((f) => f.endsWith('.h') && (f === 'mlf_kernels.h' || headers.includes(f))).sort();
  for (const s of sources) if (!lib.has(s)) throw new Error(`kernel source ${s} is missing from the library`);

  const bufferRows = [...plan.buffers]
    .sort((a, b) => a.offset - b.offset || a.first - b.first)
    .map((b) => {
      const what = b.scratchOf !== undefined ? `scratch of #${calls[b.scratchOf].index}` : b.roots.map((r) => `t${r}@+${b.rel.get(r)}`).join(' ');
      const ops = `#${calls[b.first]?.index ?? 0}-#${calls[b.last]?.index ?? 0}`;
      return { line: `${String(b.offset).padStart(10)} ${String(b.size).padStart(8)}  ${ops.padEnd(9)}  ${what}` };
    });

  const executable = target.hostMain ? 'build/model' : 'build/libmliflow_model.a';
  const view = {
    model: cComment(model),
    modelString: cString(model),
    target: cComment(target.name),
    alignment: align,
    arenaBytes: Math.max(plan.arenaBytes, align),
    arenaPeak: plan.arenaBytes,
    livenessBound: plan.livenessBound,
    strategy: plan.strategy,
    arenaSection: target.arenaSection ? cString(target.arenaSection) : null,
    weightsSection: target.weightsSection ? cString(target.weightsSection) : null,
    stateBytes,
    stateInit,
    inputs: io(g.inputs),
    outputs: io(g.outputs),
    calls: callViews,
    weights,
    headers: headers.filter((h) => h !== 'mlf_kernels.h'),
    passes: m.passes.join(', '),
    removed: [...m.removed]
      .sort((a, b) => a[0] - b[0])
      .map(([i, why]) => cComment(`#${i} ${g.ops[i].kind.toUpperCase()}: ${why}`)),
    buffers: bufferRows,
    cc: target.cc,
    cflags: target.cflags.join(' '),
    ldflags: target.ldflags.join(' '),
    hostMain: target.hostMain,
    executable,
    sources: [...sources, 'model.c', 'weights.c', ...(target.hostMain ? ['main.c'] : [])].sort(),
    kernelHeaders,
  };

  const env = templates();
  const files = new Map<string, string>();
  files.set('Makefile', env.render('Makefile.njk', view));
  files.set('model.h', env.render('model.h.njk', view));
  files.set('model.c', env.render('model.c.njk', view));
  files.set('weights.h', env.render('weights.h.njk', view));
  files.set('weights.c', env.render('weights.c.njk', view));
  if (target.hostMain) files.set('main.c', env.render('main_host.c.njk', view));
  for (const f of [...kernelHeaders, ...sources]) files.set(f, lib.get(f)!);
  const weightsBytes = weights.reduce((s, w) => s + w.bytes, 0);
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), weightsBytes, stateBytes, executable };
}

function ctypeBytes(c: CType): number {
  return c === 'int32_t' ? 4 : c === 'int16_t' ? 2 : 1;
}

function paramExpr(
  file: string,
  c: KernelCall,
  field: string,
  v: ParamValue,
  addArray: (name: string, ctype: CType, data: ArrayLike<number>, comment: string) => string,
  tensorArray: (id: number) => string,
): string {
  // Lowering checks what it computes; this names the operator if a value still escapes.
  const int = (n: number): string => {
    try {
      return cInt(n);
    } catch (e) {
      throw new UnsupportedError(`${file}: operator #${c.index} (${c.kind.toUpperCase()}): parameter ${field} is ${n}, not a 32-bit integer the C kernel can take`);
    }
  };
  if (typeof v === 'number') return int(v);
  if (Array.isArray(v)) return `{${v.map(int).join(', ')}}`;
  if ('tensor' in v) return tensorArray(v.tensor);
  const a: ConstArray = v.array;
  return addArray(`mlf_p${c.index}_${field}`, a.ctype, a.data, `operator #${c.index} ${c.kind.toUpperCase()}: ${a.what}`);
}

/**
 * @mliflow/codegen-c: a pre-quantized model becomes a self-contained C99 project
 * (constant weights, one static arena, no interpreter, no heap), bit-exact with
 * TensorFlow Lite Micro's reference kernels.
 *
 * Pipeline (each a small pass over the module, see src/passes):
 *   canonicalize -> partition (backend per operator) -> fuse-pad -> lower -> plan-memory -> emit
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError, byteSize, type Graph } from '@mliflow/ir';
import { emitProject } from './emit/project.js';
import { newModule, rootOf } from './module.js';
import { canonicalize } from './passes/canonicalize.js';
import { fusePad } from './passes/fuse-pad.js';
import { lower, partitioned } from './passes/lower.js';
import { partition, type KernelChoice } from './passes/partition.js';
import { isArenaTensor, planMemory } from './passes/plan-memory.js';
import type { TargetSpec } from './target.js';

export type { MliLibrary, TargetSpec } from './target.js';
export type { KernelChoice } from './passes/partition.js';

export interface CompileOptions {
  target: TargetSpec;
  /** portable (default); mli: MLI where its plan accepts the operator; mli-only: refusing is an error. */
  kernels?: KernelChoice;
  modelName?: string;
  /** Model file name, for messages. */
  file?: string;
}

export interface OperatorSummary {
  index: number;
  kind: string;
  kernel: string;
  backend: 'portable' | 'mli';
  /** With kernels mli: the MLI function, or why the operator stays portable (null otherwise). */
  mliFunction: string | null;
  reason: string | null;
  inPlace: boolean;
  macs: number;
}

export interface CompileSummary {
  model: string;
  target: string;
  arenaBytes: number;
  livenessBound: number;
  weightsBytes: number;
  operators: OperatorSummary[];
  tensors: { id: number; name: string; offset: number; size: number; firstOp: number; lastOp: number }[];
  executable: string;
}

export interface GeneratedProject {
  files: Map<string, string>;
  summary: CompileSummary;
}

/** A host build: gcc, the required warning flags, main.c. */
export function hostTarget(overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    name: 'host',
    alignment: 16,
    weightsSection: null,
    arenaSection: null,
    cc: 'gcc',
    cflags: ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2'],
    ldflags: [],
    hostMain: true,
    ...overrides,
  };
}

/** Compile a graph to a C project. Pure: reads only the package's templates and kernels. */
export function compileModel(g: Graph, opts: CompileOptions): GeneratedProject {
  const kernels = opts.kernels ?? 'portable';
  if (kernels !== 'portable' && kernels !== 'mli' && kernels !== 'mli-only') throw new UsageError(`unknown kernel set "${kernels as string}"`);
  const mli = opts.target.mli;
  if (kernels !== 'portable' && !mli) throw new UsageError(`kernels ${kernels} need an MLI library in the target (${opts.target.name})`);
  const file = opts.file ?? opts.modelName ?? 'model';
  const model = opts.modelName ?? (opts.file ? opts.file.replace(/^.*[\\/]/, '').replace(/\.tflite$/i, '') : g.subgraphName || 'model');
  const align = opts.target.alignment;
  if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0) {
    throw new Error(`target ${opts.target.name}: alignment ${align} is not a power of two`);
  }

  const m = newModule(g, file);
  canonicalize(m);
  partition(m, kernels, kernels === 'portable' || !mli ? null : { roundMode: mli.roundMode, fullAccu: mli.fullAccu });
  fusePad(m);
  const calls = lower(m, partitioned);
  const plan = planMemory(m, calls, align);
  const out = emitProject(m, calls, plan, opts.target, model);

  // Operators: every original op, including the ones passes removed.
  const byIndex = new Map(calls.map((c, pos) => [c.index, { c, pos }]));
  const work = new Map(m.ops.map((w) => [w.index, w]));
  const operators: OperatorSummary[] = g.ops.map((op, index) => {
    const hit = byIndex.get(index);
    if (hit) {
      const d = work.get(index)?.mli;
      return {
        index,
        kind: op.kind,
        kernel: hit.c.kernel,
        backend: hit.c.backend,
        mliFunction: d?.plan ? hit.c.kernel : null,
        reason: d && !d.plan ? d.reason : null,
        inPlace: plan.inPlace.has(hit.pos),
        macs: hit.c.macs,
      };
    }
    const why = m.removed.get(index) ?? 'removed';
    return { index, kind: op.kind, kernel: `none (${why})`, backend: 'portable', mliFunction: null, reason: null, inPlace: false, macs: 0 };
  });

  const opIndex = (pos: number): number => calls[pos]?.index ?? 0;
  const tensors = g.tensors
    .map((t, id) => ({ t, id }))
    .filter(({ id }) => isArenaTensor(m, id) && plan.offsetOf.has(rootOf(m, id)))
    .map(({ t, id }) => {
      const r = rootOf(m, id);
      const [f, l] = plan.lifetimes.get(r)!;
      return { id, name: t.name, offset: plan.offsetOf.get(r)!, size: byteSize(t), firstOp: opIndex(f), lastOp: opIndex(l) };
    });

  return {
    files: out.files,
    summary: {
      model,
      target: opts.target.name,
      arenaBytes: plan.arenaBytes,
      livenessBound: plan.livenessBound,
      weightsBytes: out.weightsBytes,
      operators,
      tensors,
      executable: out.executable,
    },
  };
}

/** Write the project's files under `dir`, creating directories. */
export function writeProject(p: GeneratedProject, dir: string): void {
  for (const [name, text] of p.files) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

export type { KernelCall } from './lir.js';
export { API_SYMBOLS } from './emit/project.js';

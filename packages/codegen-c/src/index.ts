/**
 * @mliflow/codegen-c: a pre-quantized model becomes a self-contained C99 project
 * (constant weights, one static arena, no interpreter, no heap), bit-exact with
 * TensorFlow Lite Micro's reference kernels.
 *
 * Pipeline (each a small pass over the module, see src/passes):
 *   canonicalize -> fuse-pad -> lower (backend per operator) -> plan-memory -> emit
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { byteSize, type Graph } from '@mliflow/ir';
import { emitProject } from './emit/project.js';
import { newModule, rootOf } from './module.js';
import { canonicalize } from './passes/canonicalize.js';
import { fusePad } from './passes/fuse-pad.js';
import { lower, portableOnly } from './passes/lower.js';
import { isArenaTensor, planMemory } from './passes/plan-memory.js';
import type { TargetSpec } from './target.js';

export type { MliLibrary, TargetSpec } from './target.js';

export interface CompileOptions {
  target: TargetSpec;
  kernels?: 'portable';
  modelName?: string;
  /** Model file name, for messages. */
  file?: string;
}

export interface OperatorSummary {
  index: number;
  kind: string;
  kernel: string;
  backend: 'portable';
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
  if (kernels !== 'portable') throw new Error(`unknown kernel set "${kernels as string}"`);
  const file = opts.file ?? opts.modelName ?? 'model';
  const model = opts.modelName ?? (opts.file ? opts.file.replace(/^.*[\\/]/, '').replace(/\.tflite$/i, '') : g.subgraphName || 'model');
  const align = opts.target.alignment;
  if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0) {
    throw new Error(`target ${opts.target.name}: alignment ${align} is not a power of two`);
  }

  const m = newModule(g, file);
  canonicalize(m);
  fusePad(m);
  const calls = lower(m, portableOnly);
  const plan = planMemory(m, calls, align);
  const out = emitProject(m, calls, plan, opts.target, model);

  // Operators: every original op, including the ones passes removed.
  const byIndex = new Map(calls.map((c, pos) => [c.index, { c, pos }]));
  const operators: OperatorSummary[] = g.ops.map((op, index) => {
    const hit = byIndex.get(index);
    if (hit) {
      return { index, kind: op.kind, kernel: hit.c.kernel, backend: hit.c.backend, inPlace: plan.inPlace.has(hit.pos), macs: hit.c.macs };
    }
    return { index, kind: op.kind, kernel: `none (${m.removed.get(index) ?? 'removed'})`, backend: 'portable', inPlace: false, macs: 0 };
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

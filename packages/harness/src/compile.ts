/** `mliflow compile`: model to C project for a board, with a size report on boards with a memory map. */
import { join, resolve } from 'node:path';
import { compileModel, writeProject, type CompileSummary } from '@mliflow/codegen-c';
import { MliflowError, UsageError, type Graph } from '@mliflow/ir';
import { loadBoard, type Board } from './boards/index.js';
import { formatBytes, formatCount, table } from './format.js';
import { formatSizeReport, sizeReport, type SizeReport } from './size-report.js';
import { writeFileArg } from './files.js';

export interface CompileResult {
  board: string;
  projectDir: string;
  summary: CompileSummary;
  compileMs: number;
  /** Boards with a memory map: the cross-compile and where every section lands. */
  sizeReport: SizeReport | null;
}

export function checkKernels(v: string | boolean | undefined): 'portable' {
  const k = (v as string | undefined) ?? 'portable';
  if (k !== 'portable') throw new UsageError(`--kernels ${k} is not available; available: portable (MLI comes next)`);
  return k;
}

export async function compileForBoard(
  g: Graph,
  file: string,
  board: Board,
  outDir: string,
  opts: { modelName?: string; log?: (line: string) => void } = {},
): Promise<CompileResult> {
  const t0 = performance.now();
  const project = compileModel(g, { target: board.target(), kernels: 'portable', file, modelName: opts.modelName });
  const compileMs = performance.now() - t0;
  const projectDir = resolve(outDir);
  try {
    writeProject(project, projectDir);
  } catch (e) {
    throw new MliflowError(`${projectDir}: cannot write the project (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let report: SizeReport | null = null;
  if (board.spec.memory.regions.length > 0) {
    opts.log?.(`cross-compiling the project with ${board.spec.toolchain.cc} for the size report`);
    report = await sizeReport(projectDir, { board });
    writeFileArg(join(projectDir, 'size-report.txt'), formatSizeReport(report) + '\n');
    writeFileArg(join(projectDir, 'size-report.json'), JSON.stringify(report, null, 1) + '\n');
  }
  return { board: board.name, projectDir, summary: project.summary, compileMs, sizeReport: report };
}

export function loadBoardArg(v: string | boolean | undefined): Board {
  if (typeof v !== 'string') throw new UsageError('--board is required (e.g. --board host)');
  return loadBoard(v);
}

export function formatCompileResult(r: CompileResult): string {
  const s = r.summary;
  const lines = [
    `${s.model} -> ${r.projectDir}  (board ${r.board}, compiled in ${r.compileMs.toFixed(0)} ms)`,
    `  arena ${formatBytes(s.arenaBytes)} (liveness bound, every live tensor apart: ${formatBytes(s.livenessBound)}), weights ${formatBytes(s.weightsBytes)}`,
    '',
    table(
      ['#', 'operator', 'kernel', 'backend', 'in place', 'MACs'],
      s.operators.map((o) => [String(o.index), o.kind, o.kernel, o.backend, o.inPlace ? 'yes' : '', formatCount(o.macs)]),
      ['r', 'l', 'l', 'l', 'l', 'r'],
    ),
  ];
  if (r.sizeReport) lines.push('', formatSizeReport(r.sizeReport));
  else lines.push('', `build: make -C ${r.projectDir}   (then ${join(r.projectDir, s.executable)} IN.bin OUT.bin)`);
  return lines.join('\n');
}

/** `mliflow compile`: model to C project for a board, with a size report on boards with a memory map. */
import { join, resolve } from 'node:path';
import { compileModel, writeProject, type CompileSummary, type KernelChoice, type MliLibrary } from '@mliflow/codegen-c';
import { MliflowError, UsageError, type Graph } from '@mliflow/ir';
import { loadBoard, type Board, type BoardSpec } from './boards/index.js';
import { formatBytes, formatCount, table } from './format.js';
import { formatSizeReport, sizeReport, type SizeReport } from './size-report.js';
import { makeDirs, writeFileArg } from './files.js';

/** Where compile put the weights or the arena: the first candidate of board.json whose region had room. */
export interface PlacementChoice {
  section: string;
  region: string;
  /** Planned bytes (summary.weightsBytes / arenaBytes). */
  bytes: number;
  fits: boolean;
  /** Every candidate in board.json's order, with the room its region had for this role. */
  candidates: { section: string; region: string; room: number }[];
}

export interface CompileResult {
  board: string;
  projectDir: string;
  summary: CompileSummary;
  compileMs: number;
  /** Boards with a memory map: the chosen weights and arena candidates (null when board.json names none). */
  placement: { arena: PlacementChoice | null; weights: PlacementChoice | null } | null;
  /** Boards with a memory map: the cross-compile and where every section lands. */
  sizeReport: SizeReport | null;
}

/**
 * Picks, for the arena then the weights, the first candidate whose region holds the planned
 * bytes: capacity (length - reserved) minus `others` (bytes that are not weights or arena,
 * known only after a size report) minus the role placed before it in the same region.
 * When no candidate has room the first is kept, so the size report shows the overflow.
 */
export function choosePlacements(
  spec: BoardSpec,
  summary: Pick<CompileSummary, 'arenaBytes' | 'weightsBytes'>,
  others: ReadonlyMap<string, number> = new Map(),
): NonNullable<CompileResult['placement']> {
  const taken = new Map(others);
  const align = (n: number): number => Math.ceil(n / spec.alignment) * spec.alignment;
  const pick = (role: 'arena' | 'weights', bytes: number): PlacementChoice | null => {
    const list = spec.memory.placement[role];
    if (list.length === 0) return null;
    const candidates = list.map((c) => {
      const r = spec.memory.regions.find((x) => x.name === c.region)!;
      return { ...c, room: r.length - r.reserved - (taken.get(c.region) ?? 0) };
    });
    const hit = candidates.find((c) => c.room >= bytes);
    const chosen = hit ?? candidates[0];
    taken.set(chosen.region, (taken.get(chosen.region) ?? 0) + align(bytes));
    return { section: chosen.section, region: chosen.region, bytes, fits: hit !== undefined, candidates };
  };
  const arena = pick('arena', summary.arenaBytes);
  const weights = pick('weights', summary.weightsBytes);
  return { arena, weights };
}

/** "arena 1.15 MiB -> PSRAM in .bss.mliflow_arena_psram (DCCM has 120.0 KiB)". */
export function formatPlacement(role: 'arena' | 'weights', p: PlacementChoice): string {
  const i = p.candidates.findIndex((c) => c.section === p.section);
  const room = (cs: PlacementChoice['candidates']): string => cs.map((c) => `${c.region} has ${formatBytes(Math.max(0, c.room))}`).join(', ');
  const head = `${role} ${formatBytes(p.bytes)} -> ${p.region} in ${p.section}`;
  if (!p.fits) return `${head}: no candidate region has room (${room(p.candidates)})`;
  return i > 0 ? `${head} (${room(p.candidates.slice(0, i))})` : head;
}

export async function compileForBoard(
  g: Graph,
  file: string,
  board: Board,
  outDir: string,
  opts: { modelName?: string; log?: (line: string) => void; kernels?: KernelChoice; mli?: MliLibrary } = {},
): Promise<CompileResult> {
  const spec = board.spec;
  const base = { ...board.target(), ...(opts.mli ? { mli: opts.mli } : {}) };
  const t0 = performance.now();
  const build = (p: CompileResult['placement']) =>
    compileModel(g, {
      target: { ...base, arenaSection: p?.arena?.section ?? base.arenaSection, weightsSection: p?.weights?.section ?? base.weightsSection },
      kernels: opts.kernels ?? 'portable',
      file,
      modelName: opts.modelName,
    });
  let project = build(null);
  const mapped = spec.memory.regions.length > 0;
  let placement = mapped ? choosePlacements(spec, project.summary) : null;
  // compileModel is pure and fast: generating again with other section names is cheap.
  const moved = (a: CompileResult['placement'], b: CompileResult['placement']): boolean =>
    a?.arena?.section !== b?.arena?.section || a?.weights?.section !== b?.weights?.section;
  if ([placement?.arena, placement?.weights].some((p) => p && p.section !== p.candidates[0].section)) project = build(placement);
  const compileMs = performance.now() - t0;
  const projectDir = resolve(outDir);
  const write = (): void => {
    makeDirs(projectDir);
    try {
      writeProject(project, projectDir);
    } catch (e) {
      throw new MliflowError(`${projectDir}: cannot write the project (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  };
  write();
  for (const role of ['arena', 'weights'] as const) {
    const p = placement?.[role];
    if (p && (p.candidates[0].section !== p.section || !p.fits)) opts.log?.(formatPlacement(role, p));
  }
  let report: SizeReport | null = null;
  if (mapped) {
    opts.log?.(`cross-compiling the project with ${spec.toolchain.cc} for the size report`);
    report = await sizeReport(projectDir, { board, mli: usesMli(project.summary) ? opts.mli : undefined });
    if (!report.fits) {
      // Code, data and bss are known now: with them counted, a later candidate may have room.
      const others = new Map(report.regions.map((r) => [r.name, r.used - r.weights - r.arena]));
      const again = choosePlacements(spec, project.summary, others);
      if (moved(placement, again) && [again.arena, again.weights].every((p) => !p || p.fits)) {
        placement = again;
        project = build(placement);
        write();
        for (const role of ['arena', 'weights'] as const) {
          const p = placement[role];
          if (p) opts.log?.(`with the code and data counted: ${formatPlacement(role, p)}`);
        }
        report = await sizeReport(projectDir, { board, mli: usesMli(project.summary) ? opts.mli : undefined });
      }
    }
    writeFileArg(join(projectDir, 'size-report.txt'), formatSizeReport(report) + '\n');
    writeFileArg(join(projectDir, 'size-report.json'), JSON.stringify(report, null, 1) + '\n');
  }
  return { board: board.name, projectDir, summary: project.summary, compileMs, placement, sizeReport: report };
}

function usesMli(s: CompileSummary): boolean {
  return s.operators.some((o) => o.backend === 'mli');
}

export function loadBoardArg(v: string | boolean | undefined): Board {
  if (typeof v !== 'string') throw new UsageError('--board is required (e.g. --board host)');
  return loadBoard(v);
}

export function formatCompileResult(r: CompileResult): string {
  const s = r.summary;
  const mliRun = s.operators.some((o) => o.backend === 'mli' || o.reason !== null);
  const lines = [
    `${s.model} -> ${r.projectDir}  (board ${r.board}, compiled in ${r.compileMs.toFixed(0)} ms)`,
    `  arena ${formatBytes(s.arenaBytes)} (liveness bound, every live tensor apart: ${formatBytes(s.livenessBound)}), weights ${formatBytes(s.weightsBytes)}`,
    ...(['arena', 'weights'] as const).flatMap((role) => {
      const p = r.placement?.[role];
      return p ? [`  ${formatPlacement(role, p)}`] : [];
    }),
    '',
    table(
      ['#', 'operator', 'kernel', 'backend', 'in place', 'MACs', ...(mliRun ? ['not on MLI because'] : [])],
      s.operators.map((o) => [String(o.index), o.kind, o.kernel, o.backend, o.inPlace ? 'yes' : '', formatCount(o.macs), ...(mliRun ? [o.reason ?? ''] : [])]),
      ['r', 'l', 'l', 'l', 'l', 'r', 'l'],
    ),
  ];
  if (r.sizeReport) lines.push('', formatSizeReport(r.sizeReport));
  else lines.push('', `build: make -C ${r.projectDir}   (then ${join(r.projectDir, s.executable)} IN.bin OUT.bin)`);
  return lines.join('\n');
}

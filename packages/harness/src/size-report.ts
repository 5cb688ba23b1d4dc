/**
 * Memory footprint of a generated project on a board with a memory map (the EMSDP): compiles
 * every C file with the board's cross compiler (warning-free: the board's flags carry -Werror),
 * reads the objects' sections with objdump, places each section in a region as board.json says,
 * and checks that every region has room.
 *
 *   sizeReport(projectDir, { board? = 'emsdp', objDir? }): Promise<SizeReport>   (for --json)
 *   formatSizeReport(report): string                                             (for people)
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { MliflowError } from '@mliflow/ir';
import { BuildError } from './boards/board.js';
import { makeDirs } from './files.js';
import { loadBoard } from './boards/load.js';
import type { Board, BoardSpec, SectionPlacement } from './boards/types.js';
import { API_SYMBOLS, type MliLibrary } from '@mliflow/codegen-c';
import { formatBytes, table } from './format.js';
import { compilerErrorExcerpt, requireTools, shellCommand } from './toolchain.js';

export type SectionKind = 'code' | 'rodata' | 'data' | 'bss';

export interface ObjSection {
  name: string;
  size: number;
  /** Alignment in bytes. */
  align: number;
  flags: string[];
}

export interface PlacedSection {
  /** Object file, relative to the project: "model.o". */
  object: string;
  name: string;
  size: number;
  align: number;
  kind: SectionKind;
  /** Region it goes to, or null when board.json places nothing of this kind. */
  region: string | null;
  role: 'weights' | 'arena' | null;
}

export interface RegionUsage {
  name: string;
  origin: number;
  length: number;
  reserved: number;
  reservedFor: string | null;
  /** length - reserved: what the generated code may use. */
  capacity: number;
  /** Bytes used, alignment padding included. */
  used: number;
  free: number;
  fits: boolean;
  byKind: Record<SectionKind, number>;
  weights: number;
  arena: number;
}

export interface SizeReport {
  board: string;
  cpu: string;
  compiler: { name: string; path: string; version: string | null };
  cflags: string[];
  projectDir: string;
  /** C files compiled, relative to the project. */
  files: string[];
  sections: PlacedSection[];
  regions: RegionUsage[];
  totals: Record<SectionKind, number>;
  weights: { section: string; region: string; bytes: number } | null;
  arena: { section: string; region: string; bytes: number } | null;
  /** Sections of a kind board.json places nowhere. */
  unplaced: PlacedSection[];
  overflows: { region: string; used: number; capacity: number; over: number }[];
  /** Symbols the objects use but none defines: the board's runtime must supply them (memcpy, ...). */
  externals: string[];
  fits: boolean;
}

export interface SizeReportOptions {
  /** A Board or a board name; default "emsdp". The board needs a memory map. */
  board?: Board | string;
  /** Keep the objects here instead of a temporary folder that is removed. */
  objDir?: string;
  /**
   * The project calls embARC MLI: compile against its headers, then partially link the
   * objects with its libmli.a, keeping what the model's API reaches (--gc-sections), so
   * that the report counts MLI's code and data too.
   */
  mli?: MliLibrary;
}

/** Parses `objdump -h -t` of one or more objects: sections with flags, defined and undefined symbols. */
export function parseObjdump(text: string): Map<string, { sections: ObjSection[]; defined: string[]; undefined: string[] }> {
  const files = new Map<string, { sections: ObjSection[]; defined: string[]; undefined: string[] }>();
  let cur: { sections: ObjSection[]; defined: string[]; undefined: string[] } | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const file = /^(.*):\s+file format\s+\S+/.exec(line);
    if (file) {
      cur = { sections: [], defined: [], undefined: [] };
      files.set(file[1], cur);
      continue;
    }
    if (!cur) continue;
    // "  7 .mli_model    00001000  00000000  00000000  000000e0  2**4" then the flags line
    // (ALLOC without CONTENTS is NOBITS: a .bss* section).
    const sec = /^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+2\*\*(\d+)\s*$/i.exec(line);
    if (sec) {
      const flags = (lines[i + 1] ?? '').split(',').map((f) => f.trim()).filter(Boolean);
      cur.sections.push({ name: sec[1], size: parseInt(sec[2], 16), align: 2 ** Number(sec[3]), flags });
      i++;
      continue;
    }
    // "00000000 g     O .mli_model\t0000012c w2" / "00000000         *UND*\t00000000 run"
    const sym = /^[0-9a-f]+ (.{7}) (\S+)\t[0-9a-f]+\s+(\S+)$/i.exec(line);
    if (sym) {
      const [, f, section, name] = sym;
      if (section === '*UND*') cur.undefined.push(name);
      else if (f[0] === 'g' || f[0] === 'u' || f[1] === 'w') cur.defined.push(name);
    }
  }
  return files;
}

/** Kind from ELF flags, not names: a const array in a custom section is rodata whatever it is called. */
export function sectionKind(flags: string[]): SectionKind | null {
  if (!flags.includes('ALLOC')) return null;
  if (flags.includes('CODE')) return 'code';
  if (!flags.includes('CONTENTS')) return 'bss';
  return flags.includes('READONLY') ? 'rodata' : 'data';
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/** The weights or arena candidate a section belongs to; -fdata-sections suffixes count as the same section. */
function candidateOf(spec: BoardSpec, role: 'weights' | 'arena', name: string): SectionPlacement | undefined {
  return spec.memory.placement[role].find((c) => name === c.section || name.startsWith(`${c.section}.`));
}

/**
 * Named sections first (weights, arena, rules in order), then by kind. Every weights/arena
 * candidate has its own section name, so whichever one compile chose lands in its own region.
 */
export function placeSection(spec: BoardSpec, name: string, kind: SectionKind): { region: string | null; role: 'weights' | 'arena' | null } {
  const p = spec.memory.placement;
  for (const role of ['weights', 'arena'] as const) {
    const c = candidateOf(spec, role, name);
    if (c) return { region: c.region, role };
  }
  const rule = p.sections.find((r) => globMatch(r.match, name));
  if (rule) return { region: rule.region, role: null };
  return { region: p[kind] ?? null, role: null };
}

function cFiles(dir: string, skip: Set<string>): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.startsWith('.') || skip.has(p)) continue;
    if (e.isDirectory()) out.push(...cFiles(p, skip));
    else if (e.isFile() && e.name.endsWith('.c')) out.push(p);
  }
  return out.sort();
}

function headerDirs(dir: string, skip: Set<string>): string[] {
  const out = new Set<string>([dir]);
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.name.startsWith('.') || skip.has(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.h')) out.add(d);
    }
  };
  walk(dir);
  return [...out];
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Compiles the project's C files for the board and reports its memory use per region. */
export async function sizeReport(projectDir: string, opts: SizeReportOptions = {}): Promise<SizeReport> {
  const board = typeof opts.board === 'object' ? opts.board : loadBoard(opts.board ?? 'emsdp');
  const spec = board.spec;
  if (spec.memory.regions.length === 0) {
    throw new MliflowError(`board "${spec.name}" has no memory map in its board.json, so there is nothing to report sizes against`);
  }
  const tools = await requireTools(spec, ['cc', 'objdump']);
  const dir = resolve(projectDir);
  if (!existsSync(dir)) throw new MliflowError(`${dir}: no such project folder`);
  // Objects kept inside the project must not be mistaken for its sources on a second run.
  const skip = new Set(opts.objDir ? [resolve(opts.objDir)] : []);
  const sources = cFiles(dir, skip);
  if (sources.length === 0) throw new MliflowError(`${dir}: no C files to compile`);
  const includes = [...headerDirs(dir, skip), ...(opts.mli ? [join(opts.mli.root, 'include')] : [])].flatMap((d) => ['-I', d]);
  const objDir = opts.objDir ? resolve(opts.objDir) : mkdtempSync(join(tmpdir(), 'mliflow-size-'));
  const cflags = spec.toolchain.cflags;
  try {
    const objects: string[] = [];
    const failures: { file: string; log: string; argv: string[] }[] = [];
    await pool(sources, availableParallelism(), async (src) => {
      const rel = relative(dir, src);
      const obj = join(objDir, rel.replace(/\.c$/, '.o'));
      makeDirs(dirname(obj));
      const argv = [tools.cc.path, ...cflags, ...includes, '-c', src, '-o', obj];
      const r = await execa(argv[0], argv.slice(1), { cwd: dir, all: true, reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } });
      if (r.failed) failures.push({ file: rel, log: String(r.all ?? r.shortMessage), argv });
      else objects.push(obj);
    });
    if (failures.length) {
      failures.sort((a, b) => a.file.localeCompare(b.file));
      const log = failures.map((f) => f.log).join('\n');
      // Only the compiler's own headers exist for the EM; host-only code (stdio, a main) must not be here.
      const hint = /fatal error: [^:]+\.h: No such file/.test(log)
        ? `\n(the ${spec.name} build is freestanding: only the compiler's headers such as stdint.h and stddef.h exist; was the project generated for board "${spec.name}"?)`
        : '';
      throw new BuildError(
        `${failures.length} of ${sources.length} C files do not compile for board "${spec.name}" with ${spec.toolchain.cc} (${failures.map((f) => f.file).join(', ')}):\n` +
          `${compilerErrorExcerpt(log)}${hint}\nrerun: ${shellCommand(failures[0].argv)}`,
        log,
      );
    }
    objects.sort();
    if (opts.mli) {
      const linked = join(objDir, 'mliflow_model.o');
      const argv = [
        tools.cc.path,
        ...cflags,
        '-nostdlib',
        '-r',
        '-Wl,--gc-sections',
        ...API_SYMBOLS.map((s) => `-Wl,-u,${s}`),
        ...objects,
        `-L${join(opts.mli.root, 'lib', opts.mli.variant)}`,
        '-lmli',
        '-o',
        linked,
      ];
      const r = await execa(argv[0], argv.slice(1), { cwd: dir, all: true, reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } });
      // MLI's objects carry the Linux ABI tag: the linker's mixing warning is expected.
      if (r.failed) throw new BuildError(`linking the project with ${opts.mli.variant}'s libmli.a failed:\n${compilerErrorExcerpt(String(r.all))}\nrerun: ${shellCommand(argv)}`, String(r.all));
      objects.splice(0, objects.length, linked);
    }
    const dump = await execa(tools.objdump.path, ['-h', '-t', ...objects], { reject: false, stdin: 'ignore' });
    if (dump.failed) throw new MliflowError(`${spec.toolchain.objdump} failed on the objects: ${String(dump.stderr).trim()}`);
    const parsed = parseObjdump(String(dump.stdout));

    const sections: PlacedSection[] = [];
    const defined = new Set<string>();
    const used = new Set<string>();
    for (const obj of objects) {
      const info = parsed.get(obj);
      if (!info) throw new MliflowError(`could not read the sections of ${obj} from ${spec.toolchain.objdump}`);
      info.defined.forEach((s) => defined.add(s));
      info.undefined.forEach((s) => used.add(s));
      for (const s of info.sections) {
        const kind = sectionKind(s.flags);
        if (!kind || s.size === 0) continue;
        sections.push({ object: relative(objDir, obj), name: s.name, size: s.size, align: s.align, kind, ...placeSection(spec, s.name, kind) });
      }
    }
    return summarize(spec, {
      compiler: { name: spec.toolchain.cc, path: tools.cc.path, version: tools.cc.version },
      cflags,
      projectDir: dir,
      files: sources.map((s) => relative(dir, s)),
      sections,
      externals: [...used].filter((s) => !defined.has(s)).sort(),
    });
  } finally {
    if (!opts.objDir) rmSync(objDir, { recursive: true, force: true });
  }
}

/** Sums placed sections per region, padding each to its alignment as a linker would. */
export function summarize(
  spec: BoardSpec,
  r: Pick<SizeReport, 'compiler' | 'cflags' | 'projectDir' | 'files' | 'sections' | 'externals'>,
): SizeReport {
  const zero = (): Record<SectionKind, number> => ({ code: 0, rodata: 0, data: 0, bss: 0 });
  const regions: RegionUsage[] = spec.memory.regions.map((m) => ({
    name: m.name,
    origin: m.origin,
    length: m.length,
    reserved: m.reserved,
    reservedFor: m.reservedFor ?? null,
    capacity: m.length - m.reserved,
    used: 0,
    free: 0,
    fits: true,
    byKind: zero(),
    weights: 0,
    arena: 0,
  }));
  const byName = new Map(regions.map((x) => [x.name, x]));
  const totals = zero();
  for (const s of r.sections) {
    totals[s.kind] += s.size;
    const reg = s.region ? byName.get(s.region) : undefined;
    if (!reg) continue;
    reg.used = Math.ceil(reg.used / s.align) * s.align + s.size;
    reg.byKind[s.kind] += s.size;
    if (s.role) reg[s.role] += s.size;
  }
  const overflows: SizeReport['overflows'] = [];
  for (const reg of regions) {
    reg.free = reg.capacity - reg.used;
    reg.fits = reg.free >= 0;
    if (!reg.fits) overflows.push({ region: reg.name, used: reg.used, capacity: reg.capacity, over: -reg.free });
  }
  // The candidate the objects actually use (the first one when the role has no bytes).
  const role = (k: 'weights' | 'arena'): SizeReport['weights'] => {
    const mine = r.sections.filter((s) => s.role === k);
    const p = (mine.length ? candidateOf(spec, k, mine[0].name) : undefined) ?? spec.memory.placement[k][0];
    return p ? { ...p, bytes: mine.reduce((a, s) => a + s.size, 0) } : null;
  };
  const unplaced = r.sections.filter((s) => s.region === null);
  return {
    board: spec.name,
    cpu: spec.cpu,
    ...r,
    regions,
    totals,
    weights: role('weights'),
    arena: role('arena'),
    unplaced,
    overflows,
    fits: overflows.length === 0 && unplaced.length === 0,
  };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const cell = (n: number): string => (n === 0 ? '-' : formatBytes(n));

function usage(used: number, capacity: number, width = 20): string {
  const frac = used / Math.max(1, capacity);
  const n = Math.min(width, Math.round(frac * width));
  const pct = used > 0 && frac < 0.01 ? '<1%' : `${Math.round(frac * 100)}%`;
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${pct.padStart(4)}`;
}

/**
 * Weights or arena in an overflowing region that another region has room for (free space
 * after what is already there, alignment aside): the one move board.json can make.
 */
export function relocations(r: SizeReport, region: string): { role: 'weights' | 'arena'; bytes: number; to: string[] }[] {
  const out: { role: 'weights' | 'arena'; bytes: number; to: string[] }[] = [];
  for (const role of ['weights', 'arena'] as const) {
    const bytes = r.sections.filter((s) => s.role === role && s.region === region).reduce((a, s) => a + s.size, 0);
    if (bytes === 0) continue;
    const to = r.regions.filter((g) => g.name !== region && g.free >= bytes).map((g) => g.name);
    if (to.length) out.push({ role, bytes, to });
  }
  return out;
}

/** The report as a table a person can take in at a glance, with the verdict last. */
export function formatSizeReport(r: SizeReport): string {
  const out: string[] = [];
  out.push(`Memory use on board ${r.board}: ${r.cpu}`);
  out.push(
    `${r.files.length} C file${r.files.length === 1 ? '' : 's'} compiled warning-free with ${r.compiler.name} ${r.compiler.version ?? ''} ` +
      `${r.cflags.filter((f) => f.startsWith('-mcpu') || f.startsWith('-O')).join(' ')}`.replace(/\s+/g, ' ').trimEnd(),
  );
  out.push('');
  const anyOverflow = r.regions.some((g) => !g.fits);
  const rows = r.regions.map((g) => [
    g.name,
    hex(g.origin),
    formatBytes(g.length),
    cell(g.byKind.code),
    cell(g.byKind.rodata),
    cell(g.byKind.data),
    cell(g.byKind.bss),
    cell(g.used),
    g.fits ? formatBytes(g.free) : `-${formatBytes(-g.free)}`,
    usage(g.used, g.capacity),
    ...(anyOverflow ? [g.fits ? '' : 'OVERFLOW'] : []),
  ]);
  rows.push(['total', '', '', cell(r.totals.code), cell(r.totals.rodata), cell(r.totals.data), cell(r.totals.bss), '', '', '', ...(anyOverflow ? [''] : [])]);
  out.push(
    table(
      ['region', 'origin', 'size', 'code', 'rodata', 'data', 'bss', 'used', 'free', 'use', ...(anyOverflow ? [''] : [])],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  out.push('');
  for (const [label, v] of [['weights', r.weights], ['arena', r.arena]] as const) {
    if (v) out.push(`${label.padEnd(8)} ${formatBytes(v.bytes).padStart(10)} in ${v.section} -> ${v.region}`);
  }
  // GCC makes a custom-named section PROGBITS unless it starts with .bss.: the zero arena would then take image bytes.
  const progbitsArena = r.sections.filter((s) => s.role === 'arena' && s.kind !== 'bss');
  if (progbitsArena.length) {
    const n = progbitsArena.reduce((a, s) => a + s.size, 0);
    out.push(`NOTE     the arena is ${progbitsArena[0].kind}, not bss: its ${formatBytes(n)} of zeros are stored in the image; an arena section named .bss.* is NOBITS`);
  }
  const reserved = r.regions.filter((g) => g.reserved > 0);
  if (reserved.length) {
    out.push(`reserved ${reserved.map((g) => `${formatBytes(g.reserved)} of ${g.name} for ${g.reservedFor ?? 'the runtime'}`).join(', ')} (not counted as free)`);
  }
  if (r.externals.length) out.push(`runtime  must provide ${r.externals.join(', ')}`);
  for (const s of r.unplaced) out.push(`UNPLACED ${s.object}: ${s.name} (${s.kind}, ${formatBytes(s.size)}): board.json places no ${s.kind} anywhere`);
  out.push('');
  if (r.fits) {
    const tight = r.regions.filter((g) => g.used > 0).sort((a, b) => b.used / b.capacity - a.used / a.capacity)[0];
    out.push(`FITS: every section has a region with room${tight ? ` (fullest: ${tight.name}, ${formatBytes(tight.free)} free)` : ''}`);
  } else {
    const why = r.overflows.map((o) => `${o.region} needs ${formatBytes(o.used)} but has ${formatBytes(o.capacity)} (over by ${formatBytes(o.over)})`);
    if (r.unplaced.length) why.push(`${r.unplaced.length} section(s) have no region`);
    out.push(`DOES NOT FIT: ${why.join('; ')}`);
    for (const o of r.overflows) {
      const big = r.sections.filter((s) => s.region === o.region).sort((a, b) => b.size - a.size).slice(0, 3);
      out.push(`  largest in ${o.region}: ${big.map((s) => `${s.name} ${formatBytes(s.size)} (${s.object})`).join(', ')}`);
      for (const m of relocations(r, o.region)) {
        out.push(
          `  the ${m.role} (${formatBytes(m.bytes)}) would fit in ${m.to.join(' or ')}: set memory.placement.${m.role}.region, or add a candidate there, in boards/${r.board}/board.json`,
        );
      }
    }
  }
  return out.join('\n');
}


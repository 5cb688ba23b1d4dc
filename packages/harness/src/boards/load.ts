/**
 * Finding and reading boards/<name>/board.json. A board is its folder: adding one means adding
 * a folder with a board.json, and code (registered in MODULES) only where data is not enough.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MliflowError } from '@mliflow/ir';
import { DataBoard } from './board.js';
import type { Board, BoardSpec, FirmwareSpec, MemoryRegion, MliBoardSpec, Placement, RunSpec, SerialSpec, ToolchainSpec } from './types.js';

export const DEFAULT_BOARD = 'host';

/** The repository's boards/ folder, or $MLIFLOW_BOARDS. */
export function boardsDir(): string {
  return process.env.MLIFLOW_BOARDS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../boards');
}

/** Per-board code, for what board.json cannot say; wraps the data-driven board. None needed yet. */
const MODULES: Record<string, (base: Board) => Board> = {};

/** Names of the boards in `dir` (folders holding a board.json), sorted. */
export function listBoards(dir = boardsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'board.json')))
    .map((e) => e.name)
    .sort();
}

/** Loads a board by name; an unknown name is an error listing the boards there are. */
export function loadBoard(name: string, opts: { dir?: string } = {}): Board {
  const dir = opts.dir ?? boardsDir();
  const available = listBoards(dir);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || !available.includes(name)) {
    const list = available.length ? available.join(', ') : `none (no board folders in ${dir})`;
    throw new MliflowError(`unknown board "${name}"; available boards: ${list}`);
  }
  const file = join(dir, name, 'board.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MliflowError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const spec = parseBoardSpec(json, file);
  if (spec.name !== name) throw new MliflowError(`${file}: "name" is "${spec.name}" but the folder is "${name}"; they must match`);
  const base = new DataBoard(spec, join(dir, name));
  const wrap = MODULES[name];
  return wrap ? wrap(base) : base;
}

/** "0x80000000", "128K", "16M", "4096" or a number, as bytes. */
export function parseSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([KM]?)\s*$/i.exec(v);
  if (!m) return null;
  const n = Number(m[1]) * (m[2].toUpperCase() === 'K' ? 1024 : m[2].toUpperCase() === 'M' ? 1024 * 1024 : 1);
  return Number.isSafeInteger(n) ? n : null;
}

/** Validates a board.json document; each problem is reported with the file and the field. */
export function parseBoardSpec(json: unknown, file: string): BoardSpec {
  const fail = (field: string, what: string): never => {
    throw new MliflowError(`${file}: ${field} ${what}`);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(field, 'must be an object');
  const str = (v: unknown, field: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(field, 'must be a non-empty string'));
  const strs = (v: unknown, field: string): string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fail(field, 'must be an array of strings');
  const size = (v: unknown, field: string): number => parseSize(v) ?? fail(field, 'must be a size like "0x80000000", "128K" or 4096');

  const root = obj(json, 'the document');
  const tc = obj(root.toolchain, 'toolchain');
  const toolchain: ToolchainSpec = {
    cc: str(tc.cc, 'toolchain.cc'),
    size: str(tc.size, 'toolchain.size'),
    objdump: str(tc.objdump, 'toolchain.objdump'),
    ar: str(tc.ar, 'toolchain.ar'),
    package: str(tc.package, 'toolchain.package'),
    binutilsPackage: str(tc.binutilsPackage, 'toolchain.binutilsPackage'),
    cflags: strs(tc.cflags, 'toolchain.cflags'),
    ldflags: strs(tc.ldflags, 'toolchain.ldflags'),
  };
  if (tc.minVersion !== undefined) {
    toolchain.minVersion = str(tc.minVersion, 'toolchain.minVersion');
    if (!/^\d+(\.\d+){0,2}$/.test(toolchain.minVersion)) fail('toolchain.minVersion', 'must look like "10" or "10.2.1"');
  }

  const alignment = root.alignment;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    fail('alignment', 'must be a power of two (bytes)');
  }

  const mem = obj(root.memory ?? { regions: [], placement: {} }, 'memory');
  const rawRegions = Array.isArray(mem.regions) ? mem.regions : fail('memory.regions', 'must be an array');
  const regions: MemoryRegion[] = rawRegions.map((r, i) => {
    const f = `memory.regions[${i}]`;
    const o = obj(r, f);
    const region: MemoryRegion = {
      name: str(o.name, `${f}.name`),
      origin: size(o.origin, `${f}.origin`),
      length: size(o.length, `${f}.length`),
      reserved: o.reserved === undefined ? 0 : size(o.reserved, `${f}.reserved`),
    };
    if (o.reservedFor !== undefined) region.reservedFor = str(o.reservedFor, `${f}.reservedFor`);
    if (o.description !== undefined) region.description = str(o.description, `${f}.description`);
    if (region.reserved > region.length) fail(`${f}.reserved`, 'is larger than the region');
    return region;
  });
  const names = new Set<string>();
  for (const r of regions) {
    if (names.has(r.name)) fail('memory.regions', `names "${r.name}" twice`);
    names.add(r.name);
  }
  const regionName = (v: unknown, field: string): string => {
    const n = str(v, field);
    return names.has(n) ? n : fail(field, `names region "${n}", which memory.regions does not define (${[...names].join(', ') || 'none'})`);
  };

  const pl = obj(mem.placement ?? {}, 'memory.placement');
  const placement: Placement = { weights: [], arena: [], sections: [] };
  for (const kind of ['code', 'rodata', 'data', 'bss'] as const) {
    if (pl[kind] !== undefined) placement[kind] = regionName(pl[kind], `memory.placement.${kind}`);
  }
  // One { section, region } or an ordered list of candidates.
  const seen: { section: string; field: string }[] = [];
  for (const role of ['weights', 'arena'] as const) {
    if (pl[role] === undefined) continue;
    const list = Array.isArray(pl[role]) ? (pl[role] as unknown[]) : [pl[role]];
    if (list.length === 0) fail(`memory.placement.${role}`, 'must be { "section", "region" } or a non-empty array of them');
    placement[role] = list.map((c, i) => {
      const f = Array.isArray(pl[role]) ? `memory.placement.${role}[${i}]` : `memory.placement.${role}`;
      const o = obj(c, f);
      const section = str(o.section, `${f}.section`);
      // Placing by name needs names that never match each other (".x" also matches ".x.suffix").
      const clash = seen.find((x) => x.section === section || section.startsWith(`${x.section}.`) || x.section.startsWith(`${section}.`));
      if (clash) fail(`${f}.section`, `"${section}" clashes with ${clash.field}.section "${clash.section}"; each candidate needs its own section name`);
      seen.push({ section, field: f });
      return { section, region: regionName(o.region, `${f}.region`) };
    });
  }
  if (pl.sections !== undefined) {
    if (!Array.isArray(pl.sections)) fail('memory.placement.sections', 'must be an array');
    placement.sections = (pl.sections as unknown[]).map((s, i) => {
      const o = obj(s, `memory.placement.sections[${i}]`);
      return { match: str(o.match, `memory.placement.sections[${i}].match`), region: regionName(o.region, `memory.placement.sections[${i}].region`) };
    });
  }

  const run = obj(root.run, 'run');
  const firmware = (v: unknown): FirmwareSpec => {
    const f = obj(v, 'run.firmware');
    return {
      sources: strs(f.sources, 'run.firmware.sources'),
      files: f.files === undefined ? [] : strs(f.files, 'run.firmware.files'),
      cflags: f.cflags === undefined ? [] : strs(f.cflags, 'run.firmware.cflags'),
      ldflags: f.ldflags === undefined ? [] : strs(f.ldflags, 'run.firmware.ldflags'),
      image: str(f.image, 'run.firmware.image'),
    };
  };
  const serial = (v: unknown): SerialSpec => {
    const o = obj(v, 'run.serial');
    const baud = o.baud;
    if (typeof baud !== 'number' || !Number.isInteger(baud) || baud < 1) fail('run.serial.baud', 'must be a positive whole number');
    const s: SerialSpec = { baud: baud as number };
    if (o.usb !== undefined) {
      const u = obj(o.usb, 'run.serial.usb');
      s.usb = { vendor: str(u.vendor, 'run.serial.usb.vendor'), product: str(u.product, 'run.serial.usb.product') };
      if (u.description !== undefined) s.usb.description = str(u.description, 'run.serial.usb.description');
    }
    return s;
  };
  let runSpec: RunSpec;
  if (run.kind === 'host') {
    runSpec = { kind: 'host' };
    if (run.memcheck !== undefined) {
      const m = obj(run.memcheck, 'run.memcheck');
      runSpec.memcheck = { tool: str(m.tool, 'run.memcheck.tool'), package: str(m.package, 'run.memcheck.package') };
    }
    if (run.firmware !== undefined) runSpec.firmware = firmware(run.firmware);
    if (run.serial !== undefined) runSpec.serial = serial(run.serial);
  } else if (run.kind === 'qemu') {
    const q = obj(run.qemu, 'run.qemu');
    runSpec = {
      kind: 'qemu',
      qemu: { binary: str(q.binary, 'run.qemu.binary'), env: str(q.env, 'run.qemu.env'), args: strs(q.args, 'run.qemu.args'), howToGet: str(q.howToGet, 'run.qemu.howToGet') },
      firmware: firmware(run.firmware),
      serial: serial(run.serial),
    };
    if (run.counter !== undefined) runSpec.counter = str(run.counter, 'run.counter');
  } else if (run.kind === 'hardware') {
    runSpec = { kind: 'hardware', transport: str(run.transport, 'run.transport'), flash: str(run.flash, 'run.flash') };
    if (run.firmware !== undefined) runSpec.firmware = firmware(run.firmware);
    if (run.serial !== undefined) runSpec.serial = serial(run.serial);
    if (run.flashPlan !== undefined) {
      const f = obj(run.flashPlan, 'run.flashPlan');
      runSpec.flashPlan = {
        openocd: strs(f.openocd, 'run.flashPlan.openocd'),
        gdb: strs(f.gdb, 'run.flashPlan.gdb'),
        mdb: strs(f.mdb, 'run.flashPlan.mdb'),
        howToGet: str(f.howToGet, 'run.flashPlan.howToGet'),
      };
    }
  } else {
    return fail('run.kind', `must be "host", "qemu" or "hardware", not ${JSON.stringify(run.kind)}`);
  }

  let mli: MliBoardSpec | undefined;
  if (root.mli !== undefined) {
    const o = obj(root.mli, 'mli');
    const oneOf = <T extends string>(v: unknown, field: string, ok: readonly T[]): T =>
      ok.includes(v as T) ? (v as T) : fail(field, `must be ${ok.map((x) => JSON.stringify(x)).join(' or ')}, not ${JSON.stringify(v)}`);
    if (typeof o.fullAccu !== 'boolean') fail('mli.fullAccu', 'must be true or false');
    mli = {
      cpu: str(o.cpu, 'mli.cpu'),
      kernels: oneOf(o.kernels, 'mli.kernels', ['mli', 'portable'] as const),
      roundMode: oneOf(o.roundMode, 'mli.roundMode', ['up', 'convergent'] as const),
      fullAccu: o.fullAccu as boolean,
      extraLibs: o.extraLibs === undefined ? [] : strs(o.extraLibs, 'mli.extraLibs'),
    };
  }

  return {
    name: str(root.name, 'name'),
    description: str(root.description, 'description'),
    cpu: str(root.cpu, 'cpu'),
    toolchain,
    alignment: alignment as number,
    memory: { regions, placement },
    run: runSpec,
    notes: root.notes === undefined ? [] : strs(root.notes, 'notes'),
    ...(mli ? { mli } : {}),
  };
}

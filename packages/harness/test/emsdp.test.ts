/**
 * The EMSDP compile check on real models: compileModel + writeProject for the emsdp board, then
 * sizeReport, which cross-compiles every C file with arc-linux-gnu-gcc -mcpu=em4_fpuda -Werror
 * and places each section in a region. Per model: warning-free, the arena is one NOBITS section
 * in DCCM of exactly the planned size, the weights are in PSRAM holding exactly the bytes of the
 * generated arrays (plus alignment padding), and everything fits. mobilenet_v2's 1.15 MiB arena
 * does not fit DCCM: compile moves it to the next candidate region with room (PSRAM).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileModel, writeProject, type CompileSummary } from '@mliflow/codegen-c';
import { readValidatedTfliteFile, type Graph } from '@mliflow/ir';
import { MODELS } from '../../../test/paths.js';
import { loadBoard } from '../src/boards/index.js';
import { main } from '../src/cli.js';
import { choosePlacements, compileForBoard, formatCompileResult, type CompileResult } from '../src/compile.js';
import { formatSizeReport, placeSection, sizeReport, summarize, type SizeReport } from '../src/size-report.js';
import { detectTool } from '../src/toolchain.js';

const CHECKED = ['kws_ref_model', 'vww_96_int8', 'person_detect', 'pretrainedResnet_quant'];

const board = loadBoard('emsdp');
const spec = board.spec;
const ALIGN = spec.alignment;
// The preferred candidates: the small models' arenas and weights fit there.
const arenaPlacement = spec.memory.placement.arena[0];
const weightsPlacement = spec.memory.placement.weights[0];

const tools = { cc: await detectTool(spec.toolchain.cc), objdump: await detectTool(spec.toolchain.objdump) };
const missing = Object.entries(tools).filter(([, t]) => !t).map(([role]) => spec.toolchain[role as 'cc' | 'objdump']);
if (missing.length) {
  console.warn(
    `skipping the EMSDP compile checks: ${missing.join(' and ')} not on PATH ` +
      `(apt-get install -y ${spec.toolchain.package} ${spec.toolchain.binutilsPackage}, or bash scripts/setup-toolchains.sh)`,
  );
}

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-emsdp-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const CTYPE_BYTES: Record<string, number> = { int8_t: 1, uint8_t: 1, int16_t: 2, int32_t: 4 };

/** The constant arrays as generated code declares them in weights.h: name and bytes. */
function declaredArrays(weightsH: string): { name: string; bytes: number }[] {
  return [...weightsH.matchAll(/^extern const (\w+) (\w+)\[(\d+)\];$/gm)].map(([, ctype, name, count]) => {
    const size = CTYPE_BYTES[ctype];
    if (!size) throw new Error(`weights.h declares ${name} with unexpected type ${ctype}`);
    return { name, bytes: size * Number(count) };
  });
}

/** `objdump -h -t` of one object: section flags by name, and symbol sizes by name within `section`. */
async function objdump(obj: string, section: string): Promise<{ flags: Map<string, string[]>; symbols: Map<string, number> }> {
  const { stdout } = await execa(tools.objdump!.path, ['-h', '-t', obj], { env: { LC_ALL: 'C' } });
  const lines = stdout.split('\n');
  const flags = new Map<string, string[]>();
  const symbols = new Map<string, number>();
  lines.forEach((line, i) => {
    const sec = /^\s*\d+\s+(\S+)\s+[0-9a-f]{8}\s/.exec(line);
    if (sec) flags.set(sec[1], (lines[i + 1] ?? '').split(',').map((f) => f.trim()).filter(Boolean));
    // "00000000 g     O .mli_model\t00000048 mlf_t3": object symbols only, not the section's own.
    const sym = /^[0-9a-f]+ (.{7}) (\S+)\t([0-9a-f]+)\s+(\S+)$/.exec(line);
    if (sym && sym[1][6] === 'O' && sym[2] === section) symbols.set(sym[4], parseInt(sym[3], 16));
  });
  return { flags, symbols };
}

interface Checked {
  graph: Graph;
  summary: CompileSummary;
  files: Map<string, string>;
  report: SizeReport;
  objDir: string;
}

describe.skipIf(missing.length > 0)('EMSDP compile check on real models', () => {
  const compiled = new Map<string, Checked>();

  describe.each(CHECKED)('%s', (name) => {
    let c: Checked;
    beforeAll(async () => {
      const file = join(MODELS, `${name}.tflite`);
      const graph = readValidatedTfliteFile(file);
      const project = compileModel(graph, { target: board.target(), kernels: 'portable', file });
      const dir = join(tmp, name);
      writeProject(project, dir);
      // Objects beside the project, not in it, so they are kept for objdump and never taken for sources.
      const objDir = join(tmp, `${name}.obj`);
      const report = await sizeReport(dir, { board, objDir });
      c = { graph, summary: project.summary, files: project.files, report, objDir };
      compiled.set(name, c);
    });

    it('cross-compiles every generated C file warning-free', () => {
      // sizeReport throws with the compiler's lines on any diagnostic: -Werror turns warnings into errors.
      expect(c.report.cflags).toEqual(expect.arrayContaining(['-mcpu=em4_fpuda', '-Wall', '-Wextra', '-Werror']));
      expect(c.report.compiler.name).toBe('arc-linux-gnu-gcc');
      const sources = [...c.files.keys()].filter((f) => f.endsWith('.c')).sort();
      expect(c.report.files).toEqual(sources);
      expect(sources).toEqual(expect.arrayContaining(['model.c', 'weights.c']));
      expect(sources).not.toContain('main.c'); // no host runner on a hardware board
    });

    it('puts the arena in DCCM as one NOBITS (bss) section of exactly the planned size', async () => {
      const arena = c.report.sections.filter((s) => s.role === 'arena');
      // model.c declares mlf_arena[summary.arenaBytes] (the plan's offsets and sizes are multiples of the alignment).
      expect(c.summary.arenaBytes % ALIGN).toBe(0);
      expect(c.files.get('model.h')).toContain(`#define MLIFLOW_ARENA_BYTES ${c.summary.arenaBytes}\n`);
      expect(arena).toEqual([
        { object: 'model.o', name: arenaPlacement.section, size: c.summary.arenaBytes, align: ALIGN, kind: 'bss', region: 'DCCM', role: 'arena' },
      ]);
      expect(c.report.arena).toEqual({ section: arenaPlacement.section, region: 'DCCM', bytes: c.summary.arenaBytes });

      // Straight from objdump: ALLOC without CONTENTS is SHT_NOBITS, no bytes in the image.
      const { flags } = await objdump(join(c.objDir, 'model.o'), arenaPlacement.section);
      expect(flags.get(arenaPlacement.section)).toEqual(['ALLOC']);

      const dccm = c.report.regions.find((g) => g.name === 'DCCM')!;
      expect(dccm.arena).toBe(c.summary.arenaBytes);
      expect(dccm.byKind.bss).toBeGreaterThanOrEqual(c.summary.arenaBytes);
      // Used = everything placed in DCCM plus only the alignment padding between sections.
      const inDccm = c.report.sections.filter((s) => s.region === 'DCCM');
      const placed = inDccm.reduce((a, s) => a + s.size, 0);
      expect(dccm.used).toBeGreaterThanOrEqual(placed);
      expect(dccm.used - placed).toBeLessThan(inDccm.reduce((a, s) => a + s.align, 0));
    });

    it('puts the weights in PSRAM: the bytes of the generated constant arrays, plus alignment padding', async () => {
      // Every constant the generated code reads is an array in weights.c, declared in weights.h:
      //   mlf_t<id>      a constant tensor of the model, byte for byte (weights, LUTs the model carries)
      //   mlf_p<op>_*    tables computed at compile time (bias with the input offset folded in, multipliers, shifts)
      //   mlf_init_t<id> initial values of state tensors
      // Biases and shape tensors the kernels do not read directly are not stored, so the total is
      // not the model file's constant bytes; it is summary.weightsBytes.
      const arrays = declaredArrays(c.files.get('weights.h')!);
      const stored = arrays.reduce((a, w) => a + w.bytes, 0);
      expect(arrays.length).toBeGreaterThan(0);
      expect(stored).toBe(c.summary.weightsBytes);
      for (const w of arrays) {
        const t = /^mlf_t(\d+)$/.exec(w.name);
        const data = t ? c.graph.tensors[Number(t[1])]?.data : null;
        if (data) expect(w.bytes, `${w.name} vs tensor ${t![1]}`).toBe(data.length);
      }

      // objdump agrees array by array: each symbol in the weights section has the declared size.
      const { symbols } = await objdump(join(c.objDir, 'weights.o'), weightsPlacement.section);
      expect(Object.fromEntries(symbols)).toEqual(Object.fromEntries(arrays.map((w) => [w.name, w.bytes])));

      // One section in weights.o; each array is MLF_ALIGNED(16), so the section is the arrays
      // with up to 15 bytes of padding after each (the last one's may be cut off).
      const weights = c.report.sections.filter((s) => s.role === 'weights');
      expect(weights.map((s) => [s.object, s.name, s.kind, s.region])).toEqual([['weights.o', weightsPlacement.section, 'rodata', 'PSRAM']]);
      const padded = arrays.reduce((a, w) => a + alignUp(w.bytes, ALIGN), 0);
      expect(c.report.weights!.bytes).toBeLessThanOrEqual(padded);
      expect(c.report.weights!.bytes).toBeGreaterThan(padded - ALIGN);
      expect(c.report.weights!.bytes).toBeGreaterThanOrEqual(stored);
      expect(c.report.regions.find((g) => g.name === 'PSRAM')).toMatchObject({
        weights: c.report.weights!.bytes,
        used: c.report.weights!.bytes,
        byKind: { code: 0, rodata: c.report.weights!.bytes, data: 0, bss: 0 },
      });
    });

    it('keeps the arena and the weights at their first candidates (DCCM, PSRAM)', () => {
      const p = choosePlacements(spec, c.summary);
      expect(p.arena).toMatchObject({ section: arenaPlacement.section, region: 'DCCM', bytes: c.summary.arenaBytes, fits: true });
      expect(p.weights).toMatchObject({ section: weightsPlacement.section, region: 'PSRAM', bytes: c.summary.weightsBytes, fits: true });
    });

    it('fits the EMSDP', () => {
      expect(c.report.unplaced).toEqual([]);
      expect(c.report.overflows).toEqual([]);
      expect(c.report.fits).toBe(true);
      const iccm = c.report.regions.find((g) => g.name === 'ICCM0')!;
      expect(iccm.byKind.code).toBe(c.report.totals.code);
      expect(iccm.byKind.code).toBeGreaterThan(0);
      expect(formatSizeReport(c.report)).toMatch(/^FITS: /m);
    });
  });

  it('reports weights that do not fit their region, and where they would', () => {
    // vww's ~235 KiB of weights placed in ICCM0 (127 KiB usable): re-placing the compiled sections is enough.
    const r = compiled.get('vww_96_int8');
    if (!r) throw new Error('the vww_96_int8 check above did not run');
    const iccmSpec = {
      ...spec,
      memory: { ...spec.memory, placement: { ...spec.memory.placement, weights: [{ ...weightsPlacement, region: 'ICCM0' }] } },
    };
    const sections = r.report.sections.map((s) => ({ ...s, ...placeSection(iccmSpec, s.name, s.kind) }));
    const moved = summarize(iccmSpec, { ...r.report, sections });
    expect(moved.fits).toBe(false);
    expect(moved.overflows.map((o) => o.region)).toEqual(['ICCM0']);
    expect(moved.weights).toMatchObject({ region: 'ICCM0', bytes: r.report.weights!.bytes });
    const text = formatSizeReport(moved);
    expect(text).toMatch(/^ICCM0 .* OVERFLOW$/m);
    expect(text).toMatch(/^DOES NOT FIT: ICCM0 needs \S+ KiB but has 127\.0 KiB/m);
    expect(text).toMatch(/^ {2}largest in ICCM0: \.mli_model \S+ KiB \(weights\.o\)/m);
    expect(text).toMatch(/^ {2}the weights \(\S+ KiB\) would fit in SRAM or PSRAM: set memory\.placement\.weights\.region/m);
  });

  it('mliflow compile exits 1 when the size report says it does not fit', async () => {
    // A boards folder with emsdp's board.json but the weights in YCCM or XCCM (16 KiB each):
    // kws's ~28 KiB fit no candidate, so the first is kept and overflows.
    const boards = join(tmp, 'boards');
    const doc = JSON.parse(readFileSync(join(board.dir, 'board.json'), 'utf8'));
    doc.name = 'emsdp-yccm';
    doc.memory.placement.weights = [
      { section: '.mli_model', region: 'YCCM' },
      { section: '.mli_model_x', region: 'XCCM' },
    ];
    mkdirSync(join(boards, doc.name), { recursive: true });
    writeFileSync(join(boards, doc.name, 'board.json'), JSON.stringify(doc));
    const out = join(tmp, 'kws-yccm');
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed.push(String(s));
      return true;
    });
    const saved = process.env.MLIFLOW_BOARDS;
    process.env.MLIFLOW_BOARDS = boards;
    let code: number;
    try {
      code = await main(['compile', join(MODELS, 'kws_ref_model.tflite'), '--board', doc.name, '--out', out, '--kernels', 'portable', '--json']);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.MLIFLOW_BOARDS;
      else process.env.MLIFLOW_BOARDS = saved;
    }
    expect(code).toBe(1);
    const json = JSON.parse(printed.join('')) as { sizeReport: SizeReport; placement: CompileResult['placement'] };
    expect(json.placement!.weights).toMatchObject({ section: '.mli_model', region: 'YCCM', fits: false });
    expect(json.placement!.weights!.candidates.map((c) => c.region)).toEqual(['YCCM', 'XCCM']);
    expect(json.placement!.arena).toMatchObject({ section: arenaPlacement.section, region: 'DCCM', fits: true });
    expect(json.sizeReport.fits).toBe(false);
    expect(json.sizeReport.overflows.map((o) => o.region)).toEqual(['YCCM']);
    // The project and its report are still written, so the user can see what to move.
    expect(readFileSync(join(out, 'size-report.txt'), 'utf8')).toMatch(/^DOES NOT FIT: YCCM needs .*\n {2}largest in YCCM: \.mli_model/m);
  });

  it('moves an arena too big for DCCM to the first candidate with room: mobilenet_v2 in PSRAM', async () => {
    const file = join(MODELS, 'mobilenet_v2_quantized_1x3x224x224.tflite');
    const out = join(tmp, 'mobilenet_v2');
    const logged: string[] = [];
    const r = await compileForBoard(readValidatedTfliteFile(file), file, board, out, { log: (l) => logged.push(l) });
    const arenaBytes = r.summary.arenaBytes;
    const dccm = spec.memory.regions.find((g) => g.name === 'DCCM')!;
    expect(arenaBytes).toBeGreaterThan(dccm.length - dccm.reserved);
    // DCCM (120 KiB) and SRAM (256 KiB) are too small; PSRAM holds it next to the 3.5 MiB of weights.
    const psram = spec.memory.placement.arena.find((c) => c.region === 'PSRAM')!;
    expect(r.placement!.arena).toMatchObject({ section: psram.section, region: 'PSRAM', bytes: arenaBytes, fits: true });
    expect(r.placement!.arena!.candidates.map((c) => [c.region, c.room])).toEqual([
      ['DCCM', 120 * 1024],
      ['SRAM', 256 * 1024],
      ['PSRAM', 8191 * 1024],
    ]);
    expect(r.placement!.weights).toMatchObject({ section: weightsPlacement.section, region: 'PSRAM', fits: true });
    expect(readFileSync(join(out, 'model.c'), 'utf8')).toContain(psram.section);
    expect(readFileSync(join(out, 'model.c'), 'utf8')).not.toMatch(new RegExp(`"${arenaPlacement.section.replace(/\./g, '\\.')}"`));

    // The size report puts the arena's section in PSRAM, still NOBITS, and everything fits.
    const rep = r.sizeReport!;
    expect(rep.sections.filter((s) => s.role === 'arena')).toEqual([
      { object: 'model.o', name: psram.section, size: arenaBytes, align: ALIGN, kind: 'bss', region: 'PSRAM', role: 'arena' },
    ]);
    expect(rep.arena).toEqual({ section: psram.section, region: 'PSRAM', bytes: arenaBytes });
    expect(rep.regions.find((g) => g.name === 'PSRAM')).toMatchObject({ arena: arenaBytes, weights: rep.weights!.bytes });
    expect(rep.regions.find((g) => g.name === 'DCCM')!.arena).toBe(0);
    expect(rep.fits).toBe(true);

    const text = formatCompileResult(r);
    expect(text).toMatch(/^ {2}arena 1\.15 MiB -> PSRAM in \.bss\.mliflow_arena_psram \(DCCM has 120\.0 KiB, SRAM has 256\.0 KiB\)$/m);
    expect(text).toMatch(/^arena +1\.15 MiB in \.bss\.mliflow_arena_psram -> PSRAM$/m);
    expect(text).toMatch(/^FITS: /m);
    expect(logged.some((l) => l.startsWith('arena 1.15 MiB -> PSRAM'))).toBe(true);
  });

  it('counts code, data and what is already placed in a region when choosing', () => {
    const dccm = spec.memory.regions.find((g) => g.name === 'DCCM')!;
    const room = dccm.length - dccm.reserved;
    // Fits DCCM alone, but not beside 8 KiB of bss found by a size report.
    expect(choosePlacements(spec, { arenaBytes: room - 4096, weightsBytes: 1024 }).arena!.region).toBe('DCCM');
    const p = choosePlacements(spec, { arenaBytes: room - 4096, weightsBytes: 1024 }, new Map([['DCCM', 8192]]));
    expect(p.arena).toMatchObject({ region: 'SRAM', fits: true });
    expect(p.arena!.candidates[0]).toMatchObject({ region: 'DCCM', room: room - 8192 });
    // Weights after the arena in one region: the arena's bytes are no longer free.
    const one = {
      ...spec,
      memory: { ...spec.memory, placement: { ...spec.memory.placement, weights: [{ section: '.w_dccm', region: 'DCCM' }, { section: '.w_psram', region: 'PSRAM' }] } },
    };
    expect(choosePlacements(one, { arenaBytes: 100 * 1024, weightsBytes: 30 * 1024 }).weights!.region).toBe('PSRAM');
    expect(choosePlacements(one, { arenaBytes: 60 * 1024, weightsBytes: 30 * 1024 }).weights!.region).toBe('DCCM');
  });
});

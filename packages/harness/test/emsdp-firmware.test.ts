/**
 * The EMSDP's own firmware, built for real: every shared int8 model is compiled for emsdp with
 * embARC MLI 2.0.2's ARC EM library (kws also with the portable kernels) and linked into app.elf
 * with arc-linux-gnu-gcc, boards/common/arc-em and boards/emsdp/link.ld. objdump of the ELF then
 * says where each section landed: in the region board.json's placement names (code and rodata in
 * ICCM0, data and bss in DCCM, the weights and the arena where compile chose), inside the
 * region, with the size report's bytes.
 *
 * Nothing here runs the EMSDP image: its map (ICCM0 at 0x60000000, the UART at 0xF0004000) is not
 * QEMU's. Its startup code, UART driver and counter are the files qemu-arc-em runs under the
 * shared QEMU in deploy-serial.test.ts; board_config.h (base, clock, timer wrap, exit) and
 * link.ld are what the EMSDP adds, and these tests check those against board.json and the ELF.
 * Under QEMU, the EMSDP's board_config.h with only the UART base moved to QEMU's runs the
 * protocol: the divisor and LCR programming of a clocked UART (which qemu-arc-em skips) on
 * QEMU's 16550 and the hardware timer limits. QEMU's 16550 is not a
 * DesignWare UART, so this shows the driver's 16550 side, not the board's.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, MliflowError, readValidatedTfliteFile } from '@mliflow/ir';
import { int8Models, MODELS, SHARED, VECTORS } from '../../../test/paths.js';
import { loadBoard, parseSize } from '../src/boards/index.js';
import { buildFirmware, writeFirmware } from '../src/boards/firmware.js';
import { pickBoardPort, startHardware } from '../src/boards/hardware.js';
import { compileForBoard, type CompileResult } from '../src/compile.js';
import { deploy, modelHash } from '../src/deploy.js';
import { findMli } from '../src/mli.js';
import { placeSection, sectionKind } from '../src/size-report.js';
import { findOnPath } from '../src/toolchain.js';

const board = loadBoard('emsdp');
const spec = board.spec;
const common = join(board.dir, '..', 'common', 'arc-em');
const MLI = process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2');
const cc = findOnPath(spec.toolchain.cc);
const objdump = findOnPath(spec.toolchain.objdump);
const skip = !cc || !objdump || !existsSync(MLI);
const QEMU = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
if (skip) {
  console.warn(
    `skipping the EMSDP firmware builds: need ${spec.toolchain.cc} and ${spec.toolchain.objdump} (apt-get install -y ${spec.toolchain.package} ${spec.toolchain.binutilsPackage}, ` +
      `or bash scripts/setup-toolchains.sh) and embARC MLI in ${MLI} (or $MLI_ROOT)`,
  );
}

/** The int8 models of ../shared/models (the float ones have no EMSDP path). */
const INT8 = int8Models();

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-emsdp-fw-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** MEMORY { NAME (attrs) : ORIGIN = ..., LENGTH = ... } of a linker script. */
function linkMemory(script: string): { name: string; origin: number; length: number }[] {
  const block = /MEMORY\s*\{([^}]*)\}/.exec(script)?.[1] ?? '';
  return [...block.matchAll(/^\s*(\w+)\s*(?:\([a-z!]+\))?\s*:\s*ORIGIN\s*=\s*(\S+?)\s*,\s*LENGTH\s*=\s*(\S+?)\s*$/gim)].map(([, name, o, l]) => ({
    name,
    origin: parseSize(o)!,
    length: parseSize(l)!,
  }));
}

interface ElfSection {
  name: string;
  size: number;
  vma: number;
  flags: string[];
}

/** `objdump -h -t -p` of the linked image: sections with addresses, symbols, LOAD segments. */
async function readElf(elf: string): Promise<{ sections: ElfSection[]; symbols: Map<string, { addr: number; size: number }>; loads: { vaddr: number; memsz: number }[] }> {
  const { stdout } = await execa(objdump!, ['-h', '-t', '-p', elf], { env: { LC_ALL: 'C' } });
  const lines = stdout.split('\n');
  const sections: ElfSection[] = [];
  const symbols = new Map<string, { addr: number; size: number }>();
  const loads: { vaddr: number; memsz: number }[] = [];
  lines.forEach((line, i) => {
    const sec = /^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+2\*\*\d+\s*$/.exec(line);
    if (sec) sections.push({ name: sec[1], size: parseInt(sec[2], 16), vma: parseInt(sec[3], 16), flags: (lines[i + 1] ?? '').split(',').map((f) => f.trim()) });
    const sym = /^([0-9a-f]{8}) .{7} \S+\t([0-9a-f]+) (\S+)$/.exec(line);
    if (sym) symbols.set(sym[3], { addr: parseInt(sym[1], 16), size: parseInt(sym[2], 16) });
    const load = /^\s*LOAD off\s+0x[0-9a-f]+ vaddr 0x([0-9a-f]+)/.exec(line);
    const sz = load && /memsz 0x([0-9a-f]+)/.exec(lines[i + 1] ?? '');
    if (load && sz) loads.push({ vaddr: parseInt(load[1], 16), memsz: parseInt(sz[1], 16) });
  });
  return { sections, symbols, loads };
}

const regionAt = (addr: number, size: number): string | undefined =>
  spec.memory.regions.find((r) => addr >= r.origin && addr + size <= r.origin + r.length)?.name;

describe('EMSDP firmware sources', () => {
  it("link.ld's MEMORY is board.json's memory.regions, region for region", () => {
    const mem = linkMemory(readFileSync(join(board.dir, 'link.ld'), 'utf8'));
    expect(mem).toEqual(spec.memory.regions.map((r) => ({ name: r.name, origin: r.origin, length: r.length })));
  });

  it('shares startup, UART, counter and runtime with qemu-arc-em; only board_config.h and link.ld are its own', () => {
    const qemu = loadBoard('qemu-arc-em').spec.run;
    const fw = spec.run.firmware!;
    expect(fw.sources).toEqual(qemu.firmware!.sources);
    expect(fw.sources.every((s) => s.startsWith('../common/arc-em/'))).toBe(true);
    expect(fw.files.filter((f) => !f.startsWith('../common/')).sort()).toEqual(['board_config.h', 'link.ld', 'openocd.cfg']);
    expect(fw.image).toBe('app.elf');
  });

  it('the UART driver uses only 16550 registers (offsets 0 to 7, 4 bytes apart), no DesignWare extras', () => {
    const src = readFileSync(join(common, 'uart16550.c'), 'utf8');
    const regs = [...src.matchAll(/#define UART_\w+ UART_REG\((\d+)\)/g)].map((m) => Number(m[1]));
    expect(regs.length).toBeGreaterThanOrEqual(8);
    expect(regs.every((n) => n >= 0 && n <= 7)).toBe(true);
    // Every access goes through UART_REG: the base appears once, in its definition.
    expect(src.match(/ARC_UART_BASE/g)).toHaveLength(1);
    expect(src).toMatch(/#define UART_REG\(n\) \(\*\(volatile uint32_t \*\)\(ARC_UART_BASE \+ 4u \* \(n\)\)\)/);
  });

  it('board_config.h: the debug UART at 0xF0004000, 100 MHz, a divisor of 54 for 115200 baud (+0.47%)', () => {
    const h = readFileSync(join(board.dir, 'board_config.h'), 'utf8');
    const def = (name: string): number => Number(/#define (\w+) (0x[0-9A-Fa-f]+|\d+)u?\b/g.exec(h.slice(h.indexOf(`#define ${name} `)))![2]);
    expect(def('ARC_UART_BASE')).toBe(0xf0004000);
    const clock = def('ARC_UART_CLOCK_HZ');
    const baud = def('ARC_UART_BAUD');
    expect(baud).toBe(spec.run.serial!.baud);
    // The driver's rounding: (clock + 8 baud) / (16 baud), in integers.
    const divisor = Math.floor((clock + 8 * baud) / (16 * baud));
    expect(divisor).toBe(54);
    expect(Math.abs(clock / (16 * divisor) / baud - 1)).toBeLessThan(0.005);
    expect(def('ARC_TIMER_WRAPS_AT_LIMIT')).toBe(0);
    expect(def('ARC_EXIT_SEMIHOSTING')).toBe(0);
  });

  it("picks the FT2232H's interface B as the console port", () => {
    const usb = spec.run.serial!.usb!;
    const a = { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6010', pnpId: 'usb-Digilent_USB__-__JTAG_UART_251633000123-if00-port0' };
    const b = { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6010', pnpId: 'usb-Digilent_USB__-__JTAG_UART_251633000123-if01-port0' };
    const other = { path: '/dev/ttyUSB2', vendorId: '10c4', productId: 'ea60' };
    expect(pickBoardPort([b, other, a], usb)).toBe('/dev/ttyUSB1');
    expect(pickBoardPort([{ ...a, pnpId: undefined }, { ...b, pnpId: undefined }], usb)).toBe('/dev/ttyUSB1');
    expect(pickBoardPort([other], usb)).toBeNull();
  });
});

interface Built {
  compiled: CompileResult;
  elf: Awaited<ReturnType<typeof readElf>>;
}

describe.skipIf(skip)('EMSDP app.elf for every shared int8 model', () => {
  const cases = [...INT8.map((m) => [m, 'mli'] as const), ['kws_ref_model', 'portable'] as const];
  describe.each(cases)('%s, %s kernels', (model, kernels) => {
    let b: Built;
    beforeAll(async () => {
      const file = join(MODELS, `${model}.tflite`);
      const g = readValidatedTfliteFile(file);
      const dir = join(tmp, `${model}-${kernels}`);
      const mli = kernels === 'mli' ? findMli(spec, { root: MLI }) : undefined;
      const compiled = await compileForBoard(g, file, board, dir, { modelName: model, kernels, ...(mli ? { mli } : {}) });
      writeFirmware(board, dir, { modelHash: modelHash(file), model, version: 'test', kernels, numerics: 'test', debug: false, inputs: g.inputs.length, outputs: g.outputs.length });
      const built = await buildFirmware(board, dir);
      b = { compiled, elf: await readElf(built.executable!) };
    }, 240_000);

    it('puts every section in the region board.json places it in, and inside that region', () => {
      const alloc = b.elf.sections.filter((s) => s.flags.includes('ALLOC') && s.size > 0);
      expect(alloc.map((s) => s.name)).toEqual(expect.arrayContaining(['.vectors', '.text', '.rodata', '.mli_model', '.bss']));
      for (const s of alloc) {
        const want = s.name === '.vectors' ? spec.memory.placement.code : placeSection(spec, s.name, sectionKind(s.flags)!).region;
        expect(regionAt(s.vma, s.size), `${s.name} at 0x${s.vma.toString(16)} (${s.size} bytes)`).toBe(want);
      }
      // What an ELF loader writes stays in the regions too (no ELF headers below PSRAM's origin).
      for (const l of b.elf.loads) expect(regionAt(l.vaddr, l.memsz), `LOAD at 0x${l.vaddr.toString(16)}`).toBeDefined();
      expect(b.elf.sections.find((s) => s.name === '.vectors')!.vma).toBe(spec.memory.regions.find((r) => r.name === 'ICCM0')!.origin);
    });

    it('the weights and the arena are where compile chose, at the planned size', () => {
      const p = b.compiled.placement!;
      const s = b.compiled.summary;
      const arena = b.elf.symbols.get('mlf_arena')!;
      expect(arena.size).toBe(s.arenaBytes);
      expect(regionAt(arena.addr, arena.size)).toBe(p.arena!.region);
      const weights = b.elf.sections.find((x) => x.name === '.mli_model')!;
      expect(regionAt(weights.vma, weights.size)).toBe(p.weights!.region);
      // The size report counted the model's objects (MLI's partial link included); the image holds the same weights.
      expect(weights.size).toBe(b.compiled.sizeReport!.weights!.bytes);
      if (p.arena!.region !== 'DCCM') {
        expect(b.elf.sections.find((x) => x.name === p.arena!.section)).toMatchObject({ size: s.arenaBytes, flags: ['ALLOC'] });
      }
    });

    it('agrees with the size report: what the report counts fits in the image, region by region', () => {
      const rep = b.compiled.sizeReport!;
      expect(rep.fits).toBe(true);
      for (const r of rep.regions) {
        const inElf = b.elf.sections.filter((s) => s.flags.includes('ALLOC') && regionAt(s.vma, s.size) === r.name).reduce((a, s) => a + s.size, 0);
        // The firmware adds code, data and its input buffer; it never takes away.
        expect(inElf, r.name).toBeGreaterThanOrEqual(r.used - 16 * rep.sections.filter((x) => x.region === r.name).length);
        const region = spec.memory.regions.find((x) => x.name === r.name)!;
        expect(inElf, r.name).toBeLessThanOrEqual(region.length - region.reserved);
      }
      // Weights and arena alone in PSRAM: the image's PSRAM is the report's, plus the input buffer.
      const psram = rep.regions.find((r) => r.name === 'PSRAM')!;
      const fwInputs = b.elf.sections.find((s) => s.name === '.bss.fw_inputs')?.size ?? 0;
      const inPsram = b.elf.sections.filter((s) => s.flags.includes('ALLOC') && regionAt(s.vma, s.size) === 'PSRAM').reduce((a, s) => a + s.size, 0);
      expect(inPsram - fwInputs).toBe(psram.weights + psram.arena);
    });
  });
});

describe.skipIf(skip)('EMSDP app.elf with the arena in SRAM (no shared model needs it)', () => {
  it('vww_96_int8 with 100K of DCCM kept back: compile picks SRAM, link.ld puts .bss.mliflow_arena_sram there, crt0 zeroes it', async () => {
    const boards = join(tmp, 'boards-sram');
    cpSync(join(board.dir, '..', 'common'), join(boards, 'common'), { recursive: true });
    cpSync(board.dir, join(boards, 'emsdp'), { recursive: true });
    const doc = JSON.parse(readFileSync(join(board.dir, 'board.json'), 'utf8'));
    doc.memory.regions.find((r: { name: string }) => r.name === 'DCCM').reserved = '100K';
    writeFileSync(join(boards, 'emsdp', 'board.json'), JSON.stringify(doc));
    const b = loadBoard('emsdp', { dir: boards });
    const file = join(MODELS, 'vww_96_int8.tflite');
    const g = readValidatedTfliteFile(file);
    const dir = join(tmp, 'vww-sram');
    const compiled = await compileForBoard(g, file, b, dir, { modelName: 'vww_96_int8', kernels: 'mli', mli: findMli(b.spec, { root: MLI }) });
    expect(compiled.placement!.arena).toMatchObject({ section: '.bss.mliflow_arena_sram', region: 'SRAM', fits: true });
    writeFirmware(b, dir, { modelHash: modelHash(file), model: 'vww_96_int8', version: 'test', kernels: 'mli', numerics: 'test', debug: false, inputs: 1, outputs: 1 });
    const elf = await readElf((await buildFirmware(b, dir)).executable!);
    const sram = elf.sections.find((x) => x.name === '.bss.mliflow_arena_sram')!;
    expect(regionAt(sram.vma, sram.size)).toBe('SRAM');
    expect(sram).toMatchObject({ size: compiled.summary.arenaBytes, flags: ['ALLOC'] });
    expect(elf.symbols.get('mlf_arena')).toEqual({ addr: sram.vma, size: compiled.summary.arenaBytes });
    // The zero table (in .rodata) holds the pair (start, end) of the SRAM arena.
    const { stdout } = await execa(objdump!, ['-s', '-j', '.rodata', '--start-address', `0x${elf.symbols.get('__zero_table')!.addr.toString(16)}`, '--stop-address', `0x${elf.symbols.get('__zero_table_end')!.addr.toString(16)}`, join(dir, 'build', 'app.elf')]);
    const words = [...stdout.matchAll(/^ [0-9a-f]+ ((?:[0-9a-f]{8} ?){1,4})/gm)].flatMap((m) => m[1].trim().split(' ').map((w) => Buffer.from(w, 'hex').readUInt32LE(0)));
    const pairs = Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i], words[2 * i + 1]]);
    expect(pairs).toContainEqual([sram.vma, sram.vma + sram.size]);
  }, 240_000);
});

describe.skipIf(skip || !existsSync(QEMU))("the EMSDP's board_config.h under QEMU, with QEMU's UART base", () => {
  it('kws_ref_model with MLI: every record bit-exact, cycles counted with the hardware timer limits', async () => {
    // A boards folder holding common/ and one board: qemu-arc-em's board.json and link.ld, emsdp's board_config.h.
    const boards = join(tmp, 'boards');
    cpSync(join(board.dir, '..', 'common'), join(boards, 'common'), { recursive: true });
    const dir = join(boards, 'emsdp-uart-on-qemu');
    mkdirSync(dir, { recursive: true });
    const qemuBoard = loadBoard('qemu-arc-em');
    const doc = JSON.parse(readFileSync(join(qemuBoard.dir, 'board.json'), 'utf8'));
    doc.name = 'emsdp-uart-on-qemu';
    writeFileSync(join(dir, 'board.json'), JSON.stringify(doc));
    cpSync(join(qemuBoard.dir, 'link.ld'), join(dir, 'link.ld'));
    const config = readFileSync(join(board.dir, 'board_config.h'), 'utf8');
    expect(config).toMatch(/#define ARC_UART_BASE 0xF0004000u/);
    writeFileSync(join(dir, 'board_config.h'), config.replace(/#define ARC_UART_BASE 0xF0004000u/, '#define ARC_UART_BASE 0xF0000000u'));

    const run = (b: typeof board) =>
      deploy({
        kernels: 'mli',
        mli: findMli(b.spec, { root: MLI }),
        model: join(MODELS, 'kws_ref_model.tflite'),
        board: b,
        outDir: join(tmp, `${b.name}-run`),
        inputs: join(VECTORS, 'kws_ref_model', 'inputs.bin'),
        count: 4,
        qemu: QEMU,
        log: () => undefined,
      });
    const r = await run(loadBoard('emsdp-uart-on-qemu', { dir: boards }));
    expect(r.bitExact).toBe(true);
    expect(r.records).toHaveLength(4);
    // The invoke's count does not depend on the UART: the same as qemu-arc-em's, record for record
    // (below 2^32 the two limits give the same count; the wrap itself is the ISA's, not checked here).
    const ref = await run(qemuBoard);
    expect(r.records.map((x) => x.count)).toEqual(ref.records.map((x) => x.count));
    for (const x of r.records) expect(x.count).toBeGreaterThan(0);
    // The same firmware sources as the EMSDP image, with the clocked UART's divisor programmed.
    expect(readFileSync(join(r.projectDir, 'fw', 'board_config.h'), 'utf8')).toMatch(/#define ARC_UART_CLOCK_HZ 100000000u/);
  }, 300_000);
});

/**
 * Loading, with stand-ins for OpenOCD and arc-elf32-gdb: neither exists here, and no board. They
 * log their arguments and print what the real tools print when they succeed (or fail); what is
 * checked is mliflow's side: the commands, their folder, waiting for OpenOCD, reading gdb's
 * verdict, and stopping OpenOCD.
 */
describe('loading the EMSDP (stand-in OpenOCD and gdb)', () => {
  const bin = join(tmp, 'bin');
  const log = join(tmp, 'loader-log');
  const savedPath = process.env.PATH;
  const project = join(tmp, 'load-project');
  const image = 'build/app.elf';
  const tool = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  beforeAll(() => {
    mkdirSync(bin, { recursive: true });
    mkdirSync(project, { recursive: true });
    tool('openocd', `echo $$ > "${log}.openocd.pid"; pwd > "${log}.openocd.cwd"; printf '%s\\n' "$@" > "${log}.openocd.args"\necho "Info : Listening on port 3333 for gdb connections" >&2\nexec sleep 120`);
    process.env.PATH = `${bin}${delimiter}${savedPath}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('starts OpenOCD with fw/openocd.cfg in the project, loads with gdb, hands back --port, stops OpenOCD', async () => {
    tool('arc-elf32-gdb', `printf '%s\\n' "$@" > "${log}.gdb.args"\necho "Loading section .text, size 0x76f0 lma 0x60000400"\necho "Start address 0x600017d4, load size 31728"`);
    const s = await startHardware(board, project, image, { port: '/dev/ttyUSB1' });
    expect(s.port).toBe('/dev/ttyUSB1');
    expect(s.baud).toBe(115200);
    expect(readFileSync(`${log}.openocd.cwd`, 'utf8').trim()).toBe(project);
    expect(readFileSync(`${log}.openocd.args`, 'utf8').trim().split('\n')).toEqual(['-c', 'gdb_port 3333', '-f', 'fw/openocd.cfg', '-c', 'init', '-c', 'reset halt']);
    expect(readFileSync(`${log}.gdb.args`, 'utf8').trim().split('\n')).toEqual(['-batch', '-ex', 'target remote :3333', '-ex', 'load', '-ex', 'detach', image]);
    expect(s.command).toEqual(['arc-elf32-gdb', '-batch', '-ex', 'target remote :3333', '-ex', 'load', '-ex', 'detach', image]);
    const pid = Number(readFileSync(`${log}.openocd.pid`, 'utf8'));
    expect(alive(pid)).toBe(true);
    await s.stop();
    expect(alive(pid)).toBe(false);
  }, 60_000);

  it('a load that fails is exit 4 with gdb\'s lines, and OpenOCD is stopped', async () => {
    tool('arc-elf32-gdb', 'echo ":3333: Connection timed out." >&2\nexit 1');
    const e = await startHardware(board, project, image, { port: '/dev/ttyUSB1' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MliflowError);
    expect((e as MliflowError).exitCode).toBe(EXIT.needsHardware);
    expect((e as MliflowError).message).toMatch(/^arc-elf32-gdb -batch .* build\/app\.elf could not load the image .*\n:3333: Connection timed out\.$/s);
    expect(alive(Number(readFileSync(`${log}.openocd.pid`, 'utf8')))).toBe(false);
  }, 60_000);
});

/**
 * The real OpenOCD (Debian's openocd, installed by scripts/setup-toolchains.sh) with the board's
 * openocd.cfg: it reads the file (ARC target, FT2232H adapter) and, with no board attached, fails
 * at init; mliflow stops there with OpenOCD's own words and exit 4. gdb is never reached; a
 * stand-in only gets it past detection, since arc-elf32-gdb is not packaged for Debian.
 */
const realOpenocd = findOnPath('openocd');
describe.skipIf(!realOpenocd)('the real OpenOCD and boards/emsdp/openocd.cfg, no board attached', () => {
  const bin = join(tmp, 'bin-gdb-only');
  const savedPath = process.env.PATH;
  beforeAll(() => {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'arc-elf32-gdb'), '#!/bin/sh\necho "gdb must not run when OpenOCD failed" >&2\nexit 99\n');
    chmodSync(join(bin, 'arc-elf32-gdb'), 0o755);
    process.env.PATH = `${bin}${delimiter}${savedPath}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it('OpenOCD reads the configuration without an error', async () => {
    const r = await execa(realOpenocd!, ['-f', join(board.dir, 'openocd.cfg'), '-c', 'shutdown'], { all: true, reject: false, timeout: 30_000 });
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.all)).not.toMatch(/Error/);
  }, 60_000);

  it('loading stops at OpenOCD\'s init with its error and exit 4', async () => {
    const project = join(tmp, 'real-openocd-project');
    mkdirSync(join(project, 'fw'), { recursive: true });
    cpSync(join(board.dir, 'openocd.cfg'), join(project, 'fw', 'openocd.cfg'));
    const e = await startHardware(board, project, 'build/app.elf', { port: '/dev/ttyUSB1' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MliflowError);
    expect((e as MliflowError).exitCode).toBe(EXIT.needsHardware);
    expect((e as MliflowError).message).toMatch(/openocd/);
    expect((e as MliflowError).message).toMatch(/unable to open ftdi device with vid 0403, pid 6010/);
    expect((e as MliflowError).message).not.toMatch(/gdb must not run/);
  }, 60_000);
});

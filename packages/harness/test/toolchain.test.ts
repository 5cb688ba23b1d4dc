/** Tool detection and its errors, and the ARC size report from a real arc-linux-gnu-gcc compile. */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../src/boards/index.js';
import { formatSizeReport, sizeReport, type SizeReport } from '../src/size-report.js';
import { compareVersions, compilerErrorExcerpt, detectTool, requireTools, ToolchainError } from '../src/toolchain.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-toolchain-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A boards folder holding one board: emsdp's board.json with `change` applied. */
function fixtureBoard(name: string, change: (doc: Record<string, any>) => void): string {
  const dir = join(tmp, `boards-${name}`);
  mkdirSync(join(dir, name), { recursive: true });
  const doc = JSON.parse(readFileSync(join(loadBoard('emsdp').dir, 'board.json'), 'utf8'));
  doc.name = name;
  change(doc);
  writeFileSync(join(dir, name, 'board.json'), JSON.stringify(doc, null, 1));
  return dir;
}

function project(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('detecting tools', () => {
  it('finds a tool on PATH with its version', async () => {
    const make = await detectTool('make');
    expect(make).not.toBeNull();
    expect(make!.path).toMatch(/\/make$/);
    expect(make!.version).toMatch(/^\d+\.\d+/);
    expect(await detectTool('mliflow-no-such-tool')).toBeNull();
  });

  it('compares versions numerically', () => {
    expect(compareVersions('12.2.0', '10')).toBeGreaterThan(0);
    expect(compareVersions('9.4', '10')).toBeLessThan(0);
    expect(compareVersions('10.0.0', '10')).toBe(0);
  });

  it('names a missing compiler, its Debian package and how to install it', async () => {
    const dir = fixtureBoard('ghost', (d) => {
      d.toolchain.cc = 'mliflow-ghost-gcc';
      d.toolchain.package = 'gcc-mliflow-ghost';
    });
    const board = loadBoard('ghost', { dir });
    const err = await requireTools(board, ['cc', 'make']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolchainError);
    const e = err as ToolchainError;
    expect(e.exitCode).toBe(3);
    expect(e.missing.map((m) => [m.role, m.name, m.package, m.problem])).toEqual([['cc', 'mliflow-ghost-gcc', 'gcc-mliflow-ghost', 'not found']]);
    expect(e.message).toMatch(/^board "ghost" needs tools that are missing: mliflow-ghost-gcc \(C compiler, Debian package gcc-mliflow-ghost\) is not on PATH\./);
    expect(e.message).toMatch(/apt-get install -y gcc-mliflow-ghost \(or: bash scripts\/setup-toolchains\.sh\)$/);
    expect(e.message).not.toContain('\n');
    // Building or sizing on that board stops at the same check, before running anything.
    const proj = project('ghost-proj', { Makefile: 'all:\n\ttrue\n', 'a.c': 'int a;\n' });
    await expect(board.build(proj)).rejects.toThrow(ToolchainError);
    await expect(sizeReport(proj, { board })).rejects.toThrow(/mliflow-ghost-gcc .* is not on PATH/);
  });

  it('lists every missing tool at once', async () => {
    const dir = fixtureBoard('ghosts', (d) => {
      d.toolchain.cc = 'mliflow-ghost-gcc';
      d.toolchain.objdump = 'mliflow-ghost-objdump';
      d.toolchain.binutilsPackage = 'binutils-mliflow-ghost';
    });
    const e = (await requireTools(loadBoard('ghosts', { dir }), ['cc', 'objdump']).catch((x: unknown) => x)) as ToolchainError;
    expect(e.missing.map((m) => m.name)).toEqual(['mliflow-ghost-gcc', 'mliflow-ghost-objdump']);
    expect(e.message).toContain('apt-get install -y gcc-arc-linux-gnu binutils-mliflow-ghost');
  });

  it('says when a compiler is older than the board needs', async () => {
    const dir = fixtureBoard('ancient', (d) => {
      d.toolchain.cc = 'gcc';
      d.toolchain.package = 'gcc';
      d.toolchain.minVersion = '999';
    });
    await expect(requireTools(loadBoard('ancient', { dir }))).rejects.toThrow(/gcc \d+\.\d+(\.\d+)? \(C compiler\) is older than the 999 it needs/);
  });

  it('only host boards have a memory checker', async () => {
    await expect(requireTools(loadBoard('emsdp'), ['memcheck'])).rejects.toThrow(/cannot run under a memory checker/);
  });

  it('excerpts the first compiler error, or the tail of a log without one', () => {
    const log = [
      'gcc -c -o a.o a.c',
      "a.c: In function 'f':",
      "a.c:3:7: error: 'x' undeclared (first use in this function)",
      '    3 |   x = 1;',
      '      |   ^',
      'make: *** [Makefile:4: a.o] Error 1',
    ].join('\n');
    expect(compilerErrorExcerpt(log)).toBe(["a.c: In function 'f':", "a.c:3:7: error: 'x' undeclared (first use in this function)", '    3 |   x = 1;', '      |   ^'].join('\n'));
    expect(compilerErrorExcerpt("make: *** No rule to make target 'b.c'.  Stop.")).toBe("make: *** No rule to make target 'b.c'.  Stop.");
  });
});

const arcGcc = await detectTool('arc-linux-gnu-gcc');
if (!arcGcc) console.warn('arc-linux-gnu-gcc is not installed: skipping the ARC size-report tests (apt-get install -y gcc-arc-linux-gnu, or bash scripts/setup-toolchains.sh)');

/** A small generated-like project: weights in two files, an arena, an X-memory buffer, code, rodata, data, bss. */
const SMALL = {
  'model.h': '#include <stdint.h>\n#include <stddef.h>\nint32_t model_run(const int8_t *in, int8_t *out, size_t n);\n',
  'weights_a.c':
    '#include "model.h"\n' +
    '__attribute__((section(".mli_model"), aligned(16))) const int8_t w0[1024] = {1, 2, 3};\n' +
    '__attribute__((section(".mli_model"), aligned(16))) const int32_t b0[64] = {7};\n',
  'weights_b.c': '#include "model.h"\n__attribute__((section(".mli_model"), aligned(16))) const int8_t w1[512] = {4};\n',
  'model.c': [
    '#include "model.h"',
    'extern const int8_t w0[1024], w1[512];',
    'extern const int32_t b0[64];',
    '__attribute__((section(".bss.mliflow_arena"), aligned(16))) int8_t arena[ARENA];',
    '__attribute__((section(".Xdata"), aligned(4))) int8_t xbuf[512];',
    'static const char tag[8] = "mliflow";',
    'int32_t calls;',
    'static int32_t acc[4] = {1, 2, 3, 4};',
    'int32_t model_run(const int8_t *in, int8_t *out, size_t n) {',
    '  __builtin_memcpy(arena, in, n);',
    '  for (size_t i = 0; i < n; i++) {',
    '    out[i] = (int8_t)(arena[i] * w0[i % 1024] + w1[i % 512] + b0[i % 64] + xbuf[i & 511]);',
    '    acc[i & 3] += out[i];',
    '  }',
    '  calls++;',
    '  return acc[0] + tag[calls & 7];',
    '}',
    '',
  ].join('\n'),
};

function smallProject(name: string, arena: number): string {
  return project(name, { ...SMALL, 'model.c': SMALL['model.c'].replace('ARENA', String(arena)) });
}

const region = (r: SizeReport, name: string) => r.regions.find((g) => g.name === name)!;

describe.skipIf(!arcGcc)('ARC size report', () => {
  it('sums each region from a real arc-linux-gnu-gcc compile', async () => {
    const dir = smallProject('small', 4096);
    const objDir = join(tmp, 'small-obj');
    const r = await sizeReport(dir, { board: 'emsdp', objDir });
    expect(r.files).toEqual(['model.c', 'weights_a.c', 'weights_b.c']);
    expect(r.compiler.version).toMatch(/^\d+\.\d+/);

    // Weights: 1024 + 64*4 in one object, 512 in the other, all 16-aligned: nothing to pad.
    expect(r.weights).toEqual({ section: '.mli_model', region: 'PSRAM', bytes: 1024 + 256 + 512 });
    expect(region(r, 'PSRAM')).toMatchObject({ used: 1792, weights: 1792, byKind: { code: 0, rodata: 1792, data: 0, bss: 0 } });
    // The arena's section is named .bss.*, so GCC makes it NOBITS: it counts as bss, not data.
    expect(r.arena).toEqual({ section: '.bss.mliflow_arena', region: 'DCCM', bytes: 4096 });
    const dccm = region(r, 'DCCM');
    expect(dccm.arena).toBe(4096);
    expect(dccm.byKind).toEqual({ code: 0, rodata: 0, data: 16, bss: 4096 + 4 });
    expect(dccm.used).toBeGreaterThanOrEqual(4096 + 16 + 4);
    expect(dccm.used).toBeLessThan(4096 + 16 + 4 + 32); // alignment padding only
    expect(dccm.capacity).toBe(128 * 1024 - 8 * 1024);
    expect(region(r, 'XCCM')).toMatchObject({ used: 512, byKind: { code: 0, rodata: 0, data: 512, bss: 0 } });
    const iccm = region(r, 'ICCM0');
    expect(iccm.byKind.code).toBeGreaterThan(0);
    expect(iccm.byKind.code).toBe(r.totals.code);
    expect(iccm.byKind.rodata).toBe(8); // tag[]
    expect(region(r, 'YCCM').used).toBe(0);
    expect(r.externals).toEqual(['memcpy']);
    expect(r.fits).toBe(true);
    expect(r.overflows).toEqual([]);

    // Cross-check against another tool: arc-linux-gnu-size -A of the same objects.
    const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).map((f) => join(objDir, f));
    const sz = await execa('arc-linux-gnu-size', ['-A', ...objects]);
    let allocated = 0;
    for (const line of sz.stdout.split('\n')) {
      const m = /^(\.\S+)\s+(\d+)\s+\d+$/.exec(line.trim());
      if (m && !/^\.(comment|note|ARC\.attributes)/.test(m[1])) allocated += Number(m[2]);
    }
    const placed = r.regions.reduce((a, g) => a + g.byKind.code + g.byKind.rodata + g.byKind.data + g.byKind.bss, 0);
    expect(placed).toBe(allocated);

    const text = formatSizeReport(r);
    expect(text).toMatch(/^Memory use on board emsdp: ARC EM9D/);
    expect(text).toMatch(/^region +origin +size +code +rodata +data +bss +used +free +use$/m);
    expect(text).toMatch(/^PSRAM +0x10000400 +8\.00 MiB +- +1\.8 KiB +- +- +1\.8 KiB/m);
    expect(text).toMatch(/^weights +1\.8 KiB in \.mli_model -> PSRAM$/m);
    expect(text).toMatch(/^runtime +must provide memcpy$/m);
    expect(text).toMatch(/^FITS: /m);
  });

  it('names the region that overflows and what fills it', async () => {
    const r = await sizeReport(smallProject('big-arena', 200 * 1024), { board: 'emsdp' });
    expect(r.fits).toBe(false);
    expect(r.overflows.map((o) => o.region)).toEqual(['DCCM']);
    expect(r.overflows[0].over).toBe(region(r, 'DCCM').used - (128 - 8) * 1024);
    const text = formatSizeReport(r);
    expect(text).toMatch(/^DCCM .* OVERFLOW$/m);
    expect(text).toMatch(/^DOES NOT FIT: DCCM needs 200\.\d KiB but has 120\.0 KiB \(over by \d+\.\d KiB\)$/m);
    expect(text).toMatch(/largest in DCCM: \.bss\.mliflow_arena 200\.0 KiB \(model\.o\)/);
  });

  it('fails on warnings and on host-only code, with the compiler lines and a hint', async () => {
    const warn = project('warns', { 'a.c': 'int f(int x) { int y; return x; }\n' });
    await expect(sizeReport(warn)).rejects.toThrow(/a\.c:1:20: error: unused variable 'y' \[-Werror=unused-variable\]/);
    const hosted = project('hosted', { 'main.c': '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' });
    const err = (await sizeReport(hosted).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^1 of 1 C files do not compile for board "emsdp" with arc-linux-gnu-gcc \(main\.c\):/);
    expect(err.message).toMatch(/stdio\.h: No such file or directory/);
    expect(err.message).toMatch(/the emsdp build is freestanding/);
    expect(err.message).toMatch(/rerun: \S*arc-linux-gnu-gcc -mcpu=em4_fpuda/);
  });

  it('needs a board with a memory map', async () => {
    await expect(sizeReport(smallProject('on-host', 16), { board: 'host' })).rejects.toThrow(/board "host" has no memory map/);
  });
});

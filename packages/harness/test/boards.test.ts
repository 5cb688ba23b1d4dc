/** The board layer with real tools: board.json loading and errors, host build and run, an EM partial link. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, MliflowError } from '@mliflow/ir';
import { BuildError, DEFAULT_BOARD, listBoards, loadBoard, parseSize } from '../src/boards/index.js';
import { detectTool } from '../src/toolchain.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-boards-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** Stands in for codegen-c's Makefile: the target's flags baked in, CC and CFLAGS overridable. */
function makefile(cc: string, cflags: string[], ldflags: string[], sources: string[]): string {
  const objs = sources.map((s) => s.replace(/\.c$/, '.o')).join(' ');
  return [
    `CC ?= ${cc}`,
    `CFLAGS ?= ${cflags.join(' ')}`,
    `LDFLAGS ?= ${ldflags.join(' ')}`,
    `model_exe: ${objs}`,
    '\t$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS)',
    '%.o: %.c',
    '\t$(CC) $(CFLAGS) -c -o $@ $<',
    '',
  ].join('\n');
}

/** Reverses each byte record: IN.bin -> OUT.bin, as a generated host executable would map inputs to outputs. */
const HOST_MAIN = `#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s IN.bin OUT.bin\\n", argv[0]); return 2; }
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  if (!in || !out) return 3;
  unsigned char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, in);
  for (size_t i = 0; i < n / 2; i++) { unsigned char t = buf[i]; buf[i] = buf[n - 1 - i]; buf[n - 1 - i] = t; }
  fwrite(buf, 1, n, out);
  fclose(in);
  return fclose(out) ? 4 : 0;
}
`;

describe('loading boards', () => {
  it('finds the boards in boards/ and defaults to host', () => {
    const names = listBoards();
    expect(names).toContain('host');
    expect(names).toContain('emsdp');
    expect(DEFAULT_BOARD).toBe('host');
  });

  it('gives the host a target with a host main and no sections', () => {
    const t = loadBoard('host').target();
    expect(t).toMatchObject({ name: 'host', cc: 'gcc', hostMain: true, weightsSection: null, arenaSection: null });
    expect(t.cflags).toContain('-Werror');
  });

  it('gives the EMSDP an EM target with its sections and memory map', () => {
    const b = loadBoard('emsdp');
    const t = b.target();
    expect(t).toMatchObject({ name: 'emsdp', cc: 'arc-linux-gnu-gcc', hostMain: false, weightsSection: '.mli_model', arenaSection: '.bss.mliflow_arena' });
    expect(t.cflags).toEqual(expect.arrayContaining(['-mcpu=em4_fpuda', '-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-ffreestanding']));
    expect(t.ldflags).toEqual(['-nostdlib', '-r']);
    const dccm = b.spec.memory.regions.find((r) => r.name === 'DCCM');
    expect(dccm).toMatchObject({ origin: 0x80000000, length: 128 * 1024 });
    expect(b.spec.memory.placement.arena.map((c) => c.region)).toEqual(['DCCM', 'SRAM', 'PSRAM']);
    expect(b.run).toBeUndefined();
  });

  it('names the available boards when the board is unknown', () => {
    expect(() => loadBoard('emsdp2')).toThrow(MliflowError);
    expect(() => loadBoard('emsdp2')).toThrow(/unknown board "emsdp2"; available boards: .*emsdp.*host/);
    expect(() => loadBoard('../boards/host')).toThrow(/unknown board/);
  });

  it('says which file and field is wrong in a bad board.json', () => {
    const dir = join(tmp, 'bad-boards');
    const good = JSON.parse(readFileSync(join(loadBoard('emsdp').dir, 'board.json'), 'utf8'));
    const write = (name: string, doc: unknown): void => {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'board.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
    };
    write('nojson', '{ "name": ');
    write('nocc', { ...good, name: 'nocc', toolchain: { ...good.toolchain, cc: '' } });
    write('badregion', { ...good, name: 'badregion', memory: { ...good.memory, placement: { ...good.memory.placement, arena: { section: '.Zdata', region: 'TCM' } } } });
    write('badsize', { ...good, name: 'badsize', memory: { ...good.memory, regions: [{ name: 'R', origin: '0x0', length: 'lots' }], placement: {} } });
    write('misnamed', { ...good, name: 'other' });
    const clash = [{ section: '.bss.a', region: 'DCCM' }, { section: '.bss.a.b', region: 'PSRAM' }];
    write('clash', { ...good, name: 'clash', memory: { ...good.memory, placement: { ...good.memory.placement, arena: clash } } });
    expect(() => loadBoard('nojson', { dir })).toThrow(/nojson\/board\.json: not valid JSON/);
    expect(() => loadBoard('nocc', { dir })).toThrow(/toolchain\.cc must be a non-empty string/);
    expect(() => loadBoard('badregion', { dir })).toThrow(/memory\.placement\.arena\.region names region "TCM", which memory\.regions does not define/);
    expect(() => loadBoard('badsize', { dir })).toThrow(/memory\.regions\[0\]\.length must be a size/);
    expect(() => loadBoard('clash', { dir })).toThrow(/memory\.placement\.arena\[1\]\.section "\.bss\.a\.b" clashes with memory\.placement\.arena\[0\]\.section "\.bss\.a"/);
    expect(() => loadBoard('misnamed', { dir })).toThrow(/"name" is "other" but the folder is "misnamed"/);
  });

  it('reads sizes written as hex, K, M or numbers', () => {
    expect(parseSize('0xa0000000')).toBe(0xa0000000);
    expect(parseSize('128K')).toBe(131072);
    expect(parseSize('16M')).toBe(16 * 1024 * 1024);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('12 apples')).toBeNull();
  });

  it('flashes the EMSDP only when its loader and its port are here; otherwise exit 4 naming them', async () => {
    const b = loadBoard('emsdp');
    const e = await b.flash!(tmp, join(tmp, 'build', 'app.elf')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MliflowError);
    expect((e as MliflowError).exitCode).toBe(EXIT.needsHardware);
    expect((e as MliflowError).message).toMatch(/no serial port with USB id 0403:6010/);
    expect((e as MliflowError).message).toMatch(/The image is built: .*app\.elf/);
    expect(loadBoard('host').flash).toBeUndefined();
  });
});

describe('host board', () => {
  const host = loadBoard('host');
  const t = host.target();

  it('builds with make and runs the executable on input bytes', async () => {
    const dir = project('host-ok', { 'main.c': HOST_MAIN, Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']) });
    const lines: string[] = [];
    const b = await host.build(dir, { executable: 'model_exe', onLine: (l) => lines.push(l) });
    expect(b.executable).toBe(join(dir, 'model_exe'));
    expect(b.command).toMatch(/^make -C \S+ -j\d+ CC=gcc AR=ar$/);
    expect(lines.some((l) => l.includes('-c -o main.o main.c'))).toBe(true);
    const r = await host.run!(dir, new Uint8Array([1, 2, 3, 250]), join(dir, 'out.bin'), { executable: 'model_exe' });
    expect([...r.output]).toEqual([250, 3, 2, 1]);
  });

  it('runs under valgrind memcheck when asked', async () => {
    if (!(await detectTool('valgrind'))) {
      console.warn('valgrind is not installed: skipping the memcheck run (apt-get install -y valgrind)');
      return;
    }
    const dir = project('host-memcheck', { 'main.c': HOST_MAIN, Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']) });
    await host.build(dir, { executable: 'model_exe' });
    const input = join(dir, 'in.bin');
    writeFileSync(input, new Uint8Array([9, 8, 7]));
    const r = await host.run!(dir, input, join(dir, 'out.bin'), { executable: 'model_exe', memcheck: true });
    expect([...r.output]).toEqual([7, 8, 9]);

    const leaky = project('host-leak', {
      'main.c': HOST_MAIN.replace('int main(int argc, char **argv) {', 'int main(int argc, char **argv) {\n  volatile char *leak = malloc(64); leak[0] = 1; leak = 0;'),
      Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']),
    });
    await host.build(leaky, { executable: 'model_exe' });
    await expect(host.run!(leaky, input, join(leaky, 'out.bin'), { executable: 'model_exe', memcheck: true })).rejects.toThrow(
      /valgrind found memory errors/,
    );
  });

  it('reports the first compiler errors when the build fails', async () => {
    const bad = HOST_MAIN.replace('size_t n = fread', 'int unused = 1;\n  size_t n = fread');
    const dir = project('host-bad', { 'main.c': bad, Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']) });
    const err = await host.build(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    const msg = (err as BuildError).message;
    expect(msg).toMatch(/build for board "host" failed in .*host-bad \(make exited with 2\)/);
    expect(msg).toMatch(/main\.c:\d+:\d+: error: unused variable 'unused' \[-Werror=unused-variable\]/);
    expect(msg).toMatch(/rerun: make -C /);
    expect((err as BuildError).log).toContain('cc1: all warnings being treated as errors');
  });

  it('says when the executable is missing or the folder is not a project', async () => {
    await expect(host.build(join(tmp, 'nowhere'))).rejects.toThrow(/no Makefile/);
    const dir = project('host-norun', { 'main.c': HOST_MAIN, Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']) });
    await expect(host.run!(dir, new Uint8Array(1), join(dir, 'o.bin'), { executable: 'model_exe' })).rejects.toThrow(/build the project first/);
  });
});

const arcGcc = await detectTool('arc-linux-gnu-gcc');
if (!arcGcc) console.warn('arc-linux-gnu-gcc is not installed: skipping the EMSDP build tests (apt-get install -y gcc-arc-linux-gnu)');

describe.skipIf(!arcGcc)('emsdp board build', () => {
  const emFiles = (t: ReturnType<ReturnType<typeof loadBoard>['target']>) => ({
    'weights.c': `#include <stdint.h>\n__attribute__((section("${t.weightsSection}"))) const int8_t w[64] = {1};\n`,
    'model.c':
      `#include <stdint.h>\n#include <stddef.h>\nextern const int8_t w[64];\n` +
      `__attribute__((section("${t.arenaSection}"), aligned(${t.alignment}))) int8_t arena[256];\n` +
      `int32_t model_run(size_t n) { int32_t s = 0; for (size_t i = 0; i < n && i < 64; i++) s += w[i] * arena[i]; return s; }\n`,
  });

  it('compiles freestanding EM code and partially links it into one relocatable object', async () => {
    const b = loadBoard('emsdp');
    const t = b.target();
    const dir = project('emsdp-ok', { ...emFiles(t), Makefile: makefile(t.cc, t.cflags, t.ldflags, ['model.c', 'weights.c']) });
    const r = await b.build(dir, { executable: 'model_exe' });
    const elf = readFileSync(r.executable!);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(16)).toBe(1); // ET_REL: a partial link, for the board's runtime to link
    expect(elf.readUInt16LE(18)).toBe(195); // EM_ARC_COMPACT2 (ARCv2)
  });

  it("archives EM objects with the board's ar", async () => {
    const b = loadBoard('emsdp');
    const t = b.target();
    const lib = [
      `CC ?= ${t.cc}`,
      `CFLAGS ?= ${t.cflags.join(' ')}`,
      'AR ?= ar',
      'build/libmodel.a: build/model.o build/weights.o',
      '\t$(AR) rcs $@ $^',
      'build/%.o: %.c',
      '\t@mkdir -p build',
      '\t$(CC) $(CFLAGS) -c -o $@ $<',
      '',
    ].join('\n');
    const dir = project('emsdp-lib', { ...emFiles(t), Makefile: lib });
    const r = await b.build(dir, { executable: 'build/libmodel.a' });
    expect(r.command).toMatch(/CC=arc-linux-gnu-gcc AR=arc-linux-gnu-ar$/);
    // A GNU archive whose first member, "/", is the symbol index a later link needs.
    expect(readFileSync(r.executable!).subarray(0, 10).toString('latin1')).toBe('!<arch>\n/ ');
  });

  it('rejects libc headers: there is no libc for the EM here', async () => {
    const b = loadBoard('emsdp');
    const t = b.target();
    const dir = project('emsdp-stdio', {
      'main.c': HOST_MAIN,
      Makefile: makefile(t.cc, t.cflags, t.ldflags, ['main.c']),
    });
    await expect(b.build(dir)).rejects.toThrow(/stdio\.h: No such file or directory/);
  });
});

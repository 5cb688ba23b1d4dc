/** `mliflow deploy` as users run it, for what the serial flow adds: reports, the EMSDP plan, missing tools. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../src/toolchain.js';
import { REPO_ROOT, SHARED } from '../../../test/paths.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'harness', 'src', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-deploy-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function mliflow(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('mliflow deploy', () => {
  it('--report writes the JSON report, and Markdown and HTML ones with the per-record and operator tables', async () => {
    const report = join(tmp, 'host', 'report.json');
    const r = await mliflow({}, 'deploy', '--board', 'host', '--out', join(tmp, 'host'), '--report', report);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/record\s+result\s+count\s+ms/); // the host counts nothing; QEMU says instructions, a board cycles
    expect(r.stdout).toMatch(/wire efficiency/);
    const doc = JSON.parse(readFileSync(report, 'utf8'));
    expect(doc.records).toHaveLength(4);
    expect(doc.link.firmware.kernels).toBe('portable');
    const md = readFileSync(join(tmp, 'host', 'report.md'), 'utf8');
    expect(md).toMatch(/\*\*PASS/);
    expect(md).toMatch(/\| 3 \| pass \|/);
    expect(md).toMatch(/## Operators/);
    const html = readFileSync(join(tmp, 'host', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/<p class="verdict pass">PASS/);
    expect(html.match(/<tr class="pass"><td class="n">\d+<\/td>/g)).toHaveLength(4);
    expect(html).toMatch(/<h2>Operators<\/h2>/);
  }, 300_000);

  it("without --vectors, a shared model's random records are its shared ones (the same generator as golden)", async () => {
    const out = join(tmp, 'kws');
    const r = await mliflow({}, 'deploy', join(SHARED, 'models', 'kws_ref_model.tflite'), '--board', 'host', '--count', '16', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'inputs.bin'))).toEqual(readFileSync(join(SHARED, 'vectors', 'kws_ref_model', 'inputs.bin')));
  }, 300_000);

  it('emsdp --dry-run prints the whole plan: build app.elf, OpenOCD and gdb or mdb, the console UART by USB id', async () => {
    const r = await mliflow({}, 'deploy', '--board', 'emsdp', '--dry-run', '--out', join(tmp, 'em'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/not possible/);
    expect(r.stdout).toMatch(/^2\. build the firmware .*make -C .* -f firmware\.mk CC=arc-linux-gnu-gcc .*build\/app\.elf$/m);
    expect(r.stdout).toMatch(/openocd .*-f fw\/openocd\.cfg/);
    expect(r.stdout).toMatch(/arc-elf32-gdb .*load .*build\/app\.elf/);
    expect(r.stdout).toMatch(/mdb -digilent .*build\/app\.elf/);
    expect(r.stdout).toMatch(/115200 baud.*0403:6010/);
  }, 60_000);

  it.skipIf(!findOnPath('arc-linux-gnu-gcc'))('emsdp without the board or its loader: builds app.elf, then exit 4 naming what is missing and how to get it', async () => {
    const r = await mliflow({ MLI_ROOT: join(SHARED, 'mli', 'embarc_mli-2.0.2') }, 'deploy', '--board', 'emsdp', '--out', join(tmp, 'em2'));
    expect(r.code, r.stderr).toBe(4);
    const image = join(tmp, 'em2', 'project', 'build', 'app.elf');
    expect(existsSync(image)).toBe(true);
    expect(r.stdout).toContain(`stopped after building the firmware: ${image}`);
    expect(r.stderr).toContain(`firmware image: ${image}`);
    expect(r.stdout).toMatch(/needs .*(openocd|arc-elf32-gdb).*ARC GNU toolchain/);
    expect(r.stdout).toMatch(/no serial port with USB id 0403:6010/);
  }, 300_000);

  it.skipIf(!findOnPath('arc-linux-gnu-gcc'))('qemu-arc-em without QEMU: exit 3, one line, before compiling', async () => {
    const r = await mliflow({}, 'deploy', '--board', 'qemu-arc-em', '--qemu', join(tmp, 'no-such-qemu'), '--out', join(tmp, 'q'));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--qemu .*no-such-qemu: no executable there/);
    expect(existsSync(join(tmp, 'q', 'project'))).toBe(false); // found out before compiling
  }, 300_000);
});

describe('mliflow eval --board', () => {
  const datasets = join(SHARED, 'datasets');
  const qemu = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
  for (const board of ['host', 'qemu-arc-em']) {
    it.skipIf(board === 'qemu-arc-em' && (!existsSync(qemu) || !findOnPath('arc-linux-gnu-gcc')))(
      `${board}: kws01 through the board gives the golden executor's top-1 class on every record (first 40)`,
      async () => {
        const r = await mliflow({ MLIFLOW_DATASETS: datasets }, 'eval', join(SHARED, 'models', 'kws_ref_model.tflite'), '--dataset', 'kws01', '--limit', '40', '--board', board, '--qemu', qemu, '--json');
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout);
        expect(doc.same).toBe(true);
        expect(doc.board.records).toBe(40);
        expect(doc.board.correct).toBe(doc.golden.correct);
      },
      300_000,
    );
  }
});

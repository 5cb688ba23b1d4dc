/**
 * The mliflow CLI as users run it: a real process, real models, real files. Bad input must
 * give one line naming the file and what is wrong, exit code 2, and never a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as flatbuffers from 'flatbuffers';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../src/toolchain.js';
import { diffBytes } from '../../../test/compare.js';
import { MODELS, REPO_ROOT, VECTORS } from '../../../test/paths.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'harness', 'src', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI as a child process, asynchronously so the test worker stays responsive. */
function mliflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A one-line error: exit 2, the message names `what`, no stack frames. */
function expectCleanError(r: { code: number; stdout: string; stderr: string }, ...what: (string | RegExp)[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const w of what) expect(r.stderr).toMatch(w);
}

/** Positions of an OperatorCode's and a Tensor's fields, found through the FlatBuffer vtables. */
function fieldPos(bytes: Uint8Array, path: (bb: flatbuffers.ByteBuffer, root: number) => number, field: number): number {
  const bb = new flatbuffers.ByteBuffer(bytes);
  const table = path(bb, bb.readUint32(0));
  const vt = table - bb.readInt32(table);
  const off = bb.readUint16(vt + 4 + 2 * field);
  if (!off) throw new Error('field absent');
  return table + off;
}
const deref = (bb: flatbuffers.ByteBuffer, table: number, field: number): number => {
  const vt = table - bb.readInt32(table);
  const p = table + bb.readUint16(vt + 4 + 2 * field);
  return p + bb.readUint32(p);
};
const vecItem = (bb: flatbuffers.ByteBuffer, vec: number, i: number): number => {
  const p = vec + 4 + 4 * i;
  return p + bb.readUint32(p);
};

describe('mliflow CLI', () => {
  it('prints help for every command, and the command list', async () => {
    const top = await mliflow('--help');
    expect(top.code).toBe(0);
    for (const cmd of ['inspect', 'run', 'compile', 'deploy', 'example']) {
      expect(top.stdout).toContain(cmd);
      const h = await mliflow(cmd, '--help');
      expect(h.code, h.stderr).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^usage: pnpm mliflow ${cmd}`));
    }
  });

  it('rejects unknown commands and options with exit code 2', async () => {
    expect((await mliflow('frobnicate')).code).toBe(2);
    const r = await mliflow('inspect', '--frob', join(MODELS, 'kws_ref_model.tflite'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--frob/);
  });

  it('inspect --json lists operators, quantization, MACs and weights', async () => {
    const r = await mliflow('inspect', join(MODELS, 'kws_ref_model.tflite'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.operators).toHaveLength(13);
    expect(info.operatorCounts).toMatchObject({ conv_2d: 5, depthwise_conv_2d: 4, average_pool_2d: 1, fully_connected: 1, softmax: 1 });
    expect(info.inputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 49, 10, 1], quantization: { zeroPoint: [83] } });
    expect(info.totals.macs).toBeGreaterThan(2_000_000);
    expect(info.totals.weightBytes).toBeGreaterThan(20_000);
    // Per-channel weights report their axis.
    const conv = info.tensors[info.operators[0].inputs[1]];
    expect(conv.quantization.axis).toBe(0);
    expect(conv.quantization.scale.length).toBe(conv.shape[0]);
  });

  it('inspect prints a table a person can read', async () => {
    const r = await mliflow('inspect', join(MODELS, 'person_detect.tflite'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/depthwise_conv_2d/);
    expect(r.stdout).toMatch(/per-channel axis/);
  });

  it.each(['kws_ref_model', 'micro_speech_quantized', 'trained_lstm_int8'])('run reproduces TFLite Micro for %s', async (m) => {
    const out = join(tmp, `${m}.out.bin`);
    const r = await mliflow('run', join(MODELS, `${m}.tflite`), '--inputs', join(VECTORS, m, 'inputs.bin'), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const d = diffBytes(new Uint8Array(readFileSync(out)), new Uint8Array(readFileSync(join(VECTORS, m, 'expected.tflm.bin'))));
    expect(d.summary).toBe('0 differing bytes');
  });

  it('run --count and --json', async () => {
    const out = join(tmp, 'count.bin');
    const r = await mliflow('run', join(MODELS, 'kws_ref_model.tflite'), '--inputs', join(VECTORS, 'kws_ref_model', 'inputs.bin'), '--out', out, '--count', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).records).toBe(3);
    expect(readFileSync(out).length).toBe(36);
  });

  describe('bad input', () => {
    const model = readFileSync(join(MODELS, 'hello_world_int8.tflite'));
    const write = (name: string, bytes: Uint8Array): string => {
      const p = join(tmp, name);
      writeFileSync(p, bytes);
      return p;
    };

    it('a missing file', async () => {
      expectCleanError(await mliflow('inspect', join(tmp, 'nope.tflite')), /nope\.tflite/, /cannot read/);
    });

    it('a truncated file', async () => {
      const p = write('truncated.tflite', model.subarray(0, Math.floor(model.length / 2)));
      expectCleanError(await mliflow('inspect', p), /truncated\.tflite/, /truncated or corrupt/);
    });

    it('a file that is not a FlatBuffer', async () => {
      const p = write('text.tflite', new TextEncoder().encode('this is not a model at all\n'));
      expectCleanError(await mliflow('inspect', p), /text\.tflite/, /TFL3/);
    });

    it('a FlatBuffer without the TFL3 identifier', async () => {
      const b = new Uint8Array(model);
      b.set(new TextEncoder().encode('XXXX'), 4);
      expectCleanError(await mliflow('inspect', write('ident.tflite', b)), /ident\.tflite/, /"XXXX"/);
    });

    it('an out-of-range tensor index', async () => {
      const b = new Uint8Array(model);
      // subgraphs[0].operators[0].inputs[0] = 999
      const bb = new flatbuffers.ByteBuffer(b);
      const sg = vecItem(bb, deref(bb, bb.readUint32(0), 2), 0);
      const op = vecItem(bb, deref(bb, sg, 3), 0);
      const inputs = deref(bb, op, 1);
      new DataView(b.buffer, b.byteOffset).setInt32(inputs + 4, 999, true);
      expectCleanError(await mliflow('inspect', write('index.tflite', b)), /index\.tflite/, /operator #0/, /tensor 999/);
    });

    it('an out-of-range buffer index', async () => {
      const b = new Uint8Array(model);
      const pos = fieldPos(b, (bb, root) => vecItem(bb, deref(bb, vecItem(bb, deref(bb, root, 2), 0), 0), 1), 2);
      new DataView(b.buffer, b.byteOffset).setUint32(pos, 4000, true);
      expectCleanError(await mliflow('inspect', write('buffer.tflite', b)), /buffer\.tflite/, /buffer 4000/);
    });

    it('an unsupported operator is named', async () => {
      const b = new Uint8Array(model);
      // operator_codes[0]: FULLY_CONNECTED (9) becomes LOCAL_RESPONSE_NORMALIZATION (13).
      const code = (bb: flatbuffers.ByteBuffer, root: number): number => vecItem(bb, deref(bb, root, 1), 0);
      b[fieldPos(b, code, 0)] = 13;
      try {
        new DataView(b.buffer, b.byteOffset).setInt32(fieldPos(b, code, 3), 13, true);
      } catch {
        // old files carry only the deprecated byte-sized code
      }
      expectCleanError(await mliflow('inspect', write('op.tflite', b)), /op\.tflite/, /LOCAL_RESPONSE_NORMALIZATION/, /not support/);
    });

    it('an unsupported dtype is named', async () => {
      const b = new Uint8Array(model);
      const pos = fieldPos(b, (bb, root) => vecItem(bb, deref(bb, vecItem(bb, deref(bb, root, 2), 0), 0), 0), 1);
      b[pos] = 1; // FLOAT16
      expectCleanError(await mliflow('inspect', write('dtype.tflite', b)), /dtype\.tflite/, /FLOAT16/);
    });

    it('inputs that are not a whole number of records', async () => {
      const p = write('odd.bin', new Uint8Array(7));
      const r = await mliflow('run', join(MODELS, 'kws_ref_model.tflite'), '--inputs', p, '--out', join(tmp, 'odd.out'));
      expectCleanError(r, /odd\.bin \(inputs of .*kws_ref_model\.tflite\)/, /7 bytes is not a whole number of 490-byte records/);
    });

    it('an empty inputs file', async () => {
      const p = write('empty.bin', new Uint8Array(0));
      const r = await mliflow('run', join(MODELS, 'kws_ref_model.tflite'), '--inputs', p, '--out', join(tmp, 'empty.out'));
      expectCleanError(r, /empty\.bin/, /the file is empty/);
    });

    it('a --top that is not a number', async () => {
      const r = await mliflow('run', join(MODELS, 'kws_ref_model.tflite'), '--inputs', join(VECTORS, 'kws_ref_model', 'inputs.bin'), '--out', join(tmp, 't.out'), '--top', 'abc');
      expectCleanError(r, /--top must be a positive whole number, got "abc"/);
    });

    it('a missing required option', async () => {
      expectCleanError(await mliflow('run', join(MODELS, 'kws_ref_model.tflite')), /--inputs/);
    });

    it('an unknown board lists the boards there are', async () => {
      const r = await mliflow('compile', join(MODELS, 'kws_ref_model.tflite'), '--board', 'nosuchboard', '--out', join(tmp, 'x'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/nosuchboard/);
      expect(r.stderr).toMatch(/emsdp/);
      expect(r.stderr).toMatch(/host/);
    });
  });

  it.skipIf(!findOnPath('arc-linux-gnu-gcc'))('deploy on the emsdp board builds the firmware, then stops with exit code 4 (no board here)', async () => {
    const r = await mliflow('deploy', '--board', 'emsdp', '--out', join(tmp, 'emsdp'), '--json');
    expect(r.code, r.stderr).toBe(4);
    const res = JSON.parse(r.stdout);
    expect(res.compile.sizeReport.fits).toBe(true);
    expect(res.stopped).toMatch(/stopped after building the firmware: \S+app\.elf .*needs /);
    expect(res.build.image).toMatch(/build\/app\.elf$/);
  });

  it('deploy on the host board: the example network, bit-exact with the golden executor', async () => {
    const out = join(tmp, 'deploy');
    const r = await mliflow('deploy', '--board', 'host', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.bitExact).toBe(true);
    expect(res.run.records).toBe(4);
    expect(res.comparison[0].differing).toBe(0);
  });

  it('example writes a model that the reader and executor accept', async () => {
    const out = join(tmp, 'example');
    const r = await mliflow('example', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.info.operators.length).toBeGreaterThan(4);
    expect(doc.top).toHaveLength(4);
    expect(readdirSync(out)).toContain('example_kws.tflite');
  });
});

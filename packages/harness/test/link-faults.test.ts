/**
 * The serial link under faults. A proxy on a real pty pair sits between the harness and the host
 * board's pty; it drops, corrupts and duplicates 1% of the bytes each way and resets the board
 * once. Over 1,000 records every record ends with the golden executor's outputs or a clear
 * failure, never a wrong verdict. Also: a board running another model is refused.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort, SlipEncoder } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoldenExecutor, prng, readValidatedTfliteFile, recordBytes } from '@mliflow/ir';
import { loadBoard } from '../src/boards/index.js';
import { buildFirmware, mliflowVersion, startFirmware, writeFirmware, type FirmwareSession } from '../src/boards/firmware.js';
import { compileForBoard } from '../src/compile.js';
import { BoardClient, IdentityError } from '../src/transport/client.js';
import { LinkError, SerialLink } from '../src/transport/link.js';
import { framePayload, TYPE } from '../src/transport/protocol.js';
import { MODELS, SHARED } from '../../../test/paths.js';
import { findOnPath } from '../src/toolchain.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-link-'));
const MODEL = join(MODELS, 'hello_world_int8.tflite');
const g = readValidatedTfliteFile(MODEL);
const hash = createHash('sha256').update(readFileSync(MODEL)).digest('hex').slice(0, 16);
const board = loadBoard('host');
const project = join(tmp, 'project');
const QEMU = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
const hasQemu = existsSync(QEMU) && !!findOnPath('arc-linux-gnu-gcc');
const qemuBoard = loadBoard('qemu-arc-em');
const qemuProject = join(tmp, 'qemu-project');
const expected = { modelHash: hash, model: 'hello_world_int8', inputBytes: [recordBytes(g, 'inputs')], outputBytes: [recordBytes(g, 'outputs')], kernels: 'portable' };

beforeAll(async () => {
  await compileForBoard(g, MODEL, board, project, { modelName: 'hello_world_int8' });
  writeFirmware(board, project, { ...expected, version: mliflowVersion(), numerics: 'tflite', debug: false, inputs: 1, outputs: 1 });
  await buildFirmware(board, project);
  if (hasQemu) {
    await compileForBoard(g, MODEL, qemuBoard, qemuProject, { modelName: 'hello_world_int8' });
    writeFirmware(qemuBoard, qemuProject, { ...expected, version: mliflowVersion(), numerics: 'tflite', debug: false, inputs: 1, outputs: 1 });
    await buildFirmware(qemuBoard, qemuProject);
  }
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', join(import.meta.dirname, 'fixtures', 'ptyrelay.c'), '-o', join(tmp, 'ptyrelay')]);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** relay pty <-> proxy (faults) <-> board pty. Returns the pty the harness opens. */
async function faultyProxy(boardPort: string, rate: number, seed: number) {
  const relay = spawn(join(tmp, 'ptyrelay'), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const toBoard = new SerialPort({ path: boardPort, baudRate: 115200 });
  const rand = prng(seed);
  const faults = { dropped: 0, corrupted: 0, duplicated: 0, resets: 0 };
  const mangle = (chunk: Buffer): Buffer => {
    const out: number[] = [];
    for (const b of chunk) {
      const x = rand();
      if (x < rate) {
        faults.dropped++;
      } else if (x < 2 * rate) {
        faults.corrupted++;
        out.push(b ^ (1 + Math.floor(rand() * 255)));
      } else if (x < 3 * rate) {
        faults.duplicated++;
        out.push(b, b);
      } else {
        out.push(b);
      }
    }
    return Buffer.from(out);
  };
  let pendingReset = false;
  const reset = new SlipEncoder({ bluetoothQuirk: true });
  reset.on('data', (frame: Buffer) => toBoard.write(frame));
  toBoard.on('data', (d: Buffer) => relay.stdin.write(mangle(d)));
  let harnessPort = '';
  let text = '';
  await new Promise<void>((res) => {
    relay.stdout.on('data', (d: Buffer) => {
      if (!harnessPort) {
        text += d.toString();
        const m = /redirected to (\S+)/.exec(text);
        if (m) {
          harnessPort = m[1];
          res();
        }
        return;
      }
      toBoard.write(mangle(d));
      if (pendingReset) {
        pendingReset = false;
        faults.resets++;
        reset.write(framePayload(TYPE.RESET, 0, new Uint8Array(0)));
      }
    });
  });
  return {
    port: harnessPort,
    faults,
    resetOnce: () => {
      pendingReset = true;
    },
    async close() {
      relay.kill();
      await new Promise<void>((r) => toBoard.close(() => r()));
    },
  };
}

/** `records` records through the faulty proxy to the board on `port`; asserts no wrong verdict. */
async function faultyRun(port: string, records: number, timeoutMs: number): Promise<void> {
    const proxy = await faultyProxy(port, 0.01, 7);
    const link = await SerialLink.open(proxy.port, 115200, { timeoutMs, retries: 40 });
    const client = new BoardClient(link, { invokeTimeoutMs: 500 });
    const golden = new GoldenExecutor(g, { file: MODEL });
    const rand = prng(3);
    let right = 0;
    const failures: string[] = [];
    const wrong: number[] = [];
    try {
      await client.connect(expected);
      for (let r = 0; r < records; r++) {
        if (r === records / 2) proxy.resetOnce();
        const input = new Uint8Array([Math.floor(rand() * 256)]);
        const want = golden.run([input]).outputs[0];
        try {
          const got = await client.runRecord(input);
          if (got.output.length === want.length && got.output.every((x, i) => x === want[i])) right++;
          else wrong.push(r);
        } catch (e) {
          // A clear failure is allowed; it must be the link's one-line error.
          expect(e).toBeInstanceOf(LinkError);
          failures.push(`record ${r}: ${(e as Error).message}`);
        }
      }
    } finally {
      await link.shutdown();
      await proxy.close();
    }
    if (failures.length) console.log(failures.slice(0, 5).join('\n'));
    console.log(`faults ${JSON.stringify(proxy.faults)}; link ${JSON.stringify(link.stats)}; ${right} right, ${failures.length} clear failures, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(right + failures.length).toBe(records);
    expect(proxy.faults.resets).toBe(1);
    expect(link.stats.boots).toBeGreaterThanOrEqual(1);
    expect(proxy.faults.dropped + proxy.faults.corrupted + proxy.faults.duplicated).toBeGreaterThan(records / 10);
    expect(right).toBeGreaterThan(records * 0.99);
}

describe('the serial link', () => {
  let session: FirmwareSession;
  beforeAll(async () => {
    session = await startFirmware(board, project);
  });
  afterAll(async () => session?.stop());

  it('1,000 records through a proxy that drops, corrupts and duplicates 1% of bytes and resets the board once: never a wrong verdict', async () => {
    await faultyRun(session.port, 1000, 100);
  }, 600_000);

  it('refuses a board that runs another model', async () => {
    const link = await SerialLink.open(session.port, 115200, { timeoutMs: 300 });
    try {
      const client = new BoardClient(link, { invokeTimeoutMs: 1000 });
      const other = { ...expected, modelHash: '0123456789abcdef', model: 'kws_ref_model' };
      await expect(client.connect(other, 500)).rejects.toThrow(IdentityError);
      await expect(client.connect(other, 0)).rejects.toThrow(/runs model "hello_world_int8" \(hash [0-9a-f]{16}\), not "kws_ref_model"/);
    } finally {
      await link.shutdown();
    }
  }, 60_000);
});

describe.skipIf(!hasQemu)('the serial link to the emulated ARC EM', () => {
  it('300 records through the faulty proxy, with one firmware reset on the ARC: never a wrong verdict', async () => {
    const session = await startFirmware(qemuBoard, qemuProject, { qemu: QEMU });
    try {
      await faultyRun(session.port, 300, 300);
    } finally {
      await session.stop();
    }
  }, 600_000);
});

/**
 * deploy over the serial link, on the host board (a process on its own pty) and on the emulated
 * ARC EM (QEMU): every record of every int8 model in ../shared/vectors, bit-exact with the golden
 * executor. QEMU comes from $MLIFLOW_QEMU_ARC or ../shared/sim/qemu-arc.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../src/boards/index.js';
import { findMli } from '../src/mli.js';
import { deploy, formatDeployResult } from '../src/deploy.js';
import { findOnPath } from '../src/toolchain.js';
import { SHARED, VECTORS, int8Models } from '../../../test/paths.js';

const QEMU = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
const hasQemu = existsSync(QEMU) && !!findOnPath('arc-linux-gnu-gcc');
if (!hasQemu) console.warn(`qemu-arc-em tests skipped: need ${QEMU} (or $MLIFLOW_QEMU_ARC) and arc-linux-gnu-gcc (bash scripts/setup-toolchains.sh)`);

/** The int8 models with shared vectors (the float ones run only on the host board's golden path). */
const INT8 = int8Models();

const MLI = process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2');
/**
 * mobilenet_v2 is the long one: under QEMU 1.5 G instructions a record with portable kernels (about
 * 25 s here) and 14.4 G on MLI's reference C (45 to 90 s), so its tests get an hour.
 */
const timeout = (model: string) => (model.startsWith('mobilenet') ? 3_600_000 : 900_000);

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-deploy-serial-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(boardName: string, model: string, count?: number, protocol?: 'mliflow' | 'mlperf-tiny', kernels: 'mli' | 'portable' = 'portable') {
  const dir = join(VECTORS, model);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { model: string; count: number };
  const board = loadBoard(boardName);
  const r = await deploy({
    kernels,
    ...(kernels === 'mli' ? { mli: findMli(board.spec, { root: MLI }) } : {}),
    model: join(SHARED, 'models', manifest.model),
    board,
    outDir: join(tmp, `${model}-${boardName}`),
    inputs: join(dir, 'inputs.bin'),
    count,
    qemu: QEMU,
    protocol,
    log: () => undefined,
  });
  return { r, records: count ?? manifest.count };
}

describe('deploy --board host over its pty', () => {
  for (const model of INT8) {
    it(`${model}: every record bit-exact`, async () => {
      const { r, records } = await run('host', model);
      expect(r.records).toHaveLength(records);
      expect(r.records.filter((x) => !x.pass)).toEqual([]);
      expect(r.bitExact).toBe(true);
      expect(r.link!.firmware.kernels).toBe('portable');
    }, timeout(model));
  }
});

describe.skipIf(!hasQemu)('deploy --board qemu-arc-em over the emulated UART', () => {
  for (const model of INT8) {
    it(`${model}: every record bit-exact, instructions counted`, async () => {
      const { r, records } = await run('qemu-arc-em', model);
      expect(r.records).toHaveLength(records);
      expect(r.records.filter((x) => !x.pass)).toEqual([]);
      expect(r.bitExact).toBe(true);
      for (const x of r.records) expect(x.count).toBeGreaterThan(0);
    }, timeout(model));
  }
});

describe('deploy names the first operator that differs', () => {
  it('a bias planted wrong in the generated weights of one operator is found there (host board)', async () => {
    let planted = -1;
    const plant = (projectDir: string): void => {
      const file = join(projectDir, 'weights.c');
      const text = readFileSync(file, 'utf8');
      const ops = [...text.matchAll(/mlf_p(\d+)_bias\[\d+\] MLF_WEIGHT = \{\n\s*(-?\d+)/g)].map((m) => Number(m[1]));
      planted = ops.filter((k) => k > 0)[1] ?? ops[0];
      writeFileSync(file, text.replace(new RegExp(`(mlf_p${planted}_bias\\[\\d+\\] MLF_WEIGHT = \\{\\n\\s*)(-?\\d+)`), (_, head: string, v: string) => `${head}${Number(v) + 100000}`));
    };
    const r = await deploy({
      model: join(SHARED, 'models', 'kws_ref_model.tflite'),
      board: loadBoard('host'),
      outDir: join(tmp, 'planted'),
      inputs: join(VECTORS, 'kws_ref_model', 'inputs.bin'),
      count: 2,
      log: () => undefined,
      alterProject: plant,
    });
    expect(r.bitExact).toBe(false);
    expect(r.records.some((x) => !x.pass)).toBe(true);
    const d = r.diagnosis!;
    expect('error' in d ? d.error : '').toBe('');
    if (!('error' in d)) {
      expect(d.operator).toBe(planted);
      expect(d.differing).toBeGreaterThan(0);
      expect(d.matched).toBeGreaterThan(0);
    }
    expect(formatDeployResult(r)).toMatch(new RegExp(`operator #${planted} \\w+ is the first to differ`));
  }, 300_000);
});

describe('deploy --protocol mlperf-tiny: the EEMBC runner\'s commands drive the same firmware', () => {
  for (const boardName of ['host', 'qemu-arc-em']) {
    it.skipIf(boardName === 'qemu-arc-em' && !hasQemu)(`${boardName}: kws_ref_model, 4 records bit-exact`, async () => {
      const { r } = await run(boardName, 'kws_ref_model', 4, 'mlperf-tiny');
      expect(r.records).toHaveLength(4);
      expect(r.bitExact).toBe(true);
      if (boardName === 'qemu-arc-em') for (const x of r.records) expect(x.count).toBeGreaterThan(0);
    }, 300_000);
  }
});

describe('deploy --kernels mli: embARC MLI 2.0.2, held to the golden executor under mli numerics', () => {
  for (const model of INT8) {
    it(`host: ${model}`, async () => {
      const { r, records } = await run('host', model, undefined, 'mliflow', 'mli');
      expect(r.records).toHaveLength(records);
      expect(r.records.filter((x) => !x.pass)).toEqual([]);
      expect(r.link!.firmware.kernels).toBe('mli');
      expect(r.link!.firmware.numerics).toMatch(/^mli/);
    }, timeout(model));
  }
  for (const model of INT8) {
    it.skipIf(!hasQemu)(`qemu-arc-em: ${model}`, async () => {
      const { r, records } = await run('qemu-arc-em', model, undefined, 'mliflow', 'mli');
      expect(r.records).toHaveLength(records);
      expect(r.records.filter((x) => !x.pass)).toEqual([]);
      expect(r.link!.firmware.kernels).toBe('mli');
      if (!model.startsWith('mobilenet')) for (const x of r.records) expect(x.count).toBeGreaterThan(0);
      // The 64-bit count: mobilenet_v2 on MLI runs past 2^32 instructions.
      else for (const x of r.records) expect(x.count).toBeGreaterThan(2 ** 32);
    }, timeout(model));
  }
});

describe('deploy into a folder used before', () => {
  it.skipIf(!hasQemu)('another board and model in the same --out: the old project does not get in the way', async () => {
    const outDir = join(tmp, 'reused');
    const once = async (boardName: string, model: string) =>
      deploy({
        model: join(SHARED, 'models', `${model}.tflite`),
        board: loadBoard(boardName),
        outDir,
        inputs: join(VECTORS, model, 'inputs.bin'),
        count: 2,
        qemu: QEMU,
        log: () => undefined,
      });
    expect((await once('host', 'kws_ref_model')).bitExact).toBe(true);
    expect((await once('qemu-arc-em', 'hello_world_int8')).bitExact).toBe(true);
    expect((await once('qemu-arc-em', 'kws_ref_model')).bitExact).toBe(true);
  }, 300_000);
});

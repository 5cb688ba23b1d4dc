/**
 * The MLI backend on the host, model by model and variant by variant: every int8 model with
 * TFLite Micro vectors compiles with kernels "mli", links the real embARC MLI 2.0.2 of each
 * of the four x86_64 variants, and gives 0 differing bytes against the golden executor's
 * `mli` numerics of that variant on every record (mobilenet_v2 too: about 100 s per variant
 * here). The heavy operators of the MLPerf Tiny
 * models and person_detect run on MLI; the first variant also runs under ASan and UBSan.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor } from '@mliflow/ir';
import { mliNumerics, type MliVariant } from '@mliflow/requant';
import { diffBytes } from '../../../test/compare.js';
import { compileModel, hostTarget, type GeneratedProject } from '../src/index.js';
import { int8Models } from '../../../test/paths.js';
import { firstRecords, hostMli, loadModel, make, run, VARIANTS } from './helpers.js';

/** Writes only files whose text changed, so make rebuilds only what a new variant changed. */
function writeChanged(p: GeneratedProject, dir: string): void {
  for (const [name, text] of p.files) {
    const path = join(dir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

const SAN_FLAGS = '-std=c99 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all';
/** Every conv, depthwise, fully connected, pool and add of these runs on MLI. */
const ALL_HEAVY_ON_MLI = new Set(['kws_ref_model', 'pretrainedResnet_quant', 'vww_96_int8', 'ad01_int8', 'person_detect']);
const HEAVY = new Set(['conv_2d', 'depthwise_conv_2d', 'fully_connected', 'average_pool_2d', 'max_pool_2d', 'add']);
const label = (v: MliVariant): string => `round ${v.roundMode}, FULL_ACCU ${v.fullAccu ? 'on' : 'off'}`;

describe.each(int8Models())('MLI host: %s', (name) => {
  const { g, vec, file } = loadModel(name);
  const dir = join(tmpdir(), `mlf-mli-${name}-${process.pid}`);
  afterAll(() => {
    if (!process.env.MLIFLOW_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  const records = vec.inputs;

  it.each(VARIANTS.map((v) => [label(v), v] as const))('%s: 0 differing bytes against the golden mli numerics on every record', async (_l, v) => {
    const p = compileModel(g, { target: hostTarget({ mli: hostMli(v) }), file, kernels: 'mli' });
    writeChanged(p, dir);
    await make(dir);
    writeFileSync(join(dir, 'in.bin'), records);
    await run(join(dir, p.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const golden = new GoldenExecutor(g, { file, numerics: mliNumerics(v) }).runRecords(records);
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), golden);
    expect(d.summary, `${name}, ${label(v)}: ${d.summary}`).toBe('0 differing bytes');
    expect(p.summary.arenaBytes).toBeLessThanOrEqual(p.summary.livenessBound);
    if (ALL_HEAVY_ON_MLI.has(name)) {
      const off = p.summary.operators.filter((o) => HEAVY.has(o.kind) && o.backend !== 'mli');
      expect(off.map((o) => `#${o.index} ${o.kind}: ${o.reason}`)).toEqual([]);
    }
  });

  it('runs clean under AddressSanitizer and UBSan, linked with the debug MLI (which checks every call)', async () => {
    const v: MliVariant = { roundMode: 'up', fullAccu: false };
    const p = compileModel(g, { target: hostTarget({ mli: hostMli(v, { debug: true }) }), file, kernels: 'mli' });
    writeChanged(p, dir);
    await make(dir, ['BUILD=build-san', `CFLAGS=${SAN_FLAGS}`, 'LDFLAGS=-fsanitize=address,undefined']);
    const { inputs } = firstRecords(vec, name.startsWith('mobilenet') ? 1 : 3);
    writeFileSync(join(dir, 'in-san.bin'), inputs);
    await run(join(dir, 'build-san', 'model'), [join(dir, 'in-san.bin'), join(dir, 'out-san.bin')], {
      ...process.env,
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    const golden = new GoldenExecutor(g, { file, numerics: mliNumerics(v) }).runRecords(inputs);
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out-san.bin'))), golden);
    expect(d.summary).toBe('0 differing bytes');
  });
});

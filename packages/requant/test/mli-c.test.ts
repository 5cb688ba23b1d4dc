/**
 * Every re-quantized int8 shared model (sym8, pow2-8, pow2-16x8) through the MLI backend:
 * compiled with kernels "mli", linked with the real embARC MLI 2.0.2 (round convergent,
 * FULL_ACCU on; kws_ref_model pow2-8 in the other three x86_64 variants too, pretrainedResnet_quant
 * sym8 in round up, FULL_ACCU off), run on the shared vectors' records (re-encoded for the new
 * input quantization; mobilenet_v2: 1 record), 0 differing bytes against the golden executor's
 * `mli` numerics of that variant. The heavy operators of the int8 schemes go to MLI;
 * the int16 operators of pow2-16x8 stay portable.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor } from '@mliflow/ir';
import { compileModel, hostTarget } from '@mliflow/codegen-c';
import { mliNumerics, type MliVariant, type SchemeName } from '../src/index.js';
import { diffBytes } from '../../../test/compare.js';
import { int8Models } from '../../../test/paths.js';
import { requantizedCase } from './helpers.js';
import { hostMli, make, run, tempProject, VARIANTS } from '../../codegen-c/test/helpers.js';

/** mobilenet_v2's golden mli run takes most of a minute per record here. */
const RECORD_LIMIT: Record<string, number> = { mobilenet_v2_quantized_1x3x224x224: 1 };
const HEAVY = new Set(['conv_2d', 'depthwise_conv_2d', 'fully_connected', 'average_pool_2d', 'max_pool_2d', 'add']);
const MAIN: MliVariant = { roundMode: 'convergent', fullAccu: true };
const label = (v: MliVariant): string => `round ${v.roundMode}, FULL_ACCU ${v.fullAccu ? 'on' : 'off'}`;

const cases: [string, SchemeName, MliVariant][] = [];
for (const name of int8Models({ io: 'int8' })) {
  for (const scheme of ['sym8', 'pow2-8', 'pow2-16x8'] as SchemeName[]) cases.push([name, scheme, MAIN]);
}
// The other three variants on one model, and a model with ADD in the variant furthest from MAIN.
for (const v of VARIANTS.filter((v) => v.roundMode !== MAIN.roundMode || v.fullAccu !== MAIN.fullAccu)) cases.push(['kws_ref_model', 'pow2-8', v]);
cases.push(['pretrainedResnet_quant', 'sym8', { roundMode: 'up', fullAccu: false }]);

const dirs: string[] = [];
afterAll(() => {
  if (!process.env.MLIFLOW_KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('requant on the MLI backend', () => {
  it.each(cases.map(([n, s, v]) => [`${n} ${s}, ${label(v)}`, n, s, v] as const))('%s: 0 differing bytes against the golden mli numerics', async (_l, name, scheme, v) => {
    const { file, g, inputs, records } = requantizedCase(name, scheme, RECORD_LIMIT[name]);
    const p = compileModel(g, { target: hostTarget({ mli: hostMli(v) }), file, kernels: 'mli' });
    const dir = tempProject(p, `mli-${name}-${scheme}`);
    dirs.push(dir);
    await make(dir);
    writeFileSync(join(dir, 'in.bin'), inputs);
    await run(join(dir, p.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const golden = new GoldenExecutor(g, { file, numerics: mliNumerics(v) }).runRecords(inputs);
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), golden);
    expect(d.summary, `${name} ${scheme}, ${label(v)}: ${d.summary}`).toBe('0 differing bytes');

    const heavy = p.summary.operators.filter((o) => HEAVY.has(o.kind));
    const onMli = p.summary.operators.filter((o) => o.backend === 'mli');
    console.log(`${name} ${scheme} ${label(v)}: ${records} records, ${onMli.length}/${p.summary.operators.length} ops on MLI`);
    if (scheme === 'pow2-16x8') {
      // int16 activations: the backend maps only MLI's sa8 kernels, so everything stays portable, and says why.
      expect(onMli.map((o) => `#${o.index} ${o.kind}`)).toEqual([]);
      expect(heavy.length).toBeGreaterThan(0);
      for (const o of heavy) expect(o.reason, `#${o.index} ${o.kind}`).toMatch(/^int16 tensor ".*": MLI's sa8 kernels take int8$/);
    } else {
      expect(heavy.filter((o) => o.backend !== 'mli').map((o) => `#${o.index} ${o.kind}: ${o.reason}`)).toEqual([]);
    }
  });
});

/**
 * The golden executor's 16x8 kernels (int16 activations, int8 weights) against the TFLite
 * runtime: real models turned into 16x8 form and synthetic graphs, written as .tflite,
 * run by both, 0 differing bytes. TFLite's runtime runs the reference 16x8 arithmetic for
 * int64 biases. It does not for int32 biases (it rounds once where TFLite Micro rounds
 * twice), nor for ADD with pot_scale_int16 set and power-of-two scales (its own
 * power-of-two path), nor for int16 MEAN, and it refuses int8 -> int16 QUANTIZE and 16x8
 * CONV_2D without bias: those graphs are checked against the generated C instead
 * (packages/codegen-c/test/int16.test.ts), which follows TFLite Micro's code independently.
 */
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, writeTflite } from '@mliflow/ir';
import { diffBytes } from './compare.js';
import { addPot, modelCase, synthetic, syntheticCases, type Case16 } from './cases16x8.js';
import { loadTfliteRuntime } from './tflite-runtime.js';

const runtime = loadTfliteRuntime();

async function compare(c: Case16): Promise<{ summary: string; differing: number }> {
  const model = await (await runtime).load(writeTflite(c.graph));
  const expected = model.runRecords(c.records, c.count);
  const actual = new GoldenExecutor(c.graph).runRecords(c.records, { count: c.count });
  return diffBytes(actual, expected);
}

describe('16x8 golden kernels against the TFLite runtime', () => {
  const cases = [
    () => modelCase('kws_ref_model', 10),
    () => modelCase('pretrainedResnet_quant', 5),
    () => modelCase('ad01_int8', 5),
    () => modelCase('micro_speech_quantized', 10),
    ...syntheticCases()
      .filter((c) => !c.notRuntime)
      .map((c) => () => c),
  ];
  it.each(cases.map((make) => [make().name, make] as const))('%s', async (_name, make) => {
    const d = await compare(make());
    expect(d.summary, d.summary).toBe('0 differing bytes');
  });

  // Where the runtime is not TFLite Micro's arithmetic, it shows as differing bytes here.
  it("TFLite runtime's 16x8 kernels with int32 biases round once (TFLite Micro rounds twice)", async () => {
    const d = await compare(modelCase('kws_ref_model', 10, { int32Bias: true }));
    expect(d.differing).toBeGreaterThan(0);
  });

  it("TFLite runtime's power-of-two ADD path (pot_scale_int16 true) is not TFLite Micro's general path", async () => {
    const d = await compare(synthetic('add, power-of-two scales, pot_scale_int16', 34, (b) => addPot(b, true)));
    expect(d.differing).toBeGreaterThan(0);
  });
});

/**
 * The example model: deterministic, valid, written by the writer, loaded by TFLite, and
 * within one LSB of the golden executor (XNNPACK requantizes in float).
 */
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, buildExampleModel, readTflite, validateGraph, writeTflite } from '../src/index.js';
import { loadTfliteRuntime } from '../../../test/tflite-runtime.js';

const FILE = 'example.tflite';
const RECORDS = 64;

describe('example model', () => {
  const g = buildExampleModel();
  const bytes = writeTflite(g);

  it('is deterministic and valid', () => {
    expect(Buffer.compare(writeTflite(buildExampleModel()), bytes)).toBe(0);
    validateGraph(g, FILE);
    const back = readTflite(bytes, FILE);
    const { info: _info, ...ir } = back;
    expect(ir).toEqual(g);
  });

  it('has the keyword-spotting shape and quantization', () => {
    const input = g.tensors[g.inputs[0]];
    expect([input.dtype, input.shape]).toEqual(['int8', [1, 49, 10, 1]]);
    const output = g.tensors[g.outputs[0]];
    expect([output.dtype, output.shape, output.quant?.scale, output.quant?.zeroPoint]).toEqual(['int8', [1, 12], [1 / 256], [-128]]);
    expect(g.ops.map((op) => op.kind)).toEqual(['conv_2d', 'depthwise_conv_2d', 'conv_2d', 'average_pool_2d', 'reshape', 'fully_connected', 'softmax']);
    const [conv, dw] = g.ops;
    expect(g.tensors[conv.inputs[1]].quant).toMatchObject({ axis: 0 });
    expect(g.tensors[conv.inputs[1]].quant!.scale.length).toBe(16);
    expect(g.tensors[dw.inputs[1]].quant).toMatchObject({ axis: 3 });
    expect(g.tensors[dw.inputs[1]].quant!.scale.length).toBe(16);
    for (const op of g.ops.filter((o) => o.inputs.length === 3)) expect(g.tensors[op.inputs[2]].dtype).toBe('int32');
  });

  it('TFLite loads it and agrees with the golden executor within one LSB', async () => {
    const ex = new GoldenExecutor(g, { file: FILE });
    let s = 1;
    const records = Uint8Array.from({ length: RECORDS * 490 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s >>> 24;
    });
    const model = await (await loadTfliteRuntime()).load(bytes);
    const tfl = new Int8Array(model.runRecords(records).buffer);
    const gold = new Int8Array(ex.runRecords(records).buffer);
    model.dispose();
    let maxDiff = 0;
    for (let i = 0; i < gold.length; i++) maxDiff = Math.max(maxDiff, Math.abs(tfl[i] - gold[i]));
    expect(tfl.length).toBe(RECORDS * 12);
    expect(maxDiff).toBeLessThanOrEqual(1);
    // Not degenerate: the probabilities move with the input.
    expect(new Set(gold).size).toBeGreaterThan(12);
  });
});

/**
 * validateGraph: every shared model and the example pass; each kind of defect is refused
 * with one line naming the file, the operator or tensor, and what is wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_ACTIVATION_BYTES,
  ModelFormatError,
  UnsupportedError,
  buildExampleModel,
  readTfliteFile,
  readValidatedTfliteFile,
  validateGraph,
  writeTflite,
  type Graph,
} from '../src/index.js';
import { MODELS, sharedModels } from '../../../test/paths.js';

const FILE = 'model.tflite';

/** A fresh copy of the example model and a way to find its tensors by name. */
function example(): { g: Graph; id: (name: string) => number } {
  const g = structuredClone(buildExampleModel());
  return {
    g,
    id: (name) => {
      const i = g.tensors.findIndex((t) => t.name === name);
      if (i < 0) throw new Error(`no tensor ${name}`);
      return i;
    },
  };
}

function refusal(g: Graph): Error {
  try {
    validateGraph(g, FILE);
  } catch (e) {
    const err = e as Error;
    expect(err.message).not.toContain('\n');
    expect(err.message.startsWith(`${FILE}: `)).toBe(true);
    return err;
  }
  throw new Error('validateGraph accepted the graph');
}

describe('validateGraph', () => {
  it.each(sharedModels())('accepts %s', (name) => {
    validateGraph(readTfliteFile(join(MODELS, `${name}.tflite`)), name);
  });

  it('accepts the example model', () => {
    validateGraph(buildExampleModel(), FILE);
  });

  const cases: [string, (x: ReturnType<typeof example>) => void, typeof ModelFormatError, RegExp][] = [
    ['no inputs', ({ g }) => (g.inputs = []), ModelFormatError, /the graph has no inputs/],
    ['no outputs', ({ g }) => (g.outputs = []), ModelFormatError, /the graph has no outputs/],
    ['an index out of range', ({ g }) => (g.ops[2].inputs[0] = 99), ModelFormatError, /operator #2 \(CONV_2D\) input 0 refers to tensor 99, but the graph has 17 tensors/],
    [
      'operators out of order',
      ({ g }) => ([g.ops[0], g.ops[1]] = [g.ops[1], g.ops[0]]),
      ModelFormatError,
      /operator #0 \(DEPTHWISE_CONV_2D\) input 0 \(tensor 3 "conv1\/relu"\) is read before any operator computes it/,
    ],
    [
      'an operator writing a constant',
      ({ g, id }) => (g.ops[0].outputs = [id('conv1/bias')]),
      ModelFormatError,
      /operator #0 \(CONV_2D\) output 0 \(tensor 2 "conv1\/bias"\) is a constant/,
    ],
    [
      'an operator writing a graph input',
      ({ g, id }) => (g.ops[0].outputs = [id('input')]),
      ModelFormatError,
      /operator #0 \(CONV_2D\) output 0 \(tensor 0 "input"\) is a graph input/,
    ],
    [
      'a tensor computed twice',
      ({ g, id }) => (g.ops[1].outputs = [id('conv1/relu')]),
      ModelFormatError,
      /operator #1 \(DEPTHWISE_CONV_2D\) output 0 \(tensor 3 "conv1\/relu"\) is also computed by operator #0 \(CONV_2D\)/,
    ],
    [
      'an output nothing computes',
      ({ g }) => {
        g.ops.pop();
      },
      ModelFormatError,
      /graph output 0 \(tensor 16 "probabilities"\) is never computed/,
    ],
    [
      'an unsupported input dtype',
      ({ g, id }) => {
        for (const n of ['input', 'conv1/relu']) {
          g.tensors[id(n)].dtype = 'int32';
          g.tensors[id(n)].quant = null;
        }
      },
      UnsupportedError,
      /operator #0 \(CONV_2D\) on int32 input \(tensor 0 "input"\) is not supported; it takes float32, int8, int16/,
    ],
    [
      'an output dtype that differs from the input',
      ({ g, id }) => (g.tensors[id('conv1/relu')].dtype = 'int16'),
      UnsupportedError,
      /operator #0 \(CONV_2D\) with int8 input and int16 output \(tensor 3 "conv1\/relu"\) is not supported; the output must be int8/,
    ],
    [
      'a quantized activation without quantization',
      ({ g, id }) => (g.tensors[id('pool')].quant = null),
      ModelFormatError,
      /tensor 10 "pool" is an activation of type int8 without quantization parameters/,
    ],
    [
      'a per-channel activation',
      ({ g, id }) => (g.tensors[id('fc/logits')].quant = { scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 1 }),
      UnsupportedError,
      /tensor 15 "fc\/logits" is an activation with 2 per-channel scales/,
    ],
    ['a zero scale', ({ g, id }) => (g.tensors[id('pool')].quant!.scale = [0]), ModelFormatError, /tensor 10 "pool" has quantization scale 0; it must be positive and finite/],
    [
      'a NaN weight scale in one channel',
      ({ g }) => {
        const w = g.tensors.findIndex((t) => t.data !== null && t.quant !== null && t.quant.scale.length > 1);
        g.tensors[w].quant!.scale[1] = NaN;
      },
      ModelFormatError,
      /has quantization scale NaN in channel 1; it must be positive and finite/,
    ],
    [
      'a zero point out of range',
      ({ g, id }) => (g.tensors[id('pool')].quant!.zeroPoint = [200]),
      ModelFormatError,
      /tensor 10 "pool" has zero point 200, outside the int8 range \[-128, 127\]/,
    ],
    [
      'a fused tanh',
      ({ g }) => ((g.ops[0].attrs as { activation: string }).activation = 'tanh'),
      UnsupportedError,
      /operator #0 \(CONV_2D\) has fused activation tanh; mliflow fuses only none, relu, relu_n1_to_1, relu6/,
    ],
    [
      'activations over the memory bound',
      ({ g, id }) => (g.tensors[id('pw1/conv')].shape = [1, 1 << 15, 1 << 15, 2]),
      UnsupportedError,
      new RegExp(`activations need over ${MAX_ACTIVATION_BYTES} bytes \\(tensor 9 "pw1/conv" has shape \\[1,32768,32768,2\\]\\)`),
    ],
    ['a negative dimension', ({ g, id }) => (g.tensors[id('pool')].shape = [1, -1, 1, 32]), ModelFormatError, /tensor 10 "pool" has an invalid dimension in shape \[1,-1,1,32\]/],
    [
      'constant data of the wrong size',
      ({ g, id }) => (g.tensors[id('fc/bias')].data = new Uint8Array(4)),
      ModelFormatError,
      /tensor 14 "fc\/bias" needs 48 bytes for shape \[12\], but has 4/,
    ],
    ['a constant graph input', ({ g, id }) => g.inputs.push(id('fc/bias')), ModelFormatError, /graph input 1 \(tensor 14 "fc\/bias"\) is a constant/],
  ];

  it.each(cases)('refuses %s', (_what, edit, cls, message) => {
    const x = example();
    edit(x);
    const err = refusal(x.g);
    expect(err).toBeInstanceOf(cls);
    expect(err.message).toMatch(message);
  });

  it('readValidatedTfliteFile reads and validates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mliflow-validate-'));
    try {
      const good = join(dir, 'good.tflite');
      writeFileSync(good, writeTflite(buildExampleModel()));
      expect(readValidatedTfliteFile(good).ops.length).toBe(7);
      const x = example();
      x.g.ops.reverse();
      const bad = join(dir, 'bad.tflite');
      writeFileSync(bad, writeTflite(x.g));
      expect(() => readValidatedTfliteFile(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: operator #0 \\(SOFTMAX\\) input 0`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The labelled data sets as released, and each model's input encoding derived from its input
 * tensor: the encoded records equal the real-data records of ../shared/vectors byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readValidatedTfliteFile, UsageError } from '@mliflow/ir';
import { describe, expect, it } from 'vitest';
import { datasetRoot, DATASETS, getDataset, inputEncoder, modelRecords } from '../src/datasets.js';
import { MODELS, SHARED, VECTORS } from '../../../test/paths.js';

const ROOT = join(SHARED, 'datasets');
const model = (m: string) => {
  const file = join(MODELS, `${m}.tflite`);
  return { file, g: readValidatedTfliteFile(file) };
};

function labels(name: keyof typeof DATASETS, n: number): number[] {
  return [...DATASETS[name].open(ROOT).samples(n)].map((s) => s.label);
}

describe('data sets', () => {
  it('read as released: counts and first labels as SOURCES.md states them', () => {
    expect(DATASETS.cifar10.open(ROOT).count).toBe(10000);
    expect(DATASETS.mnist.open(ROOT).count).toBe(10000);
    expect(DATASETS.kws01.open(ROOT).count).toBe(1000);
    expect(DATASETS.ic01.open(ROOT).count).toBe(200);
    expect(labels('cifar10', 10)).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    expect(labels('mnist', 10)).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const perClass = new Array<number>(10).fill(0);
    for (const s of DATASETS.mnist.open(ROOT).samples()) perClass[s.label]++;
    expect(perClass).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const kws = [...DATASETS.kws01.open(ROOT).samples(2)];
    expect(kws.map((s) => [s.id, s.label])).toEqual([['tst_000000_Stop_7.bin', 7], ['tst_000001_Left_2.bin', 2]]);
  });

  it('ic01 holds the CIFAR-10 test images its index list names, as HWC', () => {
    const indices = readFileSync(join(ROOT, 'mlperf-tiny', 'ic01', 'test_indices.txt'), 'utf8').split(/\s+/).filter(Boolean).map(Number);
    const cifar = [...DATASETS.cifar10.open(ROOT).samples()];
    const ic = [...DATASETS.ic01.open(ROOT).samples()];
    const byBytes = new Map(cifar.map((s) => [Buffer.from(s.bytes).toString('base64'), s.index]));
    const found = ic.map((s) => byBytes.get(Buffer.from(s.bytes).toString('base64')));
    expect(new Set(found)).toEqual(new Set(indices));
    for (const s of ic) expect(cifar[byBytes.get(Buffer.from(s.bytes).toString('base64'))!].label).toBe(s.label);
  });

  it("encodes records exactly as the shared vectors' real records (ResNet-8: pixel - 128; LSTM: MNIST rows)", () => {
    // Real records follow the random ones: the first ten CIFAR-10 test images; the first
    // MNIST test image of each digit 0 to 4 (test records 3, 2, 1, 18, 4).
    for (const [m, ds, picks] of [
      ['pretrainedResnet_quant', 'cifar10', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      ['trained_lstm_int8', 'mnist', [3, 2, 1, 18, 4]],
    ] as const) {
      const { file, g } = model(m);
      const recs = [...modelRecords(g, file, getDataset(ds), ROOT, 20).records];
      const vec = new Uint8Array(readFileSync(join(VECTORS, m, 'inputs.bin')));
      const rb = recs[0].input.length;
      picks.forEach((p, r) => expect(Buffer.compare(recs[p].input, vec.subarray((16 + r) * rb, (17 + r) * rb)), `${m} real record ${r}`).toBe(0));
    }
  });

  it('passes kws01 to the int8 DS-CNN as is, and dequantizes for float models', () => {
    const kws = model('kws_ref_model');
    const sample = [...DATASETS.kws01.open(ROOT).samples(1)][0];
    expect(inputEncoder(kws.g, DATASETS.kws01, kws.file)(sample.bytes)).toEqual(sample.bytes);
    const kwsF = model('kws_ref_model_float32');
    const f = new Float32Array(inputEncoder(kwsF.g, DATASETS.kws01, kwsF.file)(sample.bytes).buffer);
    const q = new Int8Array(sample.bytes.buffer);
    expect(f[5]).toBe(Math.fround(0.5847029089927673 * (q[5] - 83)));
    const res = model('pretrainedResnet');
    const px = [...DATASETS.cifar10.open(ROOT).samples(1)][0].bytes;
    expect(Array.from(new Float32Array(inputEncoder(res.g, DATASETS.cifar10, res.file)(px).buffer).slice(0, 6))).toEqual(Array.from(px.slice(0, 6)));
  });

  it('refuses a model and data set that do not fit, and a missing root, in one line', () => {
    const mob = model('mobilenet_v2_quantized_1x3x224x224');
    expect(() => modelRecords(mob.g, mob.file, DATASETS.cifar10, ROOT)).toThrow(/mobilenet_v2.*shape \[1,3,224,224\].*cifar10 records are \[32,32,3\]/);
    const kws = model('kws_ref_model');
    expect(() => modelRecords(kws.g, kws.file, DATASETS.mnist, ROOT)).toThrow(UsageError);
    const ad = model('ad01_int8');
    expect(() => modelRecords(ad.g, ad.file, DATASETS.kws01, ROOT)).toThrow(/shape \[1,640\]/);
    expect(() => getDataset('imagenet')).toThrow(/unknown data set "imagenet"; available: kws01, cifar10, ic01, mnist/);
    expect(() => datasetRoot(join(ROOT, 'nope'))).toThrow(/does not exist/);
    const saved = process.env.MLIFLOW_DATASETS;
    delete process.env.MLIFLOW_DATASETS;
    try {
      expect(() => datasetRoot()).toThrow(/--datasets DIR or set MLIFLOW_DATASETS/);
    } finally {
      if (saved !== undefined) process.env.MLIFLOW_DATASETS = saved;
    }
  });
});

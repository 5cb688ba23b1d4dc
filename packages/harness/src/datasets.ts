/**
 * Labelled data sets for accuracy (../shared/datasets, described in its SOURCES.md), read as
 * released, one record at a time.
 *
 * A data set states, once, what its sample bytes mean as the real values the reference models
 * were trained on (real = scale * (byte - zeroPoint)). A model's input encoding is then derived
 * from its input tensor alone: float inputs take the real values, quantized inputs take them
 * quantized with the tensor's own scale and zero point (as is, when that is the data set's own
 * quantization). No model is named here.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  byteSize,
  clampTo,
  elementCount,
  f32,
  MliflowError,
  quantizeValue,
  scaleAndZeroPoint,
  typedView,
  UsageError,
  type Graph,
} from '@mliflow/ir';

export interface DatasetSample {
  /** Position in the data set's own order. */
  index: number;
  /** The sample's name in the data set (a file name, or the record number). */
  id: string;
  label: number;
  /** The sample as released, in `shape` order (CIFAR-10's planes already interleaved). */
  bytes: Uint8Array;
}

export interface Dataset {
  name: DatasetName;
  description: string;
  classes: string[];
  /** One sample's shape, without a batch dimension. */
  shape: number[];
  /** How a sample byte is stored. */
  sampleType: 'int8' | 'uint8';
  /** real = scale * (byte - zeroPoint): the values the reference models were trained on. */
  real: { scale: number; zeroPoint: number };
  /** Where it lives under the data-set root. */
  path: string;
  /** How many records, and the records in order; `limit` takes that many from the front. */
  open(root: string): { count: number; samples(limit?: number): Iterable<DatasetSample> };
}

export type DatasetName = 'kws01' | 'cifar10' | 'mnist' | 'ic01';

const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The data-set folder: --datasets DIR, else MLIFLOW_DATASETS. Never a guessed default. */
export function datasetRoot(option?: string): string {
  const root = option || process.env.MLIFLOW_DATASETS;
  if (!root) throw new UsageError('no data-set folder: pass --datasets DIR or set MLIFLOW_DATASETS (the folder holding SOURCES.md, cifar10-test, mnist-test, mlperf-tiny)');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root}: the data-set folder does not exist`);
  return root;
}

function readArg(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MliflowError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** EEMBC EnergyRunner folders: y_labels.csv (file,num_classes,label) and one raw file per line. */
function energyRunnerFolder(dir: string, recordBytes: number, classes: number) {
  const csv = join(dir, 'y_labels.csv');
  const rows = new TextDecoder()
    .decode(readArg(csv, 'the data set labels'))
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const [file, n, label] = line.split(',').map((s) => s.trim());
      const lab = Number(label);
      if (!file || Number(n) !== classes || !Number.isInteger(lab) || lab < 0 || lab >= classes) {
        throw new MliflowError(`${csv}: line ${i + 1} is not "file,${classes},label": "${line}"`);
      }
      return { file, label: lab };
    });
  return {
    count: rows.length,
    *samples(limit?: number): Iterable<DatasetSample> {
      const n = Math.min(limit ?? rows.length, rows.length);
      for (let i = 0; i < n; i++) {
        const path = join(dir, rows[i].file);
        const bytes = readArg(path, 'a data-set record');
        if (bytes.length !== recordBytes) throw new MliflowError(`${path}: ${bytes.length} bytes, a record has ${recordBytes}`);
        yield { index: i, id: rows[i].file, label: rows[i].label, bytes };
      }
    },
  };
}

/** CIFAR-10's binary release: 1 label byte, then R, G and B planes of 32x32; read in chunks. */
function cifarBatch(path: string) {
  const REC = 3073;
  const PIX = 1024;
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new MliflowError(`${path}: cannot read the data set (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (size === 0 || size % REC !== 0) throw new MliflowError(`${path}: ${size} bytes is not a whole number of ${REC}-byte CIFAR-10 records`);
  const count = size / REC;
  return {
    count,
    *samples(limit?: number): Iterable<DatasetSample> {
      const n = Math.min(limit ?? count, count);
      const fd = openSync(path, 'r');
      try {
        const chunk = new Uint8Array(REC * 256);
        for (let start = 0; start < n; start += 256) {
          const k = Math.min(256, n - start);
          readSync(fd, chunk, 0, k * REC, start * REC);
          for (let j = 0; j < k; j++) {
            const rec = chunk.subarray(j * REC, (j + 1) * REC);
            const hwc = new Uint8Array(3 * PIX);
            for (let p = 0; p < PIX; p++) {
              hwc[3 * p] = rec[1 + p];
              hwc[3 * p + 1] = rec[1 + PIX + p];
              hwc[3 * p + 2] = rec[1 + 2 * PIX + p];
            }
            if (rec[0] > 9) throw new MliflowError(`${path}: record ${start + j} has label ${rec[0]}; CIFAR-10 labels are 0 to 9`);
            yield { index: start + j, id: String(start + j), label: rec[0], bytes: hwc };
          }
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** MNIST's IDX files as released (gzip): images magic 2051, labels magic 2049, big-endian. */
function mnistIdx(dir: string) {
  const imagesPath = join(dir, 't10k-images-idx3-ubyte.gz');
  const labelsPath = join(dir, 't10k-labels-idx1-ubyte.gz');
  const gunzip = (p: string): Uint8Array => {
    const raw = readArg(p, 'the data set');
    try {
      return new Uint8Array(gunzipSync(raw));
    } catch {
      throw new MliflowError(`${p}: not a gzip file`);
    }
  };
  const images = gunzip(imagesPath);
  const labels = gunzip(labelsPath);
  const iv = new DataView(images.buffer, images.byteOffset, images.byteLength);
  const lv = new DataView(labels.buffer, labels.byteOffset, labels.byteLength);
  if (images.length < 16 || iv.getUint32(0) !== 2051 || iv.getUint32(8) !== 28 || iv.getUint32(12) !== 28) {
    throw new MliflowError(`${imagesPath}: not an IDX file of 28x28 images (magic 2051)`);
  }
  if (labels.length < 8 || lv.getUint32(0) !== 2049) throw new MliflowError(`${labelsPath}: not an IDX label file (magic 2049)`);
  const count = iv.getUint32(4);
  if (lv.getUint32(4) !== count || images.length !== 16 + count * 784 || labels.length !== 8 + count) {
    throw new MliflowError(`${dir}: the image and label files do not hold the same number of records`);
  }
  return {
    count,
    *samples(limit?: number): Iterable<DatasetSample> {
      const n = Math.min(limit ?? count, count);
      for (let i = 0; i < n; i++) {
        yield { index: i, id: String(i), label: labels[8 + i], bytes: images.slice(16 + i * 784, 16 + (i + 1) * 784) };
      }
    },
  };
}

/** A data set whose records are read from `path` under the root it is opened with. */
function dataset(d: Omit<Dataset, 'open'> & { read(path: string): ReturnType<Dataset['open']> }): Dataset {
  const { read, ...rest } = d;
  return { ...rest, open: (root) => read(join(root, d.path)) };
}

export const DATASETS: Record<DatasetName, Dataset> = {
  kws01: dataset({
    name: 'kws01',
    description: 'MLPerf Tiny keyword spotting, 1,000 int8 49x10 MFCC inputs (EEMBC EnergyRunner format)',
    classes: ['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes', 'silence', 'unknown'],
    shape: [49, 10],
    sampleType: 'int8',
    // EEMBC ships the MFCCs already quantized, with the input quantization of MLPerf Tiny's DS-CNN.
    real: { scale: 0.5847029089927673, zeroPoint: 83 },
    path: 'mlperf-tiny/kws01',
    read: (path) => energyRunnerFolder(path, 490, 12),
  }),
  cifar10: dataset({
    name: 'cifar10',
    description: 'CIFAR-10 test set, 10,000 32x32 RGB images (planes interleaved to HWC here)',
    classes: CIFAR_CLASSES,
    shape: [32, 32, 3],
    sampleType: 'uint8',
    // MLPerf Tiny's ResNet-8 was trained on raw pixel values, 0 to 255.
    real: { scale: 1, zeroPoint: 0 },
    path: 'cifar10-test/test_batch.bin',
    read: cifarBatch,
  }),
  ic01: dataset({
    name: 'ic01',
    description: "MLPerf Tiny image classification's 200 performance images (CIFAR-10 test images, HWC)",
    classes: CIFAR_CLASSES,
    shape: [32, 32, 3],
    sampleType: 'uint8',
    real: { scale: 1, zeroPoint: 0 },
    path: 'mlperf-tiny/ic01',
    read: (path) => energyRunnerFolder(path, 3072, 10),
  }),
  mnist: dataset({
    name: 'mnist',
    description: 'MNIST test set (t10k), 10,000 28x28 digits',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    shape: [28, 28],
    sampleType: 'uint8',
    // TFLite Micro's mnist_lstm example scales pixels to [0, 1].
    real: { scale: 1 / 255, zeroPoint: 0 },
    path: 'mnist-test',
    read: mnistIdx,
  }),
};

export function datasetNames(): DatasetName[] {
  return Object.keys(DATASETS) as DatasetName[];
}

export function getDataset(name: string): Dataset {
  const ds = (DATASETS as Record<string, Dataset>)[name];
  if (!ds) throw new UsageError(`unknown data set "${name}"; available: ${datasetNames().join(', ')}`);
  return ds;
}

const squeeze = (shape: readonly number[]): number[] => shape.filter((d) => d !== 1);
const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The model's input encoding for a data set, derived from its input tensor: one function from
 * a sample to the model's input bytes. Fails with one line when the pair does not fit.
 */
export function inputEncoder(g: Graph, ds: Dataset, file: string): (sample: Uint8Array) => Uint8Array {
  if (g.inputs.length !== 1) throw new UsageError(`${file}: the model has ${g.inputs.length} inputs; data set ${ds.name} gives one`);
  const t = g.tensors[g.inputs[0]];
  if (!same(squeeze(t.shape), squeeze(ds.shape))) {
    throw new UsageError(`${file}: input "${t.name}" has shape [${t.shape.join(',')}]; data set ${ds.name} records are [${ds.shape.join(',')}]`);
  }
  const n = elementCount(ds.shape);
  const src = (s: Uint8Array): Int8Array | Uint8Array => (ds.sampleType === 'int8' ? new Int8Array(s.buffer, s.byteOffset, s.length) : s);
  const { scale, zeroPoint } = ds.real;
  if (t.dtype === 'float32') {
    return (s) => {
      const out = new Float32Array(n);
      const v = src(s);
      for (let i = 0; i < n; i++) out[i] = f32(scale * (v[i] - zeroPoint));
      return new Uint8Array(out.buffer);
    };
  }
  const q = scaleAndZeroPoint(t.quant);
  if (!q || t.quant!.scale.length !== 1 || !['int8', 'uint8', 'int16'].includes(t.dtype)) {
    throw new UsageError(`${file}: input "${t.name}" is ${t.dtype}${q ? ' per-channel' : ' without quantization'}; data set ${ds.name} needs a float32 or per-tensor quantized input`);
  }
  if (t.dtype === ds.sampleType && f32(q.scale) === f32(scale) && q.zeroPoint === zeroPoint) return (s) => s.slice();
  return (s) => {
    const out = new Uint8Array(byteSize(t));
    const view = typedView(t.dtype, out) as Int8Array | Uint8Array | Int16Array;
    const v = src(s);
    for (let i = 0; i < n; i++) view[i] = clampTo(t.dtype, quantizeValue(scale * (v[i] - zeroPoint), q.scale, q.zeroPoint));
    return out;
  };
}

/** Checks that the model scores the data set's classes: one output with one value per class. */
export function checkClassifier(g: Graph, ds: Dataset, file: string): void {
  if (g.outputs.length !== 1) throw new UsageError(`${file}: the model has ${g.outputs.length} outputs; scoring ${ds.name} needs one with ${ds.classes.length} class scores`);
  const t = g.tensors[g.outputs[0]];
  if (elementCount(t.shape) !== ds.classes.length) {
    throw new UsageError(`${file}: output "${t.name}" has ${elementCount(t.shape)} values; data set ${ds.name} has ${ds.classes.length} classes`);
  }
}

export interface ModelRecord {
  index: number;
  id: string;
  label: number;
  /** The model's input bytes for this record. */
  input: Uint8Array;
}

/**
 * A data set's records encoded for a model, streamed: the model/data-set pair is checked
 * first, then records are read as they are consumed.
 */
export function modelRecords(g: Graph, file: string, ds: Dataset, root: string, limit?: number): { count: number; records: Iterable<ModelRecord> } {
  const encode = inputEncoder(g, ds, file);
  checkClassifier(g, ds, file);
  const src = ds.open(root);
  const count = Math.min(limit ?? src.count, src.count);
  return {
    count,
    records: (function* () {
      for (const s of src.samples(count)) yield { index: s.index, id: s.id, label: s.label, input: encode(s.bytes) };
    })(),
  };
}

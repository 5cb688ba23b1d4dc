/**
 * Reader and writer against each other and against the TFLite runtime, model by model:
 * read, write, read again gives the same IR; the written file is a well-formed TFL3 file;
 * the golden executor and TFLite give the written model the same outputs as the original.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GoldenExecutor, byteSize, loadVectors, readTflite, writeTflite, type Graph } from '../src/index.js';
import { rootTable } from '../src/tflite/fb.js';
import { F, FILE_IDENTIFIER } from '../src/tflite/schema.js';
import { diffBytes } from '../../../test/compare.js';
import { MODELS, VECTORS, sharedModels } from '../../../test/paths.js';
import { loadTfliteRuntime, type TfliteRuntime } from '../../../test/tflite-runtime.js';

/** Records to run per model; the rest run every record. */
const RECORD_LIMIT: Record<string, number> = { mobilenet_v2_quantized_1x3x224x224: 2 };
/** person_detect's 1-D biases carry quantized_dimension 3, which the TFLite runtime rejects. */
const TFLITE_REFUSES = new Set(['person_detect']);

let runtime: TfliteRuntime;
beforeAll(async () => {
  runtime = await loadTfliteRuntime();
});

describe.each(sharedModels())('round trip: %s', (name) => {
  const file = `${name}.tflite`;
  const originalBytes = new Uint8Array(readFileSync(join(MODELS, file)));
  const original = readTflite(originalBytes, file);
  const written = writeTflite(original);
  const vec = loadVectors(join(VECTORS, name));
  const recordIn = original.inputs.reduce((n, id) => n + byteSize(original.tensors[id]), 0);
  const records = Math.min(vec.inputs.length / recordIn, RECORD_LIMIT[name] ?? Infinity);
  const inputs = vec.inputs.subarray(0, records * recordIn);

  it('reads back the same IR, and writes it back to the same bytes', () => {
    const again = readTflite(written, `written ${file}`);
    // toEqual walks typed arrays element by element: compare constant data apart.
    const data = (g: Graph): (Uint8Array | null)[] => g.tensors.map((t) => t.data);
    const withoutData = (g: Graph): Graph => ({ ...g, tensors: g.tensors.map((t) => ({ ...t, data: null })) });
    expect(withoutData(again)).toEqual(withoutData(original));
    data(again).forEach((d, i) => {
      const o = data(original)[i];
      expect(d === null || o === null ? d === o : Buffer.compare(d, o) === 0, `tensor ${i} data`).toBe(true);
    });
    expect(Buffer.compare(writeTflite(again), written)).toBe(0);
    expect(Buffer.compare(writeTflite(original), written)).toBe(0);
  });

  it('is a well-formed TFL3 file', () => {
    expect(String.fromCharCode(...written.subarray(4, 8))).toBe(FILE_IDENTIFIER);
    const model = rootTable(written, FILE_IDENTIFIER, file);
    const buffers = model.tables(F.Model.buffers, 'buffers');
    expect(buffers[0].bytes(F.Buffer.data, 'data')).toBeNull();
    for (const b of buffers.slice(1)) {
      const data = b.bytes(F.Buffer.data, 'data');
      if (data) expect(data.byteOffset % 16).toBe(0);
    }
    const codes = model.tables(F.Model.operator_codes, 'operator_codes').map((c) => ({
      deprecated: c.int8(F.OperatorCode.deprecated_builtin_code),
      builtin: c.int32(F.OperatorCode.builtin_code),
      version: c.int32(F.OperatorCode.version, 1),
    }));
    for (const c of codes) expect(c.deprecated).toBe(Math.min(c.builtin, 127));
    const used = new Set(original.ops.map((op) => `${op.kind}@${op.version}`));
    expect(codes.length).toBe(used.size);
    const meta = model.tables(F.Model.metadata, 'metadata');
    expect(meta.length).toBe(original.metadata.length);
    meta.forEach((m) => expect(m.uint32(F.Metadata.buffer)).toBeGreaterThan(0));
    expect(written.length % 16).toBe(0);
  });

  it('gives the same golden outputs as the original', () => {
    const before = new GoldenExecutor(original, { file });
    const after = new GoldenExecutor(readTflite(written, `written ${file}`), { file });
    const d = diffBytes(after.runRecords(inputs, { count: records }), before.runRecords(inputs, { count: records }));
    expect(d.summary).toBe('0 differing bytes');
  });

  it(TFLITE_REFUSES.has(name) ? 'TFLite refuses it as it refuses the original' : 'TFLite loads it and gives the same outputs as the original', async () => {
    if (TFLITE_REFUSES.has(name)) {
      await expect(runtime.load(originalBytes)).rejects.toThrow(/cannot load/);
      await expect(runtime.load(written)).rejects.toThrow(/cannot load/);
      return;
    }
    const first = await runtime.load(originalBytes);
    const expected = first.runRecords(inputs, records);
    first.dispose();
    const second = await runtime.load(written);
    const d = diffBytes(second.runRecords(inputs, records), expected);
    second.dispose();
    expect(d.summary).toBe('0 differing bytes');
  });
});

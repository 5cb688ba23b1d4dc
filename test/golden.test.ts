/**
 * The golden executor against TFLite Micro's reference kernels, model by model, over every
 * record in ../shared/vectors: int models bit-exact, float models within 1e-5 relative or
 * 1e-6 absolute and on the argmax.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, loadVectors, readTfliteFile } from '@mliflow/ir';
import { compareFloat, diffBytes } from './compare.js';
import { MODELS, VECTORS, sharedModels } from './paths.js';

const models = sharedModels().filter((m) => existsSync(join(VECTORS, m, 'manifest.json')));

describe.each(models)('golden executor: %s', (name) => {
  const vec = loadVectors(join(VECTORS, name));
  const isFloat = vec.manifest.inputs.some((t) => t.dtype === 'float32');
  const ground = vec.tflm;
  it.skipIf(!ground)(isFloat ? 'matches TFLite Micro within float tolerance' : 'matches TFLite Micro bit-exactly', () => {
    const g = readTfliteFile(join(MODELS, vec.manifest.model));
    const ex = new GoldenExecutor(g, { file: vec.manifest.model });
    const out = ex.runRecords(vec.inputs);
    if (isFloat) {
      const r = compareFloat(out, ground!, ex.outputSizes.reduce((a, b) => a + b, 0) / 4);
      expect(r.violations, JSON.stringify(r)).toBe(0);
      expect(r.argmaxMismatches, JSON.stringify(r)).toBe(0);
    } else {
      const d = diffBytes(out, ground!);
      expect(d.summary, d.summary).toBe('0 differing bytes');
    }
  });
});


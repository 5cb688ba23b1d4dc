/** Where the shared models and vectors live: ../shared beside the repository root. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = process.env.MLIFLOW_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const MODELS = join(SHARED, 'models');
export const VECTORS = join(SHARED, 'vectors');

export function sharedModels(): string[] {
  if (!existsSync(MODELS)) throw new Error(`the shared models are missing: expected them in ${MODELS}`);
  return readdirSync(MODELS)
    .filter((f) => f.endsWith('.tflite'))
    .map((f) => f.replace(/\.tflite$/, ''))
    .sort();
}

/** Developer tool: print the memory plan of a shared model. npx tsx scripts/plan.ts MODEL */
import { join, resolve } from 'node:path';
import { readTfliteFile } from '@mliflow/ir';
import { compileModel, hostTarget } from '../src/index.js';

const SHARED = process.env.MLIFLOW_SHARED ?? resolve(import.meta.dirname, '../../../../shared');
const name = process.argv[2];
const g = readTfliteFile(join(SHARED, 'models', `${name}.tflite`));
const p = compileModel(g, { target: hostTarget({ alignment: Number(process.argv[3] ?? 16) }), file: `${name}.tflite` });
const c = p.files.get('model.c')!;
console.log(c.slice(0, c.indexOf('#include')));
console.log(p.summary.arenaBytes, p.summary.livenessBound);

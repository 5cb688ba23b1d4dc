import { readFileSync, readdirSync } from 'node:fs';
import { readValidatedTfliteFile, recordBytes } from '@mliflow/ir';
import { randomRecords } from './src/deploy.ts';
const S = '/work/shared';
for (const m of readdirSync(`${S}/vectors`)) {
  const mf = JSON.parse(readFileSync(`${S}/vectors/${m}/manifest.json`, 'utf8'));
  const g = readValidatedTfliteFile(`${S}/models/${mf.model}`);
  const vec = new Uint8Array(readFileSync(`${S}/vectors/${m}/inputs.bin`));
  const rb = recordBytes(g, 'inputs');
  const mine = randomRecords(g, mf.random, mf.seed);
  let diff = 0; for (let i = 0; i < mine.length; i++) if (mine[i] !== vec[i]) diff++;
  console.log(m.padEnd(36), g.tensors[g.inputs[0]].dtype, 'rec', rb, 'differ', diff, 'of', mine.length, vec.length === rb * mf.count ? '' : 'SIZE?');
}

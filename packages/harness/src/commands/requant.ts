/**
 * `mliflow requant`: an int8 model re-quantized into sym8, pow2-8 or pow2-16x8, with a
 * per-layer table of the old and new quantization and the weights' error.
 */
import { readValidatedTfliteFile, recordBytes, recordCount, UsageError, writeTflite } from '@mliflow/ir';
import { requantize, SCHEME_NAMES, type LayerReport, type QuantSummary, type RequantResult, type SchemeName } from '@mliflow/requant';
import { one, type Command } from '../commands.js';
import { readFileArg, writeFileArg } from '../files.js';
import { table } from '../format.js';
import { progress } from '../progress.js';

const q = (s: QuantSummary | null): string => (s ? `${s.dtype} ${s.scale.toPrecision(6)} ${s.zeroPoint}` : '-');
const pct = (x: number | undefined): string => (x === undefined ? '' : `${(100 * x).toFixed(2)}%`);

export function formatRequant(r: RequantResult, file: string, out: string, scheme: SchemeName): string {
  if (r.noop) return `${file} is already in scheme ${scheme}: nothing to re-quantize; ${out} is a copy`;
  const rows = r.layers.map((l: LayerReport) => [
    String(l.index),
    l.kind.toUpperCase(),
    l.mode,
    q(l.old),
    q(l.new),
    pct(l.weightError?.naive),
    pct(l.weightError?.corrected),
    l.foldLsb === undefined ? '' : String(l.foldLsb),
  ]);
  const stats = r.statistics.source === 'calibration' ? `${r.statistics.records} calibration records` : 'data-free (each tensor\'s own range)';
  return [
    table(['#', 'operator', 'mode', 'old (dtype scale zp)', 'new (dtype scale zp)', 'w err kept', 'w err new', 'fold LSB'], rows, ['r', 'l', 'l', 'l', 'l', 'r', 'r', 'r']),
    '',
    `w err: RMS error of the real weights relative to their RMS, with the integers kept (naive) and as written.`,
    `${scheme}: ${r.layers.filter((l) => l.mode === 'requantized').length} operators re-quantized, ${r.layers.filter((l) => l.mode === 'inserted').length} QUANTIZE inserted; ranges: ${stats} -> ${out}`,
  ].join('\n');
}

export const requantCommand: Command = {
  name: 'requant',
  summary: 're-quantize an int8 model: symmetric, power-of-two, or 16-bit activations',
  usage: 'requant MODEL.tflite --scheme sym8|pow2-8|pow2-16x8 --out NEW.tflite [--calib FILE] [--only LAYERS] [--no-weight-correction] [--no-rounding-folding] [--json]',
  description:
    'Transforms the quantized model itself (no float model needed). sym8: int8 activations with zero point 0;\n' +
    'pow2-8: sym8 with power-of-two scales everywhere; pow2-16x8: int16 power-of-two activations, int8 power-of-two\n' +
    'weights, int64 biases. Weight correction folds scale changes into weights and biases; rounding-error folding\n' +
    'moves the re-rounded weights\' expected error into the biases (after MRQ, Manohara et al. 2023).\n' +
    'Without --calib, ranges are each tensor\'s representable range [lo, hi] and input means (lo + hi) / 8; with\n' +
    '--calib (input records as in ../shared/vectors), both are measured with the golden executor, and activation\n' +
    'scales take the least squared error over the observed values, clipping at most 0.1% of them.\n' +
    'A model already in the scheme is a no-op: NEW is written as a copy, and the command says so (exit 0).',
  options: {
    scheme: { type: 'string', valueName: 'NAME', help: `target scheme (${SCHEME_NAMES.join(', ')})` },
    out: { type: 'string', valueName: 'NEW.tflite', help: 'where to write the re-quantized model' },
    calib: { type: 'string', valueName: 'FILE', help: 'calibration input records for ranges and input means' },
    only: { type: 'string', valueName: 'LAYERS', help: 'comma-separated operator indices, ranges (3-7) or output tensor names' },
    'no-weight-correction': { type: 'boolean', help: 'keep weight and bias integers; only the scales change' },
    'no-rounding-folding': { type: 'boolean', help: 'do not fold the weights\' rounding error into the biases' },
    json: { type: 'boolean', help: 'print a machine-readable JSON document on stdout' },
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'requant');
    const scheme = v.scheme;
    if (typeof scheme !== 'string') throw new UsageError(`requant needs --scheme (${SCHEME_NAMES.join(', ')})`);
    if (!SCHEME_NAMES.includes(scheme as SchemeName)) throw new UsageError(`--scheme ${scheme} is not known; available: ${SCHEME_NAMES.join(', ')}`);
    if (typeof v.out !== 'string') throw new UsageError('requant needs --out NEW.tflite');
    const g = readValidatedTfliteFile(file);
    let calib: Uint8Array | undefined;
    if (typeof v.calib === 'string') {
      calib = readFileArg(v.calib, 'the calibration records');
      recordCount(calib.length, recordBytes(g, 'inputs'), `${v.calib} (calibration records for ${file})`);
    }
    const bar = progress('calibrating', !v.json);
    const started = performance.now();
    const r = requantize(g, {
      scheme: scheme as SchemeName,
      file,
      calib,
      only: typeof v.only === 'string' ? v.only.split(',').filter((s) => s.trim() !== '') : undefined,
      weightCorrection: !v['no-weight-correction'],
      roundingFolding: !v['no-rounding-folding'],
      onCalibRecord: (i, n) => bar.update(i, n),
    });
    bar.done();
    if (r.noop) writeFileArg(v.out, readFileArg(file, 'the model'));
    else writeFileArg(v.out, writeTflite(r.graph));
    const ms = performance.now() - started;
    if (v.json) {
      const doc = { model: file, scheme, out: v.out, noop: r.noop, ms, statistics: r.statistics, layers: r.layers };
      process.stdout.write(JSON.stringify(doc, null, 1) + '\n');
    } else {
      process.stdout.write(formatRequant(r, file, v.out, scheme as SchemeName) + '\n');
    }
    return 0;
  },
};

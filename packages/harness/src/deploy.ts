/**
 * `mliflow deploy`: compile for a board, build with its toolchain, run there, and compare
 * every output byte with the golden executor on the same records.
 */
import { basename, join, resolve } from 'node:path';
import {
  buildExampleModel,
  byteSize,
  EXIT,
  GoldenExecutor,
  MliflowError,
  prng,
  readValidatedTfliteFile,
  recordBytes,
  recordCount,
  writeTflite,
  type Graph,
} from '@mliflow/ir';
import type { Board } from './boards/index.js';
import { compileForBoard, type CompileResult } from './compile.js';
import { readFileArg, writeFileArg } from './files.js';
import { formatBytes } from './format.js';
import { formatSizeReport } from './size-report.js';
import { formatTopOutputs, topOutputs, type TopEntry } from './top.js';

export const EXAMPLE_NAME = 'example_kws';

export interface OutputComparison {
  output: number;
  name: string;
  bytes: number;
  differing: number;
  firstDifference: { record: number; byte: number } | null;
}

export interface DeployResult {
  board: string;
  model: string;
  projectDir: string;
  compile: CompileResult;
  build: { command: string; ms: number } | null;
  run: { records: number; ms: number; inputs: string; outputs: string } | null;
  comparison: OutputComparison[] | null;
  bitExact: boolean | null;
  top: TopEntry[];
  /** Why the flow stopped before running, when it did (a board without a way to run here). */
  stopped?: string;
}

/** Deterministic records over each input's full range, from the shared seeded PRNG. */
export function randomRecords(g: Graph, count: number, seed = 1): Uint8Array {
  const sizes = g.inputs.map((i) => byteSize(g.tensors[i]));
  const rec = sizes.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(rec * count);
  const rand = prng(seed);
  const view = new DataView(out.buffer);
  let off = 0;
  for (let r = 0; r < count; r++) {
    for (const id of g.inputs) {
      const t = g.tensors[id];
      const n = byteSize(t);
      if (t.dtype === 'float32') {
        for (let k = 0; k < n; k += 4) view.setFloat32(off + k, rand() * 2 - 1, true);
      } else {
        for (let k = 0; k < n; k++) out[off + k] = Math.floor(rand() * 256);
      }
      off += n;
    }
  }
  return out;
}

export interface DeployOptions {
  model?: string;
  board: Board;
  outDir: string;
  inputs?: string;
  count?: number;
  log: (line: string) => void;
}

export async function deploy(opts: DeployOptions): Promise<DeployResult> {
  const { board, log } = opts;
  const outDir = resolve(opts.outDir);
  let g: Graph;
  let file: string;
  let name: string;
  if (opts.model) {
    file = opts.model;
    g = readValidatedTfliteFile(file);
    name = basename(file).replace(/\.tflite$/, '');
  } else {
    // The example is built with the IR and goes through the writer and reader like any model.
    name = EXAMPLE_NAME;
    file = join(outDir, `${name}.tflite`);
    writeFileArg(file, writeTflite(buildExampleModel()));
    g = readValidatedTfliteFile(file);
    log(`example model written to ${file}`);
  }

  let records: Uint8Array;
  let inputsPath: string;
  if (opts.inputs) {
    inputsPath = opts.inputs;
    records = readFileArg(inputsPath, 'the inputs');
  } else {
    records = randomRecords(g, opts.count ?? 4);
    inputsPath = join(outDir, 'inputs.bin');
    writeFileArg(inputsPath, records);
  }
  const golden = new GoldenExecutor(g, { file });
  const recIn = recordBytes(g, 'inputs');
  const n = recordCount(records.length, recIn, `${inputsPath} (inputs of ${file})`, opts.inputs ? opts.count : undefined);
  if (n * recIn !== records.length) {
    records = records.subarray(0, n * recIn);
    inputsPath = join(outDir, 'inputs.bin');
    writeFileArg(inputsPath, records);
  }

  const projectDir = join(outDir, 'project');
  log(`compiling ${name} for board ${board.name}`);
  const compiled = await compileForBoard(g, file, board, projectDir, { modelName: name, log });
  log(`  arena ${formatBytes(compiled.summary.arenaBytes)}, weights ${formatBytes(compiled.summary.weightsBytes)}, ${compiled.summary.operators.length} operators`);

  const result: DeployResult = {
    board: board.name,
    model: file,
    projectDir,
    compile: compiled,
    build: null,
    run: null,
    comparison: null,
    bitExact: null,
    top: [],
  };

  if (!board.run) {
    const over = board.spec.run.kind === 'hardware' ? ` (${board.spec.run.transport})` : '';
    result.stopped = `stopped after the compile check: running on ${board.name} needs the board connected${over}, which mliflow does not drive yet`;
    return result;
  }

  log(`building with ${board.spec.toolchain.cc}`);
  const built = await board.build(projectDir, { executable: compiled.summary.executable });
  result.build = { command: built.command, ms: built.durationMs };

  log(`running ${n} records on ${board.name}`);
  const outputsPath = join(outDir, 'outputs.bin');
  const ran = await board.run(projectDir, inputsPath, outputsPath, { executable: compiled.summary.executable });
  result.run = { records: n, ms: ran.durationMs, inputs: inputsPath, outputs: outputsPath };

  log('running the golden executor on the same records');
  const expected = golden.runRecords(records);
  writeFileArg(join(outDir, 'expected.golden.bin'), expected);
  if (ran.output.length !== expected.length) {
    throw new MliflowError(
      `${board.name}: the program wrote ${ran.output.length} bytes of outputs, expected ${expected.length} (${n} records)`,
      EXIT.generatedCode,
    );
  }
  result.comparison = compareRecords(g, ran.output, expected);
  result.bitExact = result.comparison.every((c) => c.differing === 0);
  result.top = topOutputs(g, ran.output, 3);
  return result;
}

/** Differing bytes per output tensor across all records. */
export function compareRecords(g: Graph, actual: Uint8Array, expected: Uint8Array): OutputComparison[] {
  const sizes = g.outputs.map((id) => byteSize(g.tensors[id]));
  const rec = sizes.reduce((a, b) => a + b, 0);
  const n = expected.length / rec;
  return g.outputs.map((id, o) => {
    const start = sizes.slice(0, o).reduce((a, b) => a + b, 0);
    let differing = 0;
    let first: OutputComparison['firstDifference'] = null;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < sizes[o]; k++) {
        const i = r * rec + start + k;
        if (i >= actual.length || actual[i] !== expected[i]) {
          differing++;
          first ??= { record: r, byte: k };
        }
      }
    }
    return { output: o, name: g.tensors[id].name, bytes: sizes[o] * n, differing, firstDifference: first };
  });
}

export function formatDeployResult(r: DeployResult): string {
  const lines = [`deploy ${r.model} on ${r.board}`];
  const s = r.compile.summary;
  lines.push(`  project   ${r.projectDir} (compiled in ${r.compile.compileMs.toFixed(0)} ms)`);
  lines.push(`  memory    arena ${formatBytes(s.arenaBytes)} (liveness bound, every live tensor apart: ${formatBytes(s.livenessBound)}), weights ${formatBytes(s.weightsBytes)}`);
  const kernels = new Map<string, number>();
  for (const o of s.operators) kernels.set(o.backend, (kernels.get(o.backend) ?? 0) + 1);
  lines.push(`  operators ${s.operators.length} (${[...kernels].map(([b, k]) => `${k} ${b}`).join(', ')})`);
  if (r.build) lines.push(`  build     ${(r.build.ms / 1000).toFixed(1)} s: ${r.build.command}`);
  if (r.run) lines.push(`  run       ${r.run.records} records in ${r.run.ms.toFixed(0)} ms -> ${r.run.outputs}`);
  if (r.comparison) {
    for (const c of r.comparison) {
      const status = c.differing === 0 ? 'bit-exact' : `${c.differing} of ${c.bytes} bytes differ (first: record ${c.firstDifference!.record} byte ${c.firstDifference!.byte})`;
      lines.push(`  output ${c.output} "${c.name}": ${status} against the golden executor`);
    }
  }
  if (r.top.length) lines.push('  top outputs:', formatTopOutputs(r.top.filter((e) => e.record < 4), '    '));
  if (r.compile.sizeReport) lines.push('', formatSizeReport(r.compile.sizeReport), '');
  if (r.stopped) lines.push(r.stopped);
  lines.push(r.bitExact === true ? 'PASS: every output byte equals the golden executor' : r.bitExact === false ? 'FAIL: outputs differ from the golden executor' : '');
  return lines.join('\n').trimEnd();
}

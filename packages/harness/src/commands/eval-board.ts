/**
 * `mliflow eval --board B`: the data set streamed through the board over its serial link, scored
 * like the golden executor, and the two top-1 figures side by side. The portable kernels run on
 * the board, so the golden executor's numerics are TFLite's.
 */
import { join } from 'node:path';
import { byteSize, EXIT, GoldenExecutor, type Graph } from '@mliflow/ir';
import { loadBoardArg } from '../compile.js';
import type { Dataset, ModelRecord } from '../datasets.js';
import { mliflowVersion } from '../boards/firmware.js';
import { modelHash } from '../deploy.js';
import { progress } from '../progress.js';
import { openBoardRunner } from '../session.js';
import { formatTop1, goldenOutputs, scoreTop1, type Top1Report } from './eval.js';

export interface BoardEval {
  board: Top1Report;
  golden: Top1Report;
  /** Records whose top-1 class differs between the board and the golden executor. */
  disagreements: number[];
  same: boolean;
}

export async function evalOnBoard(opts: {
  boardName: string;
  g: Graph;
  file: string;
  ds: Dataset;
  records: () => { count: number; records: Iterable<ModelRecord> };
  workDir?: string;
  qemu?: string;
  port?: string;
  quiet: boolean;
}): Promise<BoardEval> {
  const { g, file, ds } = opts;
  const board = loadBoardArg(opts.boardName);
  const name = file.replace(/^.*[\\/]/, '').replace(/\.tflite$/, '');
  const log = (line: string): void => {
    if (!opts.quiet) process.stderr.write(line + '\n');
  };
  const runner = await openBoardRunner({
    board,
    g,
    file,
    projectDir: join(opts.workDir ?? join('build', 'eval', `${name}-${board.name}`), 'project'),
    identity: { modelHash: modelHash(file), model: name, version: mliflowVersion(), kernels: 'portable', numerics: 'tflite', debug: false, inputs: g.inputs.length, outputs: g.outputs.length },
    qemu: opts.qemu,
    port: opts.port,
    log,
  });
  const first = byteSize(g.tensors[g.outputs[0]]);
  const boardPreds: number[] = [];
  const goldenPreds: number[] = [];
  let boardReport: Top1Report;
  try {
    const bar = progress(`evaluating ${ds.name} on ${board.name}`, !opts.quiet);
    boardReport = await scoreTop1(
      g,
      ds,
      opts.records(),
      async (inputs) => {
        const outs: Uint8Array[] = [];
        for (const input of inputs) outs.push((await runner.runRecord(input)).output.slice(0, first));
        return outs;
      },
      { model: file, runner: board.name, onProgress: (d, n) => bar.update(d, n), onPrediction: (p) => boardPreds.push(p) },
    );
    bar.done();
  } finally {
    await runner.close();
  }
  const golden = await scoreTop1(g, ds, opts.records(), goldenOutputs(new GoldenExecutor(g, { file })), {
    model: file,
    runner: 'golden tflite',
    onPrediction: (p) => goldenPreds.push(p),
  });
  const disagreements = boardPreds.flatMap((p, i) => (p !== goldenPreds[i] ? [i] : []));
  return { board: boardReport, golden, disagreements, same: disagreements.length === 0 && boardReport.correct === golden.correct };
}

export function formatBoardEval(r: BoardEval): string {
  return [
    formatTop1(r.board),
    '',
    `golden executor: top-1 ${((100 * r.golden.correct) / Math.max(1, r.golden.records)).toFixed(2)}% (${r.golden.correct} of ${r.golden.records})`,
    r.same
      ? `SAME: the board's top-1 class equals the golden executor's on every record`
      : `DIFFERENT: ${r.disagreements.length} records classified differently (first: ${r.disagreements.slice(0, 10).join(', ')})`,
  ].join('\n');
}

export const boardEvalExit = (r: BoardEval): number => (r.same ? EXIT.ok : EXIT.checkFailed);

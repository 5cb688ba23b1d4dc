/**
 * The serial link, measured in one run per model and board: wire efficiency (record bytes over
 * the bytes on the wire for them, both ways, the start apart; the target is at least 90%), records per second over the
 * link, and on the emulated ARC EM the instructions of one inference (COUNT0 under -icount
 * shift=0, the invoke alone) with the portable kernels and with embARC MLI (--kernels mli; the
 * library is MLI's portable reference C built by GCC, not the MetaWare DSP build a real EM9D runs).
 *
 *   pnpm bench:link [MODEL ...] [--boards host,qemu-arc-em] [--records N] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBoard } from '../packages/harness/src/boards/index.js';
import { deploy } from '../packages/harness/src/deploy.js';
import { findMli } from '../packages/harness/src/mli.js';
import { table } from '../packages/harness/src/format.js';
import { MODELS, SHARED, VECTORS } from '../test/paths.js';

const { values, positionals } = parseArgs({
  options: { boards: { type: 'string', default: 'host,qemu-arc-em' }, records: { type: 'string', default: '8' }, json: { type: 'boolean' } },
  allowPositionals: true,
});
const models = positionals.length ? positionals : ['kws_ref_model', 'micro_speech_quantized', 'pretrainedResnet_quant', 'vww_96_int8', 'person_detect'];
const boards = values.boards!.split(',');
const records = Number(values.records);
/** MLI's reference C is slow under QEMU: fewer records (the count is the same for every record but a few). */
const mliRecords = Math.min(records, 2);
const qemu = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-bench-link-'));

interface Row {
  model: string;
  board: string;
  records: number;
  recordBytes: number;
  efficiency: number;
  recordsPerSecond: number;
  instructions: number | null;
  /** The same records with --kernels mli (qemu-arc-em only). */
  mliInstructions: number | null;
  mliBitExact: boolean | null;
  resends: number;
  bitExact: boolean | null;
}
const rows: Row[] = [];
try {
  for (const model of models) {
    const manifest = JSON.parse(readFileSync(join(VECTORS, model, 'manifest.json'), 'utf8')) as { model: string; count: number };
    for (const b of boards) {
      const r = await deploy({
        model: join(MODELS, manifest.model),
        board: loadBoard(b),
        outDir: join(tmp, `${model}-${b}`),
        inputs: join(VECTORS, model, 'inputs.bin'),
        count: Math.min(records, manifest.count),
        qemu,
        diagnose: false,
        log: (line) => process.stderr.write(`[${model} ${b}] ${line}\n`),
      });
      const median = (rows: { count: number | null }[]): number | null => {
        const c = rows.map((x) => x.count).filter((x): x is number => x !== null).sort((x, y) => x - y);
        return c.length ? c[Math.floor(c.length / 2)] : null;
      };
      let mliInstructions: number | null = null;
      let mliBitExact: boolean | null = null;
      if (b === 'qemu-arc-em') {
        const board = loadBoard(b);
        const m = await deploy({
          kernels: 'mli',
          mli: findMli(board.spec, { root: process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2') }),
          model: join(MODELS, manifest.model),
          board,
          outDir: join(tmp, `${model}-${b}-mli`),
          inputs: join(VECTORS, model, 'inputs.bin'),
          count: Math.min(mliRecords, manifest.count),
          qemu,
          diagnose: false,
          log: (line) => process.stderr.write(`[${model} ${b} mli] ${line}\n`),
        });
        mliInstructions = median(m.records);
        mliBitExact = m.bitExact;
      }
      rows.push({
        model,
        board: b,
        records: r.records.length,
        recordBytes: r.link!.payloadBytes / r.records.length,
        efficiency: r.link!.efficiency,
        recordsPerSecond: r.link!.recordsPerSecond,
        instructions: median(r.records),
        mliInstructions,
        mliBitExact,
        resends: r.link!.stats.resends,
        bitExact: r.bitExact,
      });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (values.json) {
  process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
} else {
  process.stdout.write(
    table(
      ['model', 'board', 'records', 'bytes/record', 'wire efficiency', 'records/s', 'instr/inference portable', 'mli', 'mli/portable', 'bit-exact'],
      rows.map((x) => [
        x.model,
        x.board,
        String(x.records),
        String(x.recordBytes),
        `${(x.efficiency * 100).toFixed(1)}%${x.efficiency < 0.9 ? ' (<90%)' : ''}`,
        x.recordsPerSecond.toFixed(1),
        x.instructions === null ? '-' : String(x.instructions),
        x.mliInstructions === null ? '-' : String(x.mliInstructions),
        x.mliInstructions !== null && x.instructions ? (x.mliInstructions / x.instructions).toFixed(2) : '-',
        `${x.bitExact}${x.mliBitExact === null ? '' : ` / mli ${x.mliBitExact}`}`,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ) + '\n',
  );
  process.stdout.write(
    '\nWire efficiency: record bytes over the wire bytes for them, both ways (frames, SLIP, acknowledgements); the start (BOOT, HELLO) apart. Records/s includes the link and, on\n' +
      'qemu-arc-em, the emulated inference; the host board\'s pty has no baud rate, so its figure is the protocol\'s ceiling. At a real\n' +
      'board\'s 115200 baud (11.5 KB/s) a record takes at least (bytes/record / efficiency) / 11520 s on the wire.\n' +
      'MLI here is its portable reference C compiled by GCC (its DSP paths need MetaWare, and QEMU has no EM DSP): the mli column\n' +
      'measures that reference C, not MLI on a real EM9D, where the MetaWare build runs the DSP kernels instead.\n',
  );
}

/**
 * Every command that writes fails at once, with one line and exit code 2, when its output
 * cannot be written. Tests run as root here, which ignores permission bits, so the unwritable
 * places are ones that refuse root too: /proc (whose recursive mkdir once hung the CLI), a
 * file where a folder is needed, a folder where a file is needed, and a read-only tmpfs mounted
 * in a private user and mount namespace (unshare -rm; skipped where namespaces are off).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS, SHARED, VECTORS } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const KWS = join(MODELS, 'kws_ref_model.tflite');
const aFile = join(tmp, 'a-file');
writeFileSync(aFile, 'x');
const aDir = join(tmp, 'a-dir');
mkdirSync(aDir);

/** Each writing command with its output path put at `p`; `dir` says whether it wants a folder. */
const WRITERS: { name: string; dir: boolean; args: (p: string) => string[] }[] = [
  { name: 'compile --out', dir: true, args: (p) => ['compile', KWS, '--board', 'host', '--out', p] },
  { name: 'deploy --out', dir: true, args: (p) => ['deploy', KWS, '--board', 'host', '--out', p] },
  { name: 'example --out', dir: true, args: (p) => ['example', '--out', p] },
  { name: 'golden --out', dir: true, args: (p) => ['golden', KWS, '--out', p, '--count', '2'] },
  { name: 'run --out', dir: false, args: (p) => ['run', KWS, '--inputs', join(VECTORS, 'kws_ref_model', 'inputs.bin'), '--out', p] },
  {
    name: 'eval --report',
    dir: false,
    args: (p) => ['eval', KWS, '--dataset', 'kws01', '--datasets', join(SHARED, 'datasets'), '--limit', '2', '--report', p],
  },
];

const canUnshare = ((): boolean => {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o ro mliflow-ro "$0"', aDir], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

describe('output paths that cannot be written', () => {
  for (const w of WRITERS) {
    it(`${w.name}: under /proc, a file for a folder or a folder for a file`, async () => {
      const [proc, wrongKind, underFile] = await Promise.all([
        runCli(w.args('/proc/mliflow-x'), { timeout: 60_000 }),
        runCli(w.args(w.dir ? aFile : aDir), { timeout: 60_000 }),
        runCli(w.args(join(aFile, 'x')), { timeout: 60_000 }),
      ]);
      expectCleanError(proc, /\/proc\/mliflow-x: cannot write/, /\/proc does not take new files or folders/);
      expectCleanError(wrongKind, w.dir ? /a-file: cannot write .*it is a file, and a folder is needed/ : /a-dir: cannot write .*it is a folder, and a file is needed/);
      expectCleanError(underFile, /a-file\/x: cannot write .*a-file is a file, not a folder/);
    });
  }

  it.skipIf(!canUnshare)('every writer: a read-only folder (a read-only tmpfs), and nothing is left behind', async () => {
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    const inRo = ['unshare', '-rm', 'sh', '-c', 'mount -t tmpfs -o ro mliflow-ro "$0" && exec "$@"', ro];
    const rs = await Promise.all(WRITERS.map((w) => runCli(w.args(join(ro, 'out', w.dir ? 'dir' : 'file.bin')), { prefix: inRo, timeout: 60_000 })));
    rs.forEach((r) => expectCleanError(r, /ro\/out\/(dir|file\.bin): cannot write/, /ro is on a read-only file system/));
    expect(readdirSync(ro)).toEqual([]);
  });
});

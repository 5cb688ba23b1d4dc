/**
 * File arguments: failures become one line naming the file, never a stack trace. Every command
 * that writes checks its output paths with checkOutputDir / checkOutputFile before any work,
 * and creates folders with makeDirs.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { MliflowError, UsageError } from '@mliflow/ir';

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

export function readFileArg(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MliflowError(`${path}: cannot read ${what} (${errCode(e)})`);
  }
}

export function writeFileArg(path: string, data: Uint8Array | string): void {
  try {
    makeDirs(dirname(path));
    writeFileSync(path, data);
  } catch (e) {
    if (e instanceof MliflowError) throw e;
    throw new MliflowError(`${path}: cannot write (${errCode(e)})`);
  }
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Why a path cannot be written, in words, from the error of a probe in `at`. */
function because(code: string, at: string): string {
  switch (code) {
    case 'EROFS':
      return `${at} is on a read-only file system`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${at}`;
    case 'ENOENT':
      return `${at} does not take new files or folders`;
    case 'ENOTDIR':
      return `${at} is a file, not a folder`;
    case 'ENOSPC':
      return `no space left in ${at}`;
    default:
      return `${at}: ${code}`;
  }
}

/**
 * `mkdir -p` that always ends. Node 20's recursive mkdir steps back to the parent on ENOENT
 * and forward on EEXIST, so a parent that exists but takes no children (anything under /proc)
 * loops forever: `compile --out /proc/x` hung there. This walks forward only, once.
 */
export function makeDirs(dir: string): void {
  const abs = resolve(dir);
  const { root } = parse(abs);
  let p = root;
  for (const part of abs.slice(root.length).split(/[\\/]+/).filter(Boolean)) {
    p = join(p, part);
    try {
      mkdirSync(p);
    } catch (e) {
      const code = errCode(e);
      if (code !== 'EEXIST') throw new UsageError(`${dir}: cannot create the folder: ${because(code, dirname(p))}`);
      if (!statOrNull(p)?.isDirectory()) throw new UsageError(`${dir}: cannot create the folder: ${p} is a file, not a folder`);
    }
  }
}

/** The deepest existing ancestor of `abs`, which must be a folder, probed for writing. */
function probeAncestor(path: string, abs: string, what: string): void {
  let at = abs;
  let st = statOrNull(at);
  while (!st) {
    at = dirname(at);
    st = statOrNull(at);
  }
  if (!st.isDirectory()) throw new UsageError(`${path}: cannot write ${what}: ${at} is a file, not a folder`);
  // Creating something is the only test that holds for root (which ignores permission bits),
  // read-only mounts, /proc and /sys alike.
  try {
    rmdirSync(mkdtempSync(join(at, '.mliflow-probe-')));
  } catch (e) {
    throw new UsageError(`${path}: cannot write ${what}: ${because(errCode(e), at)}`);
  }
}

/** Fails at once, with one line and exit code 2, when `dir` cannot be (or become) a writable folder. Creates nothing. */
export function checkOutputDir(dir: string, what: string): void {
  const abs = resolve(dir);
  const st = statOrNull(abs);
  if (st && !st.isDirectory()) throw new UsageError(`${dir}: cannot write ${what}: it is a file, and a folder is needed`);
  probeAncestor(dir, abs, what);
}

/** Fails at once, with one line and exit code 2, when `path` cannot be written as a file. Leaves an existing file as it was. */
export function checkOutputFile(path: string, what: string): void {
  const abs = resolve(path);
  const st = statOrNull(abs);
  if (st?.isDirectory()) throw new UsageError(`${path}: cannot write ${what}: it is a folder, and a file is needed`);
  if (!st) return probeAncestor(path, dirname(abs), what);
  try {
    closeSync(openSync(abs, 'r+'));
  } catch (e) {
    throw new UsageError(`${path}: cannot write ${what}: ${because(errCode(e), path)}`);
  }
}

/** File arguments: failures become one line naming the file, never a stack trace. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MliflowError } from '@mliflow/ir';

export function readFileArg(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MliflowError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export function writeFileArg(path: string, data: Uint8Array | string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (e) {
    throw new MliflowError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

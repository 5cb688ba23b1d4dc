/**
 * The firmware: the generated model project plus the protocol loop (templates/firmware) and the
 * board's own files (startup, UART, runtime, linker script from boards/<name>/), built with the
 * board's toolchain, then started (a host process or QEMU) with its serial link on a pty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { EXIT, MliflowError } from '@mliflow/ir';
import { findOnPath } from '../toolchain.js';
import { MAX_DATA, PROTOCOL_VERSION, TYPE } from '../transport/protocol.js';
import type { Board, BuildResult, FirmwareSpec } from './types.js';

export const FIRMWARE_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../templates/firmware');

export interface FirmwareIdentity {
  /** First 8 bytes of the model file's SHA-256, hex. */
  modelHash: string;
  model: string;
  version: string;
  kernels: string;
  numerics: string;
  debug: boolean;
  inputs: number;
  outputs: number;
  /** How the firmware greets: BOOT frames (mliflow, the default) or the EEMBC runner's "m-ready". */
  protocol?: 'mliflow' | 'mlperf-tiny';
}

/** mliflow's version, as the firmware reports it. */
export function mliflowVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function firmwareSpec(board: Board): FirmwareSpec | null {
  return board.spec.run.firmware ?? null;
}

const cString = (s: string): string => s.replace(/[^ -~]|["\\?]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

/** Writes fw/ (protocol loop, board files) and firmware.mk into a generated project. */
export function writeFirmware(board: Board, projectDir: string, id: FirmwareIdentity): { makefile: string; image: string } {
  const fw = firmwareSpec(board);
  if (!fw) throw new MliflowError(`board "${board.name}" has no run.firmware in its board.json`);
  const dir = join(projectDir, 'fw');
  mkdirSync(dir, { recursive: true });
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(FIRMWARE_TEMPLATES), { autoescape: false, trimBlocks: true, lstripBlocks: true, throwOnUndefined: true });
  const view = {
    model: id.model.replace(/\*\//g, '* /'),
    modelString: cString(id.model),
    board: board.name,
    version: cString(id.version),
    kernels: cString(id.kernels),
    numerics: cString(id.numerics),
    debug: id.debug,
    mlperf: id.protocol === 'mlperf-tiny',
    protocolVersion: PROTOCOL_VERSION,
    maxData: MAX_DATA,
    bootSpins: board.spec.run.kind === 'host' ? 200 : 2_000_000,
    types: TYPE,
    hashBytes: (id.modelHash.match(/../g) ?? []).map((h) => `0x${h}`).join(', '),
    inputs: Array.from({ length: id.inputs }, (_, i) => i),
    outputs: Array.from({ length: id.outputs }, (_, i) => i),
    sources: fw.sources.map((s) => `fw/${s}`),
    objects: ['fw_main.c', ...fw.sources].map((s) => `$(BUILD)/fw/${s.replace(/\.[cS]$/, '.o')}`),
    files: fw.files.map((s) => `fw/${s}`),
    cflags: fw.cflags.join(' '),
    ldflags: fw.ldflags.join(' '),
    image: fw.image,
  };
  writeFileSync(join(dir, 'fw_main.c'), env.render('fw_main.c.njk', view));
  copyFileSync(join(FIRMWARE_TEMPLATES, 'fw_board.h'), join(dir, 'fw_board.h'));
  for (const f of [...fw.sources, ...fw.files]) {
    const src = join(board.dir, f);
    if (!existsSync(src)) throw new MliflowError(`${join(board.dir, 'board.json')}: run.firmware names ${f}, which is not in ${board.dir}`);
    copyFileSync(src, join(dir, f));
  }
  writeFileSync(join(projectDir, 'firmware.mk'), env.render('firmware.mk.njk', view));
  return { makefile: 'firmware.mk', image: `build/${fw.image}` };
}

/** Builds the firmware image of a project that writeFirmware prepared. */
export async function buildFirmware(board: Board, projectDir: string, onLine?: (line: string) => void): Promise<BuildResult> {
  const fw = firmwareSpec(board);
  if (!fw) throw new MliflowError(`board "${board.name}" has no run.firmware in its board.json`);
  const image = `build/${fw.image}`;
  return board.build(projectDir, { makefile: 'firmware.mk', goal: image, executable: image, ...(onLine ? { onLine } : {}) });
}

/** A started firmware: its serial port, and how to stop it. */
export interface FirmwareSession {
  port: string;
  baud: number;
  /** The command that started it, ready to paste into a shell. */
  command: string[];
  /** What the process printed outside the serial link (QEMU's messages, say). */
  output(): string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** QEMU for a qemu board: --qemu, then the board's environment variable, then PATH. */
export function findQemu(board: Board, explicit?: string): string {
  const run = board.spec.run;
  if (run.kind !== 'qemu') throw new MliflowError(`board "${board.name}" does not run under QEMU`);
  const how = `pass --qemu PATH or set ${run.qemu.env}; ${run.qemu.howToGet}`;
  if (explicit) {
    const p = findOnPath(explicit.includes('/') ? explicit : `./${explicit}`);
    if (!p) throw new MliflowError(`--qemu ${explicit}: no executable there`, EXIT.missingTool);
    return p;
  }
  const fromEnv = process.env[run.qemu.env];
  if (fromEnv) {
    const p = findOnPath(fromEnv.includes('/') ? fromEnv : `./${fromEnv}`);
    if (!p) throw new MliflowError(`${run.qemu.env}=${fromEnv}: no executable there`, EXIT.missingTool);
    return p;
  }
  const p = findOnPath(run.qemu.binary);
  if (!p) throw new MliflowError(`board "${board.name}" needs ${run.qemu.binary}, which is not on PATH: ${how}`, EXIT.missingTool);
  return p;
}

/** Starts a built firmware image and waits for the pty it announces ("char device redirected to /dev/pts/N"). */
export async function startFirmware(board: Board, projectDir: string, opts: { qemu?: string; startTimeoutMs?: number } = {}): Promise<FirmwareSession> {
  const fw = firmwareSpec(board);
  const run = board.spec.run;
  if (!fw) throw new MliflowError(`board "${board.name}" has no run.firmware in its board.json`);
  const image = resolve(projectDir, 'build', fw.image);
  let argv: string[];
  if (run.kind === 'host') argv = [image];
  else if (run.kind === 'qemu') argv = [findQemu(board, opts.qemu), ...run.qemu.args, '-serial', 'pty', '-kernel', image];
  else throw new MliflowError(`board "${board.name}": starting the firmware needs the board (see deploy --dry-run)`, EXIT.needsHardware);
  const baud = run.serial?.baud ?? 115200;
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { cwd: projectDir, stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<number | null>((res) => {
    child.on('exit', (code, signal) => res(code ?? (signal ? 128 : null)));
    child.on('error', (e) => {
      text += `\n${e.message}`;
      res(null);
    });
  });
  const port = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new MliflowError(`${argv[0]} did not announce its serial pty within ${(opts.startTimeoutMs ?? 20_000) / 1000} s:\n${text.trim()}`, EXIT.generatedCode)), opts.startTimeoutMs ?? 20_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const m = /char device redirected to (\/dev\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new MliflowError(`${argv[0]} exited (${code}) before it opened its serial pty:\n${text.trim()}`, EXIT.generatedCode));
    });
  });
  return {
    port,
    baud,
    command: argv,
    output: () => text,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

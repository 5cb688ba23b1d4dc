/**
 * A real board (run.kind "hardware"): find what loading it needs (OpenOCD and gdb, or mdb; the
 * console's serial port by USB id), load the built image, and hand back the port as a
 * FirmwareSession, so the serial flow is the same as on host and QEMU. Nothing here is tried
 * without the board: missing pieces are named, with how to get them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { EXIT, MliflowError } from '@mliflow/ir';
import { findOnPath, shellCommand } from '../toolchain.js';
import { track, type FirmwareSession } from './firmware.js';
import type { Board, FlashPlan, SerialSpec } from './types.js';

export interface SerialPortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
}

export type Loader = { kind: 'openocd+gdb'; openocd: string; gdb: string } | { kind: 'mdb'; mdb: string };

export interface HardwareFound {
  loader: Loader | null;
  port: string | null;
  /** What is not here, each as a phrase naming it and how to get it; empty when the board can be loaded. */
  missing: string[];
}

/** The serial ports the OS lists (serialport's list(): vendorId, productId, pnpId); none when it cannot. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  try {
    const { SerialPort } = await import('serialport');
    return await SerialPort.list();
  } catch {
    return [];
  }
}

/**
 * The console port among the ports with the board's USB id. An FT2232H shows two: interface A
 * (JTAG, pnpId "...-if00-port0") and B (the UART, "-if01-"); prefer B, else the later path.
 */
export function pickBoardPort(ports: SerialPortInfo[], usb: NonNullable<SerialSpec['usb']>): string | null {
  const hits = ports
    .filter((p) => p.vendorId?.toLowerCase() === usb.vendor.toLowerCase() && p.productId?.toLowerCase() === usb.product.toLowerCase())
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  return (hits.find((p) => /-if01\b/.test(p.pnpId ?? '')) ?? hits[hits.length - 1])?.path ?? null;
}

/** The loader on PATH (OpenOCD with gdb first, then mdb) and the port, or what is missing. */
export async function detectHardware(board: Board, port?: string, ports?: SerialPortInfo[]): Promise<HardwareFound> {
  const run = board.spec.run;
  if (run.kind !== 'hardware') throw new MliflowError(`board "${board.name}" is not a hardware board`, EXIT.internal);
  const missing: string[] = [];
  let loader: Loader | null = null;
  const plan = run.flashPlan;
  if (plan) {
    const openocd = findOnPath(plan.openocd[0]);
    const gdb = findOnPath(plan.gdb[0]);
    const mdb = findOnPath(plan.mdb[0]);
    if (openocd && gdb) loader = { kind: 'openocd+gdb', openocd, gdb };
    else if (mdb) loader = { kind: 'mdb', mdb };
    else missing.push(`a loader: ${[!openocd && plan.openocd[0], !gdb && plan.gdb[0]].filter(Boolean).join(' and ')} (or ${plan.mdb[0]}) not on PATH (${plan.howToGet})`);
  } else {
    missing.push(`a way to load it: board.json has no run.flashPlan (${run.flash})`);
  }
  let found: string | null = port ?? null;
  if (!found) {
    const usb = run.serial?.usb;
    found = usb ? pickBoardPort(ports ?? (await listSerialPorts()), usb) : null;
    if (!found) missing.push(`the board: no serial port with USB id ${usb ? `${usb.vendor}:${usb.product}` : '(none in board.json)'} is connected (plug it in, or pass --port DEV)`);
  }
  if (!run.firmware) missing.push(`board.json has no run.firmware for ${board.name}, so mliflow cannot link a firmware for it`);
  return { loader, port: found, missing };
}

/** The commands that load `image` with the plan's tools (argv lists; run in the project folder). */
export function loadCommands(plan: FlashPlan, image: string): { openocd: string[]; gdb: string[]; mdb: string[] } {
  return { openocd: [...plan.openocd], gdb: [...plan.gdb, image], mdb: [...plan.mdb, image] };
}

/** Waits for `child` to print a line matching `ready`; rejects when it exits first or after `ms`. */
function waitFor(child: ChildProcess, ready: RegExp, ms: number, what: string, text: { s: string }): Promise<void> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new MliflowError(`${what} did not get ready within ${ms / 1000} s:\n${tail(text.s)}`, EXIT.needsHardware)), ms);
    const onData = (chunk: Buffer): void => {
      text.s += chunk.toString('utf8');
      if (ready.test(text.s)) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      rej(new MliflowError(`${what} could not start: ${e.message}`, EXIT.needsHardware));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new MliflowError(`${what} exited (${code}) before it was ready:\n${tail(text.s)}`, EXIT.needsHardware));
    });
  });
}

const tail = (s: string): string => s.trim().split('\n').slice(-8).join('\n');

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(t);
}

/**
 * Loads the built image on the board and starts it: OpenOCD (kept running until stop), then gdb
 * `load` (which sets the PC to the entry point) and `detach` (which lets the core run); or mdb,
 * which loads and runs it and stays attached. The firmware then sends BOOT frames until the host
 * speaks, so the port can be opened after the load.
 */
export async function startHardware(board: Board, projectDir: string, image: string, opts: { port?: string; log?: (line: string) => void } = {}): Promise<FirmwareSession> {
  const run = board.spec.run;
  if (run.kind !== 'hardware' || !run.flashPlan) throw new MliflowError(`board "${board.name}" has no run.flashPlan`, EXIT.internal);
  const found = await detectHardware(board, opts.port);
  if (found.missing.length || !found.loader || !found.port) {
    throw new MliflowError(`running on ${board.name} needs ${found.missing.join('; ')}. The image is built: ${image}`, EXIT.needsHardware);
  }
  const cmds = loadCommands(run.flashPlan, image);
  const cwd = resolve(projectDir);
  const children: ChildProcess[] = [];
  const text = { s: '' };
  let command: string[];
  try {
    if (found.loader.kind === 'openocd+gdb') {
      const ocd = spawn(found.loader.openocd, cmds.openocd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      track(ocd);
      children.push(ocd);
      opts.log?.(`starting ${shellCommand(cmds.openocd)}`);
      await waitFor(ocd, /Listening on port \d+ for gdb/, 20_000, 'openocd', text);
      opts.log?.(`loading ${image} with ${shellCommand(cmds.gdb)}`);
      const r = await execa(found.loader.gdb, cmds.gdb.slice(1), { cwd, all: true, reject: false, stdin: 'ignore', timeout: 300_000 });
      text.s += String(r.all ?? '');
      // gdb's load ends with "Start address 0x..., load size N"; anything else did not load.
      if (r.failed || !/Start address/.test(String(r.all ?? ''))) {
        throw new MliflowError(`${shellCommand(cmds.gdb)} could not load the image (${r.exitCode ?? r.shortMessage}):\n${tail(String(r.all ?? ''))}`, EXIT.needsHardware);
      }
      command = cmds.gdb;
    } else {
      opts.log?.(`loading and starting ${image} with ${shellCommand(cmds.mdb)}`);
      const mdb = spawn(found.loader.mdb, cmds.mdb.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      track(mdb);
      children.push(mdb);
      mdb.stdout!.on('data', (c: Buffer) => (text.s += c.toString('utf8')));
      mdb.stderr!.on('data', (c: Buffer) => (text.s += c.toString('utf8')));
      command = cmds.mdb;
    }
  } catch (e) {
    for (const c of children) await stopChild(c);
    throw e;
  }
  return {
    port: found.port,
    baud: run.serial?.baud ?? 115200,
    command,
    output: () => text.s,
    // The board runs on when the loader ends; only the link can tell that it stopped.
    exited: new Promise<number | null>(() => {}),
    async stop() {
      for (const c of children) await stopChild(c);
    },
  };
}

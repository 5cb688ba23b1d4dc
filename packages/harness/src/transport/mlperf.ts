/**
 * The MLPerf Tiny / EEMBC runner's ASCII protocol, from the host's side: commands ended by '%',
 * answered by "m-..." lines and "m-ready". The firmware speaks it beside mliflow's frames, so the
 * official runner can drive a board, and so can deploy (--protocol mlperf-tiny). It has no CRC:
 * for a clean link only. Outputs come back as mliflow's "m-results-hex-[...]" line, bit for bit.
 */
import { ReadlineParser, SerialPort } from 'serialport';
import { LinkError } from './link.js';
import type { Expected, RecordResult } from './client.js';
import { IdentityError } from './client.js';

/** Hex bytes per `db` command: 64 digits, inside the reference runner's 80-character command buffer. */
const DB_CHUNK = 32;

export class MlperfClient {
  readonly stats = { wireTx: 0, wireRx: 0, commands: 0 };
  private lines: string[] = [];
  private wake: (() => void) | null = null;
  private closedWhy: string | null = null;

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
    private readonly timeoutMs: number,
  ) {
    const parser = port.pipe(new ReadlineParser({ delimiter: '\r\n' }));
    port.on('data', (d: Buffer) => (this.stats.wireRx += d.length));
    parser.on('data', (line: string) => {
      this.lines.push(line.trim());
      this.wake?.();
    });
    port.on('close', () => {
      this.closedWhy ??= 'the serial port closed';
      this.wake?.();
    });
  }

  static async open(path: string, baudRate: number, timeoutMs = 600_000): Promise<MlperfClient> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res()))).catch((e: Error) => {
      throw new LinkError(`${path}: cannot open the serial port (${e.message})`);
    });
    return new MlperfClient(port, path, timeoutMs);
  }

  private async nextLine(timeoutMs: number): Promise<string> {
    const started = Date.now();
    while (this.lines.length === 0) {
      if (this.closedWhy) throw new LinkError(`${this.path}: ${this.closedWhy}`);
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) throw new LinkError(`${this.path}: no answer within ${timeoutMs / 1000} s (MLPerf Tiny protocol)`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.wake = () => {
          clearTimeout(t);
          res();
        };
      });
      this.wake = null;
    }
    return this.lines.shift()!;
  }

  /**
   * Waits for the firmware's "m-ready" (it repeats its greeting until the host speaks), then
   * syncs with `name`: greetings still in flight are skipped up to the m-name line.
   */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    for (;;) if ((await this.nextLine(timeoutMs)) === 'm-ready') break;
    this.port.write('name%');
    this.stats.wireTx += 5;
    for (;;) if ((await this.nextLine(10_000)).startsWith('m-name-')) break;
    for (;;) if ((await this.nextLine(10_000)) === 'm-ready') break;
  }

  /** Sends `cmd%` and returns the lines before "m-ready"; an "e-[...]" line is an error. */
  async command(cmd: string, timeoutMs = this.timeoutMs): Promise<string[]> {
    const text = `${cmd}%`;
    this.stats.wireTx += text.length;
    this.stats.commands++;
    this.port.write(text);
    const out: string[] = [];
    for (;;) {
      const line = await this.nextLine(timeoutMs);
      if (line === 'm-ready') break;
      if (line.startsWith('e-')) throw new LinkError(`${this.path}: the board answered "${cmd.slice(0, 40)}" with ${line}`);
      out.push(line);
    }
    return out;
  }

  /** `profile`: checks the model hash, name and kernels the firmware reports. */
  async connect(expected: Expected): Promise<{ model: string; hash: string; kernels: string }> {
    await this.waitReady();
    const lines = await this.command('profile', 10_000);
    const model = /^m-model-\[(.*)\]$/.exec(lines.find((l) => l.startsWith('m-model-')) ?? '')?.[1] ?? '';
    const ours = /^m-mliflow-\[([0-9a-f]{16}) (\S+)/.exec(lines.find((l) => l.startsWith('m-mliflow-')) ?? '');
    if (!ours) throw new IdentityError(`${this.path}: the board's profile has no m-mliflow line: it is not running mliflow's firmware`);
    if (ours[1] !== expected.modelHash) {
      throw new IdentityError(`the board runs model "${model}" (hash ${ours[1]}), not "${expected.model}" (hash ${expected.modelHash}); load the firmware built for this model`);
    }
    if (ours[2] !== expected.kernels) throw new IdentityError(`the board's firmware uses ${ours[2]} kernels, not ${expected.kernels}`);
    return { model, hash: ours[1], kernels: ours[2] };
  }

  async runRecord(input: Uint8Array): Promise<RecordResult> {
    await this.command(`db load ${input.length}`, 10_000);
    for (let off = 0; off < input.length; off += DB_CHUNK) {
      await this.command(`db ${Buffer.from(input.subarray(off, off + DB_CHUNK)).toString('hex')}`, 10_000);
    }
    const lines = await this.command('infer 1 0');
    const hex = /^m-results-hex-\[([0-9a-f]*)\]$/.exec(lines.find((l) => l.startsWith('m-results-hex-')) ?? '');
    if (!hex) throw new LinkError(`${this.path}: the infer answer has no m-results-hex line`);
    const count = /^m-instructions-\[(\d+)\]$/.exec(lines.find((l) => l.startsWith('m-instructions-')) ?? '');
    return { output: new Uint8Array(Buffer.from(hex[1], 'hex')), count: count ? Number(count[1]) : null, restarts: 0 };
  }

  async shutdown(): Promise<void> {
    this.closedWhy ??= 'closed';
    if (this.port.isOpen) await new Promise<void>((res) => this.port.close(() => res()));
  }
}

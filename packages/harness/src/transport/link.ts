/**
 * A serial link to the firmware: SLIP framing (serialport's SlipEncoder/SlipDecoder), CRC-32 per
 * frame, sequence numbers, stop-and-wait requests with timeouts and retries. A corrupt frame, a
 * NAK or a BOOT (the board restarted) makes the pending request go out again at once; a lost
 * frame costs a timeout. Requests are idempotent on the firmware side, so resending is safe.
 */
import { SerialPort, SlipDecoder, SlipEncoder } from 'serialport';
import { EXIT, MliflowError } from '@mliflow/ir';
import { framePayload, parseFrame, parseIdentity, TYPE, type Frame, type Identity } from './protocol.js';

/** The link failed for good: the board stopped answering, or kept answering garbage. */
export class LinkError extends MliflowError {
  override name = 'LinkError';
  constructor(message: string) {
    super(message, EXIT.generatedCode);
  }
}

export interface LinkStats {
  /** Bytes of frames (header, body, CRC) before SLIP, both ways. */
  frameBytes: number;
  /** Bytes on the wire, both ways. */
  wireTx: number;
  wireRx: number;
  requests: number;
  resends: number;
  timeouts: number;
  naks: number;
  badFrames: number;
  boots: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

type Event = { kind: 'frame'; frame: Frame } | { kind: 'resend'; why: 'nak' | 'corrupt' | 'boot' } | { kind: 'closed'; why: string };

const END = 0xc0;

export class SerialLink {
  readonly stats: LinkStats = { frameBytes: 0, wireTx: 0, wireRx: 0, requests: 0, resends: 0, timeouts: 0, naks: 0, badFrames: 0, boots: 0 };
  /** The identity in the last BOOT frame, if one came. */
  lastBoot: Identity | null = null;
  private seq = 0;
  private waiter: ((e: Event) => void) | null = null;
  private bootWaiters: (() => void)[] = [];
  private closedWhy: string | null = null;
  private readonly encoder = new SlipEncoder({ bluetoothQuirk: true });
  private readonly decoder = new SlipDecoder();
  /** The last bytes received, for messages when the board prints text (a CPU exception) and stops. */
  private tail: number[] = [];

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
    private readonly defaults: Required<RequestOptions>,
  ) {
    this.encoder.on('data', (chunk: Buffer) => {
      this.stats.wireTx += chunk.length;
      // A second END after each frame: when a fault swallows the first, the board still sees the
      // frame end now rather than after the host's timeout.
      port.write(Buffer.concat([chunk, Buffer.from([END])]));
      this.stats.wireTx += 1;
    });
    port.on('data', (chunk: Buffer) => {
      this.stats.wireRx += chunk.length;
      for (const b of chunk) this.tail.push(b);
      if (this.tail.length > 512) this.tail = this.tail.slice(-512);
      this.decoder.write(chunk);
    });
    this.decoder.on('data', (data: Buffer) => this.onFrame(data));
    port.on('close', () => this.close('the serial port closed'));
    port.on('error', (e: Error) => this.close(`serial port error: ${e.message}`));
  }

  static async open(path: string, baudRate: number, defaults: RequestOptions = {}): Promise<SerialLink> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res()))).catch((e: Error) => {
      throw new LinkError(`${path}: cannot open the serial port (${e.message})`);
    });
    return new SerialLink(port, path, { timeoutMs: defaults.timeoutMs ?? 1000, retries: defaults.retries ?? 20 });
  }

  /** Waits for the firmware's BOOT frame: nothing may be sent before it (the UART may not be ready). */
  async waitForBoot(timeoutMs: number): Promise<Identity | null> {
    if (this.lastBoot) return this.lastBoot;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new LinkError(`${this.path}: the firmware did not announce itself within ${timeoutMs / 1000} s${this.textNote()}`)), timeoutMs);
      this.bootWaiters.push(() => {
        clearTimeout(t);
        res();
      });
    });
    return this.lastBoot;
  }

  /** Printable text among the last bytes received (what a board prints outside frames). */
  recentText(): string {
    return String.fromCharCode(...this.tail.filter((b) => b === 10 || (b >= 32 && b < 127))).trim();
  }

  private onFrame(data: Buffer): void {
    if (data.length === 0) return;
    const f = parseFrame(data);
    if (!f) {
      this.stats.badFrames++;
      this.emit({ kind: 'resend', why: 'corrupt' });
      return;
    }
    this.stats.frameBytes += data.length;
    if (f.type === TYPE.NAK) {
      this.stats.naks++;
      this.emit({ kind: 'resend', why: 'nak' });
    } else if (f.type === TYPE.BOOT) {
      this.stats.boots++;
      try {
        this.lastBoot = parseIdentity(f.body);
      } catch {
        this.lastBoot = null;
      }
      for (const w of this.bootWaiters.splice(0)) w();
      this.emit({ kind: 'resend', why: 'boot' });
    } else {
      this.emit({ kind: 'frame', frame: f });
    }
  }

  private emit(e: Event): void {
    const w = this.waiter;
    if (w) w(e);
  }

  /** Sends a request and returns the body of its reply; resends on loss, corruption or a board reset. */
  async request(type: number, body: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    const timeoutMs = opts.timeoutMs ?? this.defaults.timeoutMs;
    const retries = opts.retries ?? this.defaults.retries;
    this.seq = (this.seq + 1) & 0xff;
    const seq = this.seq;
    const payload = framePayload(type, seq, body);
    this.stats.requests++;
    let lastWhy = 'no reply';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (this.closedWhy) throw new LinkError(`${this.path}: ${this.closedWhy}${this.textNote()}`);
      if (attempt > 0) this.stats.resends++;
      const outcome = await new Promise<Event | 'timeout'>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve('timeout');
        }, timeoutMs);
        this.waiter = (e) => {
          // Replies to earlier requests (duplicates of resent ones) are stale: keep waiting.
          if (e.kind === 'frame' && (e.frame.seq !== seq || e.frame.type !== (type | TYPE.REPLY))) return;
          clearTimeout(timer);
          this.waiter = null;
          resolve(e);
        };
        this.stats.frameBytes += payload.length;
        this.encoder.write(payload);
      });
      if (outcome === 'timeout') {
        this.stats.timeouts++;
        lastWhy = `no reply within ${timeoutMs} ms`;
        continue;
      }
      if (outcome.kind === 'frame') return outcome.frame.body;
      if (outcome.kind === 'closed') throw new LinkError(`${this.path}: ${outcome.why}${this.textNote()}`);
      lastWhy = outcome.why === 'boot' ? 'the board restarted' : outcome.why === 'nak' ? 'the board received a damaged frame' : 'a damaged reply';
    }
    throw new LinkError(`${this.path}: request ${type} got no good reply after ${retries + 1} tries (last: ${lastWhy})${this.textNote()}`);
  }

  private textNote(): string {
    const t = this.recentText();
    return t ? `; the board printed: ${t.slice(-300)}` : '';
  }

  /** Marks the link dead (the board's process ended, say): a pending request fails at once. */
  close(why: string): void {
    if (this.closedWhy) return;
    this.closedWhy = why;
    this.emit({ kind: 'closed', why });
    if (this.port.isOpen) this.port.close(() => undefined);
  }

  async shutdown(): Promise<void> {
    this.closedWhy ??= 'closed';
    if (!this.port.isOpen) return;
    await new Promise<void>((res) => this.port.close(() => res()));
  }
}

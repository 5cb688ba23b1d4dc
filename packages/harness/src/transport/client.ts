/** The harness's side of a firmware session: handshake, identity check, one record at a time. */
import { EXIT, MliflowError } from '@mliflow/ir';
import { LinkError, type SerialLink } from './link.js';
import { crc32, MAX_DATA, PROTOCOL_VERSION, parseIdentity, STATUS, TYPE, u32le, type Identity } from './protocol.js';

/** The board runs something other than what the harness built for it. */
export class IdentityError extends MliflowError {
  override name = 'IdentityError';
  constructor(message: string) {
    super(message, EXIT.checkFailed);
  }
}

export interface Expected {
  modelHash: string;
  model: string;
  inputBytes: number[];
  outputBytes: number[];
  kernels: string;
}

export interface RecordResult {
  output: Uint8Array;
  /** Instructions (or cycles) of the invoke alone; null when the board has no counter. */
  count: number | null;
  /** Times the record went round again because the board lost its inputs or results. */
  restarts: number;
}

export class BoardClient {
  identity: Identity | null = null;

  constructor(
    readonly link: SerialLink,
    private readonly opts: { invokeTimeoutMs: number },
  ) {}

  /**
   * Waits for the firmware's BOOT (a board that just started sends nothing else first, and must
   * hear nothing before it), then HELLO; a board that booted before the link opened gets HELLO
   * after `bootWaitMs`. Then checks what the board runs.
   */
  async connect(expected: Expected, bootWaitMs = 10_000): Promise<Identity> {
    await this.link.waitForBoot(bootWaitMs).catch(() => null);
    const body = await this.link.request(TYPE.HELLO, new Uint8Array(0), { timeoutMs: 500, retries: 20 });
    const id = parseIdentity(body);
    this.identity = id;
    if (id.protocol !== PROTOCOL_VERSION) {
      throw new IdentityError(`the board speaks protocol version ${id.protocol}; this harness speaks ${PROTOCOL_VERSION}: rebuild and reload the firmware`);
    }
    if (id.modelHash !== expected.modelHash) {
      throw new IdentityError(
        `the board runs model "${id.model}" (hash ${id.modelHash}), not "${expected.model}" (hash ${expected.modelHash}); load the firmware built for this model`,
      );
    }
    const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(id.inputBytes, expected.inputBytes) || !same(id.outputBytes, expected.outputBytes)) {
      throw new IdentityError(
        `the board's tensors (inputs ${id.inputBytes.join('+')} bytes, outputs ${id.outputBytes.join('+')}) differ from the model's (${expected.inputBytes.join('+')}, ${expected.outputBytes.join('+')})`,
      );
    }
    if (id.kernels !== expected.kernels) throw new IdentityError(`the board's firmware uses ${id.kernels} kernels, not ${expected.kernels}`);
    return id;
  }

  /** Uploads one input record, invokes, reads the outputs back; verified end to end by CRC. */
  async runRecord(input: Uint8Array): Promise<RecordResult> {
    const id = this.identity;
    if (!id) throw new Error('runRecord before connect');
    const chunk = Math.min(MAX_DATA, id.maxData);
    const token = crc32(input);
    const outBytes = id.outputBytes.reduce((a, b) => a + b, 0);
    const status = (b: Uint8Array, what: string): number => {
      if (b.length < 1) throw new LinkError(`${this.link.path}: empty reply to ${what}`);
      if (b[0] === STATUS.RANGE || b[0] === STATUS.UNKNOWN) throw new LinkError(`${this.link.path}: the board refused ${what} (status ${b[0]})`);
      return b[0];
    };
    for (let restarts = 0; restarts < 8; restarts++) {
      // Every chunk but the last as WRITEs; the last rides with the INVOKE.
      const last = input.length === 0 ? 0 : Math.floor((input.length - 1) / chunk) * chunk;
      for (let off = 0; off < last; off += chunk) {
        const data = input.subarray(off, off + chunk);
        const body = new Uint8Array(4 + data.length);
        body.set(u32le(off));
        body.set(data, 4);
        status(await this.link.request(TYPE.WRITE, body), `input bytes at ${off}`);
      }
      const tailData = input.subarray(last);
      const invBody = new Uint8Array(tailData.length ? 8 + tailData.length : 4);
      invBody.set(u32le(token));
      if (tailData.length) {
        invBody.set(u32le(last), 4);
        invBody.set(tailData, 8);
      }
      const inv = await this.link.request(TYPE.INVOKE, invBody, { timeoutMs: this.opts.invokeTimeoutMs });
      if (status(inv, 'the invoke') === STATUS.BAD_INPUTS) continue; // chunks lost or the board restarted: upload again
      // status u8, count u64 (low, high), output bytes u32, output CRC u32, then inline outputs.
      const head = 17;
      if (inv.length < head) throw new LinkError(`${this.link.path}: short reply to the invoke`);
      const v = new DataView(inv.buffer, inv.byteOffset, inv.length);
      const count = v.getUint32(1, true) + v.getUint32(5, true) * 2 ** 32; // exact below 2^53
      const total = v.getUint32(9, true);
      const outCrc = v.getUint32(13, true);
      if (total !== outBytes) throw new LinkError(`${this.link.path}: the board reports ${total} output bytes, its hello said ${outBytes}`);
      const output = new Uint8Array(outBytes);
      let lost = false;
      // Outputs of at most one frame come inline with the invoke's reply.
      const inline = outBytes <= id.maxData && inv.length === head + outBytes;
      if (inline) output.set(inv.subarray(head));
      for (let off = 0; off < outBytes && !lost && !inline; off += chunk) {
        const n = Math.min(chunk, outBytes - off);
        const r = await this.link.request(TYPE.READ, u32le(token, off, n));
        if (status(r, `output bytes at ${off}`) === STATUS.NO_RESULT || r.length !== n + 1) {
          lost = true; // the board restarted since the invoke
        } else {
          output.set(r.subarray(1), off);
        }
      }
      if (lost || crc32(output) !== outCrc) continue;
      return { output, count: id.hasCounter ? count : null, restarts };
    }
    throw new LinkError(`${this.link.path}: the record did not get through after 8 uploads (the board keeps losing its inputs or results)`);
  }
}

/**
 * The serial protocol between the harness and the firmware (templates/firmware/fw_main.c.njk is
 * the board's side). A frame is type (u8), seq (u8), body, CRC-32 of type..body (little-endian),
 * SLIP-delimited on the wire. The host sends one request and waits for its reply (same seq).
 */
import CRC32 from 'crc-32';

/** 2: the invoke's reply carries a 64-bit count (low word, then high word). */
export const PROTOCOL_VERSION = 2;
/** Bytes of record data per WRITE or READ frame: large enough for >= 90% wire efficiency. */
export const MAX_DATA = 1024;

export const TYPE = {
  HELLO: 0x01,
  WRITE: 0x02,
  INVOKE: 0x03,
  READ: 0x04,
  RESET: 0x05,
  /** Unsolicited: the firmware has (re)started; its body is the identity. */
  BOOT: 0x70,
  /** The firmware got a frame with a bad CRC or length; the host resends. */
  NAK: 0x7f,
  /** A reply's type is its request's type | REPLY. */
  REPLY: 0x80,
} as const;

export const STATUS = { OK: 0, BAD_INPUTS: 1, NO_RESULT: 2, RANGE: 3, UNKNOWN: 4 } as const;

export interface Frame {
  type: number;
  seq: number;
  body: Uint8Array;
}

/** CRC-32 (IEEE 802.3, as zlib), unsigned. */
export function crc32(data: Uint8Array, seed = 0): number {
  return CRC32.buf(data, seed) >>> 0;
}

/** The frame's bytes before SLIP: header, body, CRC. */
export function framePayload(type: number, seq: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 6);
  out[0] = type;
  out[1] = seq & 0xff;
  out.set(body, 2);
  new DataView(out.buffer).setUint32(body.length + 2, crc32(out.subarray(0, body.length + 2)), true);
  return out;
}

/** A decoded SLIP frame, or null when it is too short or its CRC is wrong. */
export function parseFrame(data: Uint8Array): Frame | null {
  if (data.length < 6) return null;
  const n = data.length - 4;
  const want = new DataView(data.buffer, data.byteOffset, data.length).getUint32(n, true);
  if (crc32(data.subarray(0, n)) !== want) return null;
  return { type: data[0], seq: data[1], body: data.slice(2, n) };
}

export function u32le(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x >>> 0, true));
  return out;
}

/** What the firmware says about itself (HELLO's reply and BOOT). */
export interface Identity {
  protocol: number;
  /** An instruction (QEMU: 64 bits from timers 0 and 1) or cycle counter brackets the invoke. */
  hasCounter: boolean;
  debug: boolean;
  maxData: number;
  /** First 8 bytes of the model file's SHA-256, hex. */
  modelHash: string;
  inputBytes: number[];
  outputBytes: number[];
  model: string;
  version: string;
  kernels: string;
  numerics: string;
  board: string;
}

export function parseIdentity(body: Uint8Array): Identity {
  const v = new DataView(body.buffer, body.byteOffset, body.length);
  if (body.length < 16) throw new Error(`identity of ${body.length} bytes is too short`);
  const nIn = body[2];
  const nOut = body[3];
  let off = 16;
  const sizes = (n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++, off += 4) out.push(v.getUint32(off, true));
    return out;
  };
  const inputBytes = sizes(nIn);
  const outputBytes = sizes(nOut);
  const strings = new TextDecoder().decode(body.subarray(off)).replace(/\0+$/, '').split('\0');
  return {
    protocol: body[0],
    hasCounter: (body[1] & 1) !== 0,
    debug: (body[1] & 2) !== 0,
    maxData: v.getUint32(4, true),
    modelHash: Buffer.from(body.subarray(8, 16)).toString('hex'),
    inputBytes,
    outputBytes,
    model: strings[0] ?? '',
    version: strings[1] ?? '',
    kernels: strings[2] ?? '',
    numerics: strings[3] ?? '',
    board: strings[4] ?? '',
  };
}

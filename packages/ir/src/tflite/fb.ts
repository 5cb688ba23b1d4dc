/**
 * Bounds-checked FlatBuffer table access over the `flatbuffers` runtime's ByteBuffer.
 * The runtime trusts its input; a .tflite from disk is not trusted, so every offset is
 * checked before it is followed and every failure names the path that led there.
 */
import * as flatbuffers from 'flatbuffers';
import { ModelFormatError } from '../errors.js';

export class FbTable {
  constructor(
    readonly bb: flatbuffers.ByteBuffer,
    readonly pos: number,
    readonly path: string,
    private readonly ctx: FbContext,
  ) {
    ctx.check(pos, 4, path);
    const vt = pos - bb.readInt32(pos);
    ctx.check(vt, 4, `${path} (vtable)`);
    this.vtable = vt;
    this.vtableSize = bb.readUint16(vt);
    this.tableSize = bb.readUint16(vt + 2);
    ctx.check(vt, this.vtableSize, `${path} (vtable)`);
    if (this.vtableSize < 4 || this.vtableSize % 2 !== 0) ctx.fail(`${path}: malformed vtable`);
    ctx.check(pos, this.tableSize, path);
  }
  private readonly vtable: number;
  private readonly vtableSize: number;
  private readonly tableSize: number;

  /** Absolute position of field `id`, or 0 when absent. */
  private field(id: number, size: number): number {
    const vo = 4 + id * 2;
    if (vo + 2 > this.vtableSize) return 0;
    const off = this.bb.readUint16(this.vtable + vo);
    if (off === 0) return 0;
    if (off + size > this.tableSize) this.ctx.fail(`${this.path}: field ${id} lies outside its table`);
    return this.pos + off;
  }

  has(id: number): boolean {
    return this.field(id, 0) !== 0;
  }
  int8(id: number, dflt = 0): number {
    const p = this.field(id, 1);
    return p ? this.bb.readInt8(p) : dflt;
  }
  uint8(id: number, dflt = 0): number {
    const p = this.field(id, 1);
    return p ? this.bb.readUint8(p) : dflt;
  }
  bool(id: number, dflt = false): boolean {
    const p = this.field(id, 1);
    return p ? this.bb.readUint8(p) !== 0 : dflt;
  }
  int32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.bb.readInt32(p) : dflt;
  }
  uint32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.bb.readUint32(p) : dflt;
  }
  float32(id: number, dflt = 0): number {
    const p = this.field(id, 4);
    return p ? this.bb.readFloat32(p) : dflt;
  }
  uint64(id: number): bigint {
    const p = this.field(id, 8);
    return p ? this.bb.readUint64(p) : 0n;
  }

  private indirect(id: number, what: string): number {
    const p = this.field(id, 4);
    if (!p) return 0;
    const target = p + this.bb.readUint32(p);
    this.ctx.check(target, 4, `${this.path}.${what}`);
    return target;
  }

  table(id: number, name: string): FbTable | null {
    const t = this.indirect(id, name);
    return t ? new FbTable(this.bb, t, `${this.path}.${name}`, this.ctx) : null;
  }

  string(id: number, name: string): string | null {
    const bytes = this.bytes(id, name);
    return bytes ? new TextDecoder().decode(bytes) : null;
  }

  /** Start and length of a vector of `elemSize`-byte elements, or null when absent. */
  private vec(id: number, name: string, elemSize: number): { start: number; length: number } | null {
    const v = this.indirect(id, name);
    if (!v) return null;
    const length = this.bb.readUint32(v);
    const start = v + 4;
    this.ctx.check(start, length * elemSize, `${this.path}.${name}`);
    this.ctx.account(length * elemSize, `${this.path}.${name}`);
    return { start, length };
  }

  bytes(id: number, name: string): Uint8Array | null {
    const v = this.vec(id, name, 1);
    return v ? this.bb.bytes().subarray(v.start, v.start + v.length) : null;
  }
  int32s(id: number, name: string): number[] | null {
    const v = this.vec(id, name, 4);
    if (!v) return null;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.bb.readInt32(v.start + 4 * i);
    return out;
  }
  float32s(id: number, name: string): number[] | null {
    const v = this.vec(id, name, 4);
    if (!v) return null;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.bb.readFloat32(v.start + 4 * i);
    return out;
  }
  int64s(id: number, name: string): bigint[] | null {
    const v = this.vec(id, name, 8);
    if (!v) return null;
    const out = new Array<bigint>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.bb.readInt64(v.start + 8 * i);
    return out;
  }
  bools(id: number, name: string): boolean[] | null {
    const b = this.bytes(id, name);
    return b ? Array.from(b, (x) => x !== 0) : null;
  }
  tables(id: number, name: string): FbTable[] {
    const v = this.vec(id, name, 4);
    if (!v) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const p = v.start + 4 * i;
      const t = p + this.bb.readUint32(p);
      this.ctx.check(t, 4, `${this.path}.${name}[${i}]`);
      out.push(new FbTable(this.bb, t, `${this.path}.${name}[${i}]`, this.ctx));
    }
    return out;
  }
}

export class FbContext {
  /** Bytes of vectors read so far. */
  private read = 0;
  /**
   * A vector that many tables point at is read once per table; without a bound a small
   * crafted file could make the reader copy gigabytes. Writers do not share vectors (the
   * TFLite converter may share a few small buffers), so twice the file is ample.
   */
  private readonly readLimit: number;
  constructor(
    readonly file: string,
    readonly size: number,
  ) {
    this.readLimit = 2 * size + (1 << 20);
  }
  account(bytes: number, path: string): void {
    this.read += bytes;
    if (this.read > this.readLimit) {
      this.fail(`${path}: the file's vectors add up to over ${this.readLimit} bytes, more than a ${this.size}-byte model holds; it reuses them and is crafted or corrupt`);
    }
  }
  check(pos: number, len: number, path: string): void {
    if (!(pos >= 0 && len >= 0 && pos + len <= this.size)) {
      this.fail(`${path}: offset ${pos}+${len} is outside the file (${this.size} bytes); the file is truncated or corrupt`);
    }
  }
  fail(msg: string): never {
    throw new ModelFormatError(`${this.file}: ${msg}`);
  }
}

/** Root table of a buffer carrying the given 4-byte file identifier. */
export function rootTable(bytes: Uint8Array, identifier: string, file: string): FbTable {
  const ctx = new FbContext(file, bytes.length);
  if (bytes.length < 8) ctx.fail(`${bytes.length} bytes is too short to be a FlatBuffer`);
  const bb = new flatbuffers.ByteBuffer(bytes);
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (ident !== identifier) {
    ctx.fail(`not a TFLite model: file identifier is ${JSON.stringify(ident)}, expected "${identifier}"`);
  }
  const root = bb.readUint32(0);
  ctx.check(root, 4, 'root');
  return new FbTable(bb, root, 'model', ctx);
}

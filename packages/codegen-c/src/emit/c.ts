/** Small C text helpers: literals, identifiers, array bodies. */

export function cInt(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${n}`);
  if (n === -2147483648) return '(-2147483647 - 1)';
  if (n < -2147483648 || n > 4294967295) throw new Error(`integer out of 32-bit range: ${n}`);
  return String(n);
}

/** A float32 value as a C float literal that reads back to the same float. */
export function cFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  let s = Math.fround(x).toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return `${s}f`;
}

/** Text safe inside a C block comment. */
export function cComment(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[^\x20-\x7e]/g, '?');
}

/** Text safe inside a C string literal. */
export function cString(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Array initializer body: `perLine` values per line, each line indented. */
export function arrayBody(data: ArrayLike<number>, perLine = 16, indent = '  '): string {
  const lines: string[] = [];
  const n = data.length;
  for (let i = 0; i < n; i += perLine) {
    const end = Math.min(i + perLine, n);
    let line = indent;
    for (let k = i; k < end; k++) {
      const v = data[k];
      line += (v === -2147483648 ? '(-2147483647 - 1)' : String(v)) + (k < n - 1 ? ', ' : '');
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

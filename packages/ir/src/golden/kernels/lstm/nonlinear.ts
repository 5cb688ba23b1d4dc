/**
 * The int16 sigmoid and tanh of TFLite's integer LSTM: a 256-entry table of sigmoid(i/24)
 * in Q0.16, linearly interpolated, with tanh(x) = 2 sigmoid(2x) - 1. Inputs are Q3.12,
 * outputs Q0.15.
 */

/**
 * sigmoid(i / 24) * 2^16 for i = 0..255 (the last entry saturated to 65535). These are
 * the published values TFLite uses, not a recomputation: some entries differ by one from
 * round(65536 * sigmoid(i / 24)), and bit-exactness needs the table itself.
 */
export const SIGMOID_TABLE_Q16: Uint16Array = Uint16Array.from([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
  43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
  51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
  57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
  61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
  63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
  64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
  64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
  65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
  65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
  65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
  65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
  65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
  65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
  65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
  65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
]);

/**
 * In-place sigmoid of Q3.12 values into Q0.15. For q = x * 2^12, 3q / 2^9 = 24x, so
 * |3q| >> 9 is the table index and its low 9 bits interpolate to the next entry.
 */
export function sigmoidQ312(data: Int16Array, off: number, n: number): void {
  const t = SIGMOID_TABLE_Q16;
  for (let i = off; i < off + n; i++) {
    const v = data[i] * 3;
    const a = v < 0 ? -v : v;
    const uh = a >>> 9;
    let r: number;
    if (uh >= 255) r = 0x7fff << 10;
    else {
      const ua = t[uh];
      r = ua * 512 + (a & 0x1ff) * (t[uh + 1] - ua);
    }
    // Negative inputs mirror: sigmoid(-x) = 1 - sigmoid(x), rounding the other way.
    r = v >= 0 ? r + 512 : (1 << 25) - r + 511;
    data[i] = r >>> 10;
  }
}

/**
 * tanh of int16 values into Q0.15 (out may alias inp), as 2 sigmoid(2x) - 1: the input is
 * brought to v = (x * multiplier + round) >> shift (round = 2^(shift-1), or 0 without a
 * shift), and |v| >> 8 indexes the table at 48x for Q3.12 (multiplier 3, shift 0).
 */
export function tanhQ(inp: Int16Array, inOff: number, out: Int16Array, outOff: number, n: number, multiplier: number, shift: number): void {
  const t = SIGMOID_TABLE_Q16;
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  for (let i = 0; i < n; i++) {
    const v = (Math.imul(inp[inOff + i], multiplier) + round) >> shift;
    const a = v < 0 ? -v : v;
    const uh = a >>> 8;
    let r: number;
    if (uh >= 255) r = 0xffff << 8;
    else {
      const ua = t[uh];
      r = ua * 256 + (a & 0xff) * (t[uh + 1] - ua);
    }
    // 2 sigmoid - 1 with the table at half the input step: subtract one half (2^23 here).
    r = v >= 0 ? r - (1 << 23) + 128 : -r + (1 << 23) + 127;
    out[outOff + i] = r >> 8;
  }
}

/**
 * AVERAGE_POOL_2D, TFLite Micro's reference arithmetic. Only in-image taps are counted.
 * int8/int16: sum the window, divide by the tap count n rounding half away from zero
 * ((sum ± n/2) / n with C's truncating division), clamp to the fused activation; input and
 * output share scale and zero point, so there is no requantization.
 * float32: float32 sum, divided by float(n), clamped.
 */
import type { Buffers, Kernel } from '../kernel.js';
import { poolParams } from './max-pool-2d.js';

export const averagePool2d: Kernel = {
  prepare(ctx) {
    const { dtype, window: w, actMin, actMax } = poolParams(ctx.graph, ctx.op, ctx.index);
    const inId = ctx.op.inputs[0];
    const outId = ctx.op.outputs[0];
    const { batches, inH, inW, C, outH, outW, fH, fW, sH, sW, padTop, padLeft } = w;
    if (dtype === 'float32') {
      return (buffers: Buffers) => {
        const x = buffers[inId] as Float32Array;
        const out = buffers[outId] as Float32Array;
        const f32 = Math.fround;
        let o = 0;
        for (let b = 0; b < batches; b++) {
          for (let oy = 0; oy < outH; oy++) {
            const y0 = oy * sH - padTop;
            const yS = Math.max(0, y0);
            const yE = Math.min(inH, y0 + fH);
            for (let ox = 0; ox < outW; ox++) {
              const x0 = ox * sW - padLeft;
              const xS = Math.max(0, x0);
              const xE = Math.min(inW, x0 + fW);
              const n = (yE - yS) * (xE - xS);
              for (let c = 0; c < C; c++) {
                let total = 0;
                for (let y = yS; y < yE; y++) {
                  for (let xx = xS; xx < xE; xx++) total = f32(total + x[((b * inH + y) * inW + xx) * C + c]);
                }
                const v = f32(total / n);
                out[o++] = v < actMin ? actMin : v > actMax ? actMax : v;
              }
            }
          }
        }
      };
    }
    const sum = new Int32Array(C);
    return (buffers: Buffers) => {
      const x = buffers[inId] as Int8Array | Int16Array;
      const out = buffers[outId] as Int8Array | Int16Array;
      let o = 0;
      for (let b = 0; b < batches; b++) {
        for (let oy = 0; oy < outH; oy++) {
          const y0 = oy * sH - padTop;
          const yS = Math.max(0, y0);
          const yE = Math.min(inH, y0 + fH);
          for (let ox = 0; ox < outW; ox++) {
            const x0 = ox * sW - padLeft;
            const xS = Math.max(0, x0);
            const xE = Math.min(inW, x0 + fW);
            const n = (yE - yS) * (xE - xS);
            if (n <= 0) throw new Error(`${ctx.op.kind}: a pooling window has no taps inside the image`);
            const half = (n / 2) | 0;
            sum.fill(0);
            for (let y = yS; y < yE; y++) {
              for (let xx = xS; xx < xE; xx++) {
                const base = ((b * inH + y) * inW + xx) * C;
                for (let c = 0; c < C; c++) sum[c] += x[base + c];
              }
            }
            for (let c = 0; c < C; c++) {
              const s = sum[c];
              let v = s > 0 ? ((s + half) / n) | 0 : ((s - half) / n) | 0;
              v = v < actMin ? actMin : v > actMax ? actMax : v;
              out[o++] = v;
            }
          }
        }
      }
    };
  },
  macs() {
    return 0;
  },
};

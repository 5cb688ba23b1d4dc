import type { Kernel } from '../kernel.js';

export const depthwiseConv2d: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

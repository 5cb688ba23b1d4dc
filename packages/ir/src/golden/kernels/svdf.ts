import type { Kernel } from '../kernel.js';

export const svdf: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

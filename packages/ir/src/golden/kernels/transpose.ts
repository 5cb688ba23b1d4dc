import type { Kernel } from '../kernel.js';

export const transpose: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

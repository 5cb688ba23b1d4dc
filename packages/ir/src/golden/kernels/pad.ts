import type { Kernel } from '../kernel.js';

export const pad: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

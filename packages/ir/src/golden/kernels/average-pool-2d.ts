import type { Kernel } from '../kernel.js';

export const averagePool2d: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

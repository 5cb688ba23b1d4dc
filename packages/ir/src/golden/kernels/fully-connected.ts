import type { Kernel } from '../kernel.js';

export const fullyConnected: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

import type { Kernel } from '../kernel.js';

export const unidirectionalSequenceLstm: Kernel = {
  prepare(ctx) {
    throw ctx.unsupported('no golden kernel yet');
  },
};

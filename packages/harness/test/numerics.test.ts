import { describe, expect, it } from 'vitest';
import { UsageError } from '@mliflow/ir';
import { parseNumerics } from '../src/numerics.js';

describe('numerics options', () => {
  it('gives tflite by default and the MLI variant asked for', () => {
    expect(parseNumerics({}).name).toBe('tflite');
    const m = parseNumerics({ numerics: 'mli', 'round-mode': 'up', 'full-accu': 'on' });
    expect(m.variant).toEqual({ roundMode: 'up', fullAccu: true });
    expect(m.name).toBe('mli (round up, FULL_ACCU on)');
    expect(parseNumerics({ numerics: 'mli' }).variant).toEqual({ roundMode: 'convergent', fullAccu: false });
  });

  it('refuses unknown values and variant options without mli numerics, as usage errors', () => {
    expect(() => parseNumerics({ numerics: 'fx' })).toThrow(UsageError);
    expect(() => parseNumerics({ numerics: 'mli', 'round-mode': 'down' })).toThrow(/--round-mode down is not known/);
    expect(() => parseNumerics({ numerics: 'mli', 'full-accu': 'yes' })).toThrow(/--full-accu yes is not known/);
    expect(() => parseNumerics({ 'full-accu': 'on' })).toThrow(/applies to --numerics mli only/);
  });
});

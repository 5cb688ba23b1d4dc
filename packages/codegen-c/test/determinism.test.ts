/** The same model and options give byte-identical projects. */
import { describe, expect, it } from 'vitest';
import { compileModel, hostTarget } from '../src/index.js';
import { compileShared, hostMli, loadModel } from './helpers.js';

describe('determinism', () => {
  it.each(['kws_ref_model', 'pretrainedResnet_quant', 'keyword_scrambled_8bit', 'trained_lstm_int8'])('%s compiles to identical files twice', (name) => {
    const target = hostTarget({ weightsSection: '.mlf_weights', arenaSection: '.mlf_arena' });
    let a;
    try {
      a = compileShared(name, target);
    } catch {
      return; // no kernel yet: host.test.ts checks the error
    }
    const b = compileShared(name, target);
    expect([...b.files.keys()]).toEqual([...a.files.keys()]);
    for (const [f, text] of a.files) expect(b.files.get(f), f).toBe(text);
    expect(b.summary).toEqual(a.summary);
    expect(a.files.get('weights.c')).toContain('MLF_SECTION(".mlf_weights")');
    expect(a.files.get('model.c')).toContain('MLF_SECTION(".mlf_arena")');
  });

  it.each(['pretrainedResnet_quant', 'person_detect'])('%s with MLI compiles to identical files twice, and weights.c does not depend on the variant', (name) => {
    const { g, file } = loadModel(name);
    const build = (roundMode: 'up' | 'convergent') => compileModel(g, { target: hostTarget({ mli: hostMli({ roundMode, fullAccu: true }) }), file, kernels: 'mli' });
    const a = build('up');
    const b = build('up');
    for (const [f, text] of a.files) expect(b.files.get(f), f).toBe(text);
    expect(build('convergent').files.get('weights.c')).toBe(a.files.get('weights.c'));
  });
});

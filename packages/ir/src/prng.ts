/**
 * mulberry32: a small seeded PRNG, identical on every platform, for what mliflow makes from a
 * seed other than input records (the example model's weights, fuzz cases). Returns values in
 * [0, 1). Input records come from xorshift32 below (`randomRecords`), as the shared vectors' do.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * xorshift32 (Marsaglia's shifts 13, 17, 5): the generator of the random records in
 * ../shared/vectors. Returns each next state as an unsigned 32-bit number. A state of 0 would
 * stay 0, so a start of 0 is taken as 1.
 */
export function xorshift32(start: number): () => number {
  let x = start >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/**
 * Where a model's xorshift32 stream starts in ../shared/vectors: seed * 7919 + the model
 * name's length * 104729 + the code of its first character, modulo 2^32 (the model name is
 * the file name without `.tflite`). Found from the shared records (docs/golden-vectors.md);
 * they all have seed 1, so the seed's factor is known only as the whole constant 7919 there.
 */
export function vectorsStart(model: string, seed: number): number {
  return (Math.imul(seed, 7919) + Math.imul(model.length, 104729) + (model.charCodeAt(0) || 0)) >>> 0;
}

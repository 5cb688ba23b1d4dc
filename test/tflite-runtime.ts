/**
 * The TFLite runtime (`@tensorflow/tfjs-tflite`'s WASM build, XNNPACK on, one thread) in
 * Node, without tfjs-core: the Emscripten factory is handed the compiled .wasm, since it has
 * no Node file loader, and models go through TFLiteWebModelRunner.CreateFromBufferAndOptions
 * as the package's own client does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface TfliteModel {
  readonly inputSizes: number[];
  readonly outputSizes: number[];
  /** One inference; each input and output is a tensor's raw little-endian bytes. */
  run(inputs: Uint8Array[]): Uint8Array[];
  /** Run every record of a vectors file (all inputs' bytes in input order); outputs concatenated likewise. */
  runRecords(records: Uint8Array, count?: number): Uint8Array;
  /** Drops the model and its runtime instance; the model cannot run afterwards. */
  dispose(): void;
}

export interface TfliteRuntime {
  /** Rejects with the runtime's own log lines when it cannot initialise the model. */
  load(bytes: Uint8Array): Promise<TfliteModel>;
}

export interface RuntimeOptions {
  /** The SIMD build; the default plain build is the one that made the shared vectors' tflite-wasm outputs. */
  simd?: boolean;
}

interface TensorInfo {
  dataType: string;
  shape: string;
  name: string;
  data(): ArrayBufferView;
}
interface CppVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface Runner {
  GetInputs(): CppVector<TensorInfo>;
  GetOutputs(): CppVector<TensorInfo>;
  Infer(): boolean;
}
interface StatusOr<T> {
  ok(): boolean;
  errorMessage(): string;
  value(): T;
}
interface EmModule {
  _malloc(n: number): number;
  HEAPU8: Uint8Array;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(
      ptr: number,
      len: number,
      opts: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number },
    ): StatusOr<Runner>;
  };
}
type Factory = (m: Record<string, unknown>) => Promise<EmModule>;

/** The slice of the WebAssembly API used here (the project's lib settings do not declare it). */
interface Wasm {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

const require = createRequire(import.meta.url);

export async function loadTfliteRuntime(opts: RuntimeOptions = {}): Promise<TfliteRuntime> {
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
  const base = opts.simd ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc';
  const factory = require(join(dir, `${base}.js`)) as Factory;
  const compiled = await wasm.compile(readFileSync(join(dir, `${base}.wasm`)));

  return {
    async load(bytes) {
      // Deleting a runner corrupts the module's heap, so each model gets its own instance,
      // which the garbage collector reclaims with the model.
      const log: string[] = [];
      // The factory's promise never settles if instantiation fails, so race it with the failure.
      let instantiateFailed: (e: unknown) => void = () => {};
      const failure = new Promise<never>((_, reject) => (instantiateFailed = reject));
      const mod = await Promise.race([
        factory({
          instantiateWasm(imports: object, receive: (instance: object, module: object) => void) {
            wasm.instantiate(compiled, imports).then((instance) => receive(instance, compiled), instantiateFailed);
            return {};
          },
          print: (s: string) => log.push(s),
          printErr: (s: string) => log.push(s),
        }),
        failure,
      ]);
      const ptr = mod._malloc(bytes.length);
      mod.HEAPU8.set(bytes, ptr);
      const res = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
        numThreads: 1,
        enableProfiling: false,
        maxProfilingBufferEntries: 1024,
      });
      if (!res.ok()) {
        const errors = [...new Set(log.filter((l) => !l.startsWith('INFO')))];
        throw new Error(`TFLite cannot load the model: ${res.errorMessage()}${errors.length ? ` (${errors.join('; ')})` : ''}`);
      }
      const runner = res.value();
      const infos = (v: CppVector<TensorInfo>): TensorInfo[] => {
        const out = Array.from({ length: v.size() }, (_, i) => v.get(i));
        v.delete();
        return out;
      };
      const ins = infos(runner.GetInputs());
      const outs = infos(runner.GetOutputs());
      // data() views the WASM heap, which moves when it grows: take a fresh view each time.
      const bytesOf = (t: TensorInfo): Uint8Array => {
        const d = t.data();
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      };
      const inputSizes = ins.map((t) => bytesOf(t).length);
      const outputSizes = outs.map((t) => bytesOf(t).length);

      let disposed = false;
      const run = (inputs: Uint8Array[]): Uint8Array[] => {
        if (disposed) throw new Error('the TFLite model was disposed');
        if (inputs.length !== ins.length) throw new Error(`the model has ${ins.length} inputs, ${inputs.length} given`);
        ins.forEach((t, k) => {
          const dst = bytesOf(t);
          if (inputs[k].length !== dst.length) throw new Error(`input ${k} needs ${dst.length} bytes, ${inputs[k].length} given`);
          dst.set(inputs[k]);
        });
        if (!runner.Infer()) throw new Error(`TFLite inference failed: ${log.join('; ')}`);
        return outs.map((t) => bytesOf(t).slice());
      };

      return {
        inputSizes,
        outputSizes,
        run,
        runRecords(records, count) {
          const recIn = inputSizes.reduce((a, b) => a + b, 0);
          const recOut = outputSizes.reduce((a, b) => a + b, 0);
          const n = count ?? records.length / recIn;
          if (!Number.isInteger(n) || n * recIn > records.length) throw new Error(`inputs are ${records.length} bytes, not ${n} records of ${recIn}`);
          const out = new Uint8Array(n * recOut);
          for (let r = 0; r < n; r++) {
            let off = r * recIn;
            const res = run(inputSizes.map((s) => records.subarray(off, (off += s))));
            let o = r * recOut;
            for (const b of res) {
              out.set(b, o);
              o += b.length;
            }
          }
          return out;
        },
        dispose() {
          // runner.delete() corrupts the heap (see load); the instance goes with the last reference.
          disposed = true;
        },
      };
    },
  };
}

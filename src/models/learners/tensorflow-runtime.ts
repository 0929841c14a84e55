/**
 * Which TensorFlow.js runtime trains the network. tfjs-node (native libtensorflow) cannot be
 * installed on the bureau's build machines because its install script downloads from outside, so
 * it is not a dependency; a deployment that has it gets it, at run time. Everywhere else the
 * WebAssembly backend, which ships its .wasm inside the npm package, trains about 3x faster than
 * the pure-JavaScript cpu backend on our MLP (docs/decisions/0003-nn-backend.md); cpu is the last resort.
 *
 * The backends agree to float32 rounding, not bit for bit, so the fitted model records the one
 * it was trained on. Scoring never needs tfjs (the forward pass is plain float64 arithmetic).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';

export type TensorflowBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface TensorflowRuntime {
  tf: typeof Tf;
  backend: TensorflowBackend;
}

/** Kept out of a string literal so TypeScript does not look for a package that is not installed. */
const NATIVE_PACKAGE = ['@tensorflow', 'tfjs-node'].join('/');

let runtime: Promise<TensorflowRuntime> | undefined;

/** The fastest runtime this process can load, chosen once and reused. */
export function loadTensorflow(): Promise<TensorflowRuntime> {
  runtime ??= chooseRuntime();
  return runtime;
}

async function chooseRuntime(): Promise<TensorflowRuntime> {
  const native = await import(NATIVE_PACKAGE).catch(() => undefined) as (typeof Tf) | undefined;
  if (native && (await native.setBackend('tensorflow'))) return { tf: native, backend: 'tensorflow' };

  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmFolder());
  // setBackend answers false (after a console warning from tfjs) when the module cannot start.
  if (await tf.setBackend('wasm').catch(() => false)) return { tf, backend: 'wasm' };
  await tf.setBackend('cpu');
  return { tf, backend: 'cpu' };
}

/** The package's dist/ folder, with the trailing separator tfjs needs to treat it as a prefix. */
function wasmFolder(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);
}

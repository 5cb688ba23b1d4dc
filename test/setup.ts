/**
 * Yield to the event loop after every test: tests that compute for a long time
 * synchronously (the golden executor over many records) would otherwise keep vitest's
 * worker from answering its RPC and fail the run with a timeout.
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

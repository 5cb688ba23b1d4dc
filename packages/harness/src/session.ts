/**
 * A model running on a board, for any command that wants outputs from it record by record
 * (deploy, eval): compile, build the firmware, start it, connect over the serial link and check
 * what it runs. `connectFirmware` is the last step alone, for a firmware already started.
 */
import type { MliLibrary } from '@mliflow/codegen-c';
import { byteSize, type Graph } from '@mliflow/ir';
import type { Board } from './boards/index.js';
import { buildFirmware, clearFirmware, startFirmware, writeFirmware, type FirmwareIdentity, type FirmwareSession } from './boards/firmware.js';
import { compileForBoard } from './compile.js';
import { BoardClient, type RecordResult } from './transport/client.js';
import { SerialLink } from './transport/link.js';
import type { Identity } from './transport/protocol.js';

export interface LinkOptions {
  port?: string;
  baud?: number;
  /** Seconds one invoke may take on the board. */
  invokeTimeoutS?: number;
}

/** Opens the firmware's serial port, waits for it, and checks its identity against `identity`. */
export async function connectFirmware(
  session: FirmwareSession,
  g: Graph,
  identity: FirmwareIdentity,
  opts: LinkOptions = {},
): Promise<{ link: SerialLink; client: BoardClient; id: Identity }> {
  const link = await SerialLink.open(opts.port ?? session.port, opts.baud ?? session.baud);
  try {
    void session.exited.then((code) => link.close(`the board's process ended (exit code ${code}): ${session.output().trim().split('\n').slice(-3).join(' ')}`));
    const client = new BoardClient(link, { invokeTimeoutMs: (opts.invokeTimeoutS ?? 600) * 1000 });
    const id = await client.connect(
      {
        modelHash: identity.modelHash,
        model: identity.model,
        inputBytes: g.inputs.map((i) => byteSize(g.tensors[i])),
        outputBytes: g.outputs.map((i) => byteSize(g.tensors[i])),
        kernels: identity.kernels,
      },
      30_000,
    );
    return { link, client, id };
  } catch (e) {
    await link.shutdown();
    throw e;
  }
}

export interface BoardRunner {
  id: Identity;
  link: SerialLink;
  runRecord(input: Uint8Array): Promise<RecordResult>;
  close(): Promise<void>;
}

/** Compiles `g` for the board, builds and starts its firmware in `projectDir`, and connects. */
export async function openBoardRunner(
  opts: LinkOptions & {
    board: Board;
    g: Graph;
    file: string;
    projectDir: string;
    identity: FirmwareIdentity;
    kernels?: 'mli' | 'portable';
    mli?: MliLibrary;
    qemu?: string;
    log?: (line: string) => void;
    /** Tests: changes the generated project before it is built. */
    alterProject?: (projectDir: string) => void;
  },
): Promise<BoardRunner> {
  const { board, g, projectDir, identity } = opts;
  clearFirmware(projectDir);
  await compileForBoard(g, opts.file, board, projectDir, { modelName: identity.model, kernels: opts.kernels ?? 'portable', ...(opts.mli ? { mli: opts.mli } : {}) });
  writeFirmware(board, projectDir, identity);
  opts.alterProject?.(projectDir);
  opts.log?.(`building the firmware with ${board.spec.toolchain.cc}`);
  await buildFirmware(board, projectDir);
  opts.log?.(`starting the firmware on ${board.name}`);
  const session = await startFirmware(board, projectDir, { qemu: opts.qemu, port: opts.port, ...(opts.log ? { log: opts.log } : {}) });
  try {
    const { link, client, id } = await connectFirmware(session, g, identity, opts);
    return {
      id,
      link,
      runRecord: (input) => client.runRecord(input),
      async close() {
        await link.shutdown();
        await session.stop();
      },
    };
  } catch (e) {
    await session.stop();
    throw e;
  }
}

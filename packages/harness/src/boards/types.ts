/**
 * Boards are data (boards/<name>/board.json, parsed into BoardSpec) behind a narrow
 * interface (Board), in the spirit of microTVM's Project API: the harness asks a board for
 * its code-generation target, to build a generated project, and, where possible, to run it.
 */

import type { TargetSpec } from '@mliflow/codegen-c';
import type { FirmwareSession } from './firmware.js';

export type { TargetSpec };

export interface ToolchainSpec {
  /** C compiler, a name looked up on PATH (or an absolute path). */
  cc: string;
  size: string;
  objdump: string;
  /** Archiver, passed to make as AR= so libraries are built with the board's own binutils. */
  ar: string;
  /** Debian package providing `cc`. */
  package: string;
  /** Debian package providing `size`, `objdump` and `ar`. */
  binutilsPackage: string;
  /** Oldest compiler version known to work, "major[.minor[.patch]]". */
  minVersion?: string;
  cflags: string[];
  ldflags: string[];
}

export interface MemoryRegion {
  name: string;
  origin: number;
  length: number;
  /** Bytes kept back for things outside the generated code (vectors, stack). */
  reserved: number;
  reservedFor?: string;
  description?: string;
}

/** A named linker section and the region the board's linker script maps it to. */
export interface SectionPlacement {
  section: string;
  region: string;
}

/** Where sections go: by kind, with named sections (weights, arena, rules) taking precedence. */
export interface Placement {
  code?: string;
  rodata?: string;
  data?: string;
  bss?: string;
  /**
   * Candidates in order of preference (empty: the compiler's default section); compile takes
   * the first whose region holds the planned bytes. Section names are distinct, so a section's
   * name alone says which region it is in.
   */
  weights: SectionPlacement[];
  arena: SectionPlacement[];
  /** Glob rules on section names ("*" matches anything), first match wins. */
  sections: { match: string; region: string }[];
}

/** How the firmware (the protocol loop around the model) is built for a board: files in its folder. */
export interface FirmwareSpec {
  /** C and assembly files compiled into the firmware. */
  sources: string[];
  /** Other files the link needs (a linker script), copied beside the sources into <project>/fw/. */
  files: string[];
  cflags: string[];
  ldflags: string[];
  /** The linked image, relative to the project's build/ folder. */
  image: string;
}

/** The serial link to the firmware; `usb` finds the port of a real board. */
export interface SerialSpec {
  baud: number;
  usb?: { vendor: string; product: string; description?: string };
}

export interface QemuSpec {
  /** Looked up on PATH when neither --qemu nor the environment variable `env` names one. */
  binary: string;
  env: string;
  args: string[];
  howToGet: string;
}

/** The commands that load a real board, for --dry-run and for the message when they are missing. */
export interface FlashPlan {
  openocd: string[];
  gdb: string[];
  mdb: string[];
  howToGet: string;
}

export type RunSpec =
  | { kind: 'host'; memcheck?: { tool: string; package: string }; firmware?: FirmwareSpec; serial?: SerialSpec }
  | { kind: 'qemu'; qemu: QemuSpec; firmware: FirmwareSpec; serial: SerialSpec; counter?: string }
  | { kind: 'hardware'; transport: string; flash: string; firmware?: FirmwareSpec; serial?: SerialSpec; flashPlan?: FlashPlan };

/** The board's embARC MLI defaults (board.json "mli"). */
export interface MliBoardSpec {
  /** Prefix of the lib/<variant> folders built for this CPU ("x86_64", "arc-em-gnu-em4_fpuda"). */
  cpu: string;
  /** Kernel backend when --kernels is not given. */
  kernels: 'mli' | 'portable';
  roundMode: 'up' | 'convergent';
  fullAccu: boolean;
  /** Libraries linked after -lmli (the host's libm for ldexpf; boards' firmware provides it). */
  extraLibs: string[];
}

/** A parsed, validated board.json; sizes and addresses are numbers. */
export interface BoardSpec {
  name: string;
  description: string;
  cpu: string;
  toolchain: ToolchainSpec;
  alignment: number;
  memory: { regions: MemoryRegion[]; placement: Placement };
  run: RunSpec;
  notes: string[];
  /** Absent: the board cannot link embARC MLI. */
  mli?: MliBoardSpec;
}

export interface BuildOptions {
  /** The project's executable (CompileSummary.executable); checked to exist after make. */
  executable?: string;
  /** Parallel make jobs; default: the machine's parallelism. */
  jobs?: number;
  /** Another makefile in the project (make -f), and the goal to build (default: its first). */
  makefile?: string;
  goal?: string;
  /** Override the Makefile's CFLAGS / LDFLAGS (normally baked in from target()). */
  cflags?: string[];
  ldflags?: string[];
  /** Each line of make's output as it arrives (for streaming to a terminal). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface BuildResult {
  board: string;
  projectDir: string;
  /** Absolute path of the built executable, when BuildOptions.executable was given. */
  executable: string | null;
  /** The make command line, ready to paste into a shell. */
  command: string;
  /** make's stdout and stderr, interleaved. */
  output: string;
  durationMs: number;
}

export interface RunOptions {
  /** The project's executable, relative to the project (CompileSummary.executable). */
  executable: string;
  /** Run under valgrind memcheck; leaks and invalid accesses fail the run. */
  memcheck?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  /** The contents of the output file the executable wrote. */
  output: Uint8Array;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface Board {
  readonly name: string;
  readonly spec: BoardSpec;
  /** The folder holding board.json. */
  readonly dir: string;
  /** The code-generation target for compileModel(g, { target: board.target() }). */
  target(): TargetSpec;
  /** Runs make in a generated project with this board's compiler and archiver (CC=, AR=). */
  build(projectDir: string, opts?: BuildOptions): Promise<BuildResult>;
  /** Host boards: runs the built executable on `input` (a file path or its bytes), writing `output`. */
  run?(projectDir: string, input: string | Uint8Array, output: string, opts: RunOptions): Promise<RunResult>;
  /**
   * Hardware boards: loads the built image (OpenOCD and gdb, or mdb) and starts it; the session's
   * port is the board's console (--port, or found by USB id). Exit code 4, naming what is
   * missing and how to get it, when the loader or the board is not here.
   */
  flash?(projectDir: string, image: string, opts?: { port?: string; log?: (line: string) => void }): Promise<FirmwareSession>;
}

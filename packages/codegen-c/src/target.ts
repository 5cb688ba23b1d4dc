/** What code generation needs to know about a board; the harness's boards provide it. */
export interface TargetSpec {
  name: string;
  /** Byte alignment of every arena offset and constant array. */
  alignment: number;
  /** Linker section for constant arrays, or null for the default. */
  weightsSection: string | null;
  /** Linker section for the arena, or null for the default. */
  arenaSection: string | null;
  cc: string;
  cflags: string[];
  ldflags: string[];
  /** Emit main.c (IN.bin OUT.bin runner) and link an executable. */
  hostMain: boolean;
  /** The embARC MLI build the project links, when any operator runs on MLI. */
  mli?: MliLibrary;
}

/** An embARC MLI build in the layout include/ + lib/<variant>/libmli.a. */
export interface MliLibrary {
  /** Absolute path of the folder holding include/ and lib/. */
  root: string;
  /** lib/ subfolder: the CPU prefix, -round-up or -round-convergent, then -full-accu when on. */
  variant: string;
  roundMode: 'up' | 'convergent';
  fullAccu: boolean;
  /** Libraries after -lmli (-lm on the host, where ldexpf comes from libm). */
  extraLibs: string[];
}

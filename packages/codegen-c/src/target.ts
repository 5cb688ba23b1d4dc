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
}

/**
 * Finding the tools a board needs, and saying exactly how to get the ones that are missing.
 *
 *   detectTool(name)            -> ToolInfo | null     PATH lookup plus `name --version`
 *   requireTools(board, roles)  -> Record<role, ToolInfo>, or throws ToolchainError (exit code 3)
 *   installHint(packages)       -> "apt-get install -y ... (or: bash scripts/setup-toolchains.sh)"
 *   compilerErrorExcerpt(log)   -> the first compiler errors in a build log, for messages
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { EXIT, MliflowError } from '@mliflow/ir';
import type { Board, BoardSpec } from './boards/types.js';

export interface ToolInfo {
  name: string;
  /** Absolute path of the executable found. */
  path: string;
  /** "12.2.0", or null when `--version` printed nothing recognisable. */
  version: string | null;
  /** The first line of `--version`, for reports. */
  versionLine: string;
}

/** What a board needs a tool for; each role maps to a tool name and a Debian package. */
export type ToolRole = 'cc' | 'size' | 'objdump' | 'ar' | 'make' | 'memcheck';

export interface ToolRequirement {
  role: ToolRole;
  name: string;
  package: string;
  minVersion?: string;
}

export interface MissingTool extends ToolRequirement {
  problem: 'not found' | 'too old';
  found?: ToolInfo;
}

/** Exit code 3 is the CLI's "a required tool is missing". */
export class ToolchainError extends MliflowError {
  override name = 'ToolchainError';
  readonly missing: MissingTool[];
  constructor(message: string, missing: MissingTool[]) {
    super(message, EXIT.missingTool);
    this.missing = missing;
  }
}

const ROLE_LABEL: Record<ToolRole, string> = {
  cc: 'C compiler',
  size: 'size',
  objdump: 'objdump',
  ar: 'archiver',
  make: 'make',
  memcheck: 'memory checker',
};

/** The executable `name` resolves to on PATH (or `name` itself when it is a path), or null. */
export function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): string | null {
  const candidates = name.includes('/') ? [name] : pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return isAbsolute(c) ? c : join(process.cwd(), c);
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

// `--version` costs a process per call; builds ask for the same tools again and again.
const versionCache = new Map<string, { version: string | null; versionLine: string }>();

/** Finds `name` on PATH and asks it for its version; null when it is not there. */
export async function detectTool(name: string): Promise<ToolInfo | null> {
  const path = findOnPath(name);
  if (!path) return null;
  let v = versionCache.get(path);
  if (!v) {
    const r = await execa(path, ['--version'], { reject: false, timeout: 20_000, stdin: 'ignore' });
    const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim();
    const versionLine = text.split('\n')[0]?.trim() ?? '';
    // The last dotted number on the first line: "arc-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0",
    // "GNU Make 4.3", "valgrind-3.19.0", "GNU objdump (GNU Binutils for Debian) 2.40".
    const all = [...versionLine.matchAll(/(\d+\.\d+(?:\.\d+)?)/g)].map((m) => m[1]);
    v = { version: all.length ? all[all.length - 1] : null, versionLine };
    versionCache.set(path, v);
  }
  return { name, path, ...v };
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The tools a board needs for the given roles, from its board.json. */
export function toolRequirements(spec: BoardSpec, roles: ToolRole[]): ToolRequirement[] {
  const t = spec.toolchain;
  const out: ToolRequirement[] = [];
  for (const role of roles) {
    switch (role) {
      case 'cc':
        out.push({ role, name: t.cc, package: t.package, ...(t.minVersion ? { minVersion: t.minVersion } : {}) });
        break;
      case 'size':
        out.push({ role, name: t.size, package: t.binutilsPackage });
        break;
      case 'objdump':
        out.push({ role, name: t.objdump, package: t.binutilsPackage });
        break;
      case 'ar':
        out.push({ role, name: t.ar, package: t.binutilsPackage });
        break;
      case 'make':
        // Every generated project is built with make, whatever the board.
        out.push({ role, name: 'make', package: 'make' });
        break;
      case 'memcheck':
        if (spec.run.kind !== 'host' || !spec.run.memcheck) {
          throw new MliflowError(`board "${spec.name}" cannot run under a memory checker (only host boards can)`);
        }
        out.push({ role, name: spec.run.memcheck.tool, package: spec.run.memcheck.package });
        break;
    }
  }
  return out;
}

/** The command that installs `packages`, as root or through sudo, and the script that installs them all. */
export function installHint(packages: string[]): string {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const uniq = [...new Set(packages)];
  return `${root ? '' : 'sudo '}apt-get install -y ${uniq.join(' ')} (or: bash scripts/setup-toolchains.sh)`;
}

/**
 * Checks every tool the board needs for `roles` and returns them by role; when any is missing
 * or too old, throws one ToolchainError naming all of them with their Debian packages.
 */
export async function requireTools(board: Board | BoardSpec, roles: ToolRole[] = ['cc', 'make']): Promise<Record<ToolRole, ToolInfo>> {
  const spec = 'spec' in board ? board.spec : board;
  const found = {} as Record<ToolRole, ToolInfo>;
  const missing: MissingTool[] = [];
  for (const req of toolRequirements(spec, roles)) {
    const info = await detectTool(req.name);
    if (!info) {
      missing.push({ ...req, problem: 'not found' });
    } else if (req.minVersion && info.version && compareVersions(info.version, req.minVersion) < 0) {
      missing.push({ ...req, problem: 'too old', found: info });
    } else {
      found[req.role] = info;
    }
  }
  if (missing.length) {
    const what = missing.map((m) =>
      m.problem === 'not found'
        ? `${m.name} (${ROLE_LABEL[m.role]}, Debian package ${m.package}) is not on PATH`
        : `${m.name} ${m.found?.version} (${ROLE_LABEL[m.role]}) is older than the ${m.minVersion} it needs (Debian package ${m.package})`,
    );
    throw new ToolchainError(
      `board "${spec.name}" needs tools that are missing: ${what.join('; ')}. Install: ${installHint(missing.map((m) => m.package))}`,
      missing,
    );
  }
  return found;
}

/**
 * The first compiler diagnostics in a build log: each "error:" line with the "In function"
 * line before it and the source excerpt after it, up to `maxLines`. Falls back to the log's
 * last lines when there is no "error:" (a linker or make failure).
 */
export function compilerErrorExcerpt(log: string, maxLines = 12): string {
  const lines = log.split('\n').map((l) => l.trimEnd());
  const first = lines.findIndex((l) => /\berror\b:|undefined reference|No such file/.test(l));
  if (first < 0) return lines.filter(Boolean).slice(-maxLines).join('\n');
  const start = first > 0 && /: In function|: At top level/.test(lines[first - 1]) ? first - 1 : first;
  const out: string[] = [];
  for (let i = start; i < lines.length && out.length < maxLines; i++) {
    // make's own summary lines add nothing once the compiler has spoken.
    if (/^make(\[\d+\])?: \*\*\*/.test(lines[i]) || /^compilation terminated/.test(lines[i])) continue;
    if (lines[i]) out.push(lines[i]);
  }
  return out.join('\n');
}

/** Quotes a command for pasting into a POSIX shell. */
export function shellCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

#!/usr/bin/env node
// Deploys every int8 model of the shared vectors on a board attached to this machine: the same
// `pnpm run deploy` that CI runs on host and qemu-arc-em, one model at a time, with reports.
//   node scripts/hil/deploy-all.mjs --port DEV [--board emsdp] [--shared DIR] [--reports DIR]
//                                   [--models a,b] [--count N] [--timeout SECONDS] [--dry-run]
// The models: each vectors folder whose inputs are integers and which has TFLite Micro's expected
// outputs. Writes REPORTS/<model>.json and .md (deploy's reports), REPORTS/<model>.log, and
// REPORTS/summary.{md,json}. The last line is "N passed, N failed". Exit 1 when any model failed.
import { $, argv, fs, path } from 'zx';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const board = argv.board ?? 'emsdp';
const reports = path.resolve(argv.reports ?? path.join(ROOT, 'reports', 'hil'));
const dryRun = Boolean(argv['dry-run']);
const timeout = Number(argv.timeout ?? 1800);

function fail(code, line) {
  process.stderr.write(`deploy-all: ${line}\n`);
  process.exit(code);
}

const shared = argv.shared ?? process.env.MLIFLOW_SHARED;
if (!shared) fail(2, 'where are the shared models and vectors? pass --shared DIR or set MLIFLOW_SHARED');
const vectorsDir = path.join(shared, 'vectors');
if (!fs.existsSync(vectorsDir)) fail(2, `${vectorsDir}: no such folder`);
if (!dryRun && !argv.port) fail(2, 'needs --port DEV (node scripts/hil/find-port.mjs finds it)');
if (!Number.isFinite(timeout) || timeout <= 0) fail(2, `--timeout takes seconds, got "${argv.timeout}"`);

/** The int8 models: integer inputs, and TFLite Micro's outputs to be held to. */
function int8Models() {
  return fs
    .readdirSync(vectorsDir)
    .sort()
    .filter((m) => {
      const mf = path.join(vectorsDir, m, 'manifest.json');
      if (!fs.existsSync(mf)) return false;
      const man = JSON.parse(fs.readFileSync(mf, 'utf8'));
      return man.expected?.['tflm-reference'] && man.inputs.every((t) => t.dtype !== 'float32');
    });
}

let models = int8Models();
if (argv.models) {
  const asked = String(argv.models).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((m) => !models.includes(m));
  if (unknown.length) fail(2, `--models: ${unknown.join(', ')} not among the int8 models with vectors (${models.join(', ')})`);
  models = asked;
}

function deployArgs(m) {
  const man = JSON.parse(fs.readFileSync(path.join(vectorsDir, m, 'manifest.json'), 'utf8'));
  const args = ['run', '--silent', 'deploy', path.join(shared, 'models', man.model), '--board', board, '--vectors', path.join(vectorsDir, m)];
  args.push('--port', argv.port ? String(argv.port) : '<found by find-port.mjs>');
  if (argv.count) args.push('--count', String(argv.count));
  args.push('--out', path.join(ROOT, 'build', 'hil', m), '--report', path.join(reports, `${m}.json`));
  return args;
}

if (dryRun) {
  process.stdout.write(`# ${models.length} models on ${board}; reports in ${reports}\n`);
  for (const m of models) process.stdout.write(`pnpm ${deployArgs(m).map((a) => $.quote(a)).join(' ')}\n`);
  process.exit(0);
}

const VERDICT = { 0: 'pass', 1: 'outputs differ (or does not fit)', 2: 'bad input', 3: 'a tool is missing', 4: 'needs hardware: the board was not driven', 5: 'the firmware failed to build or run', 70: 'internal error' };
fs.mkdirSync(reports, { recursive: true });
$.cwd = ROOT;
$.verbose = false;
const results = [];
for (const m of models) {
  process.stderr.write(`deploy-all: ${m} on ${board}\n`);
  const t0 = Date.now();
  const p = await $({ nothrow: true, timeout: `${timeout}s` })`pnpm ${deployArgs(m)}`;
  const code = p.exitCode ?? -1;
  fs.writeFileSync(path.join(reports, `${m}.log`), `$ pnpm ${deployArgs(m).join(' ')}\n\n${p.stdout}\n${p.stderr}`);
  results.push({ model: m, exitCode: code, verdict: VERDICT[code] ?? (code === -1 ? `killed after ${timeout} s` : `exit ${code}`), seconds: Math.round((Date.now() - t0) / 1000) });
}
const passed = results.filter((r) => r.exitCode === 0).length;
const failed = results.length - passed;
const line = `${passed} passed, ${failed} failed`;
const md = [`# Hardware in the loop: ${board}`, '', '| model | exit | verdict | seconds |', '| --- | --- | --- | --- |', ...results.map((r) => `| ${r.model} | ${r.exitCode} | ${r.verdict} | ${r.seconds} |`), '', line, ''];
fs.writeFileSync(path.join(reports, 'summary.md'), md.join('\n'));
fs.writeFileSync(path.join(reports, 'summary.json'), JSON.stringify({ board, results, passed, failed }, null, 1) + '\n');
process.stdout.write(md.slice(2).join('\n'));
process.exit(failed ? 1 : 0);

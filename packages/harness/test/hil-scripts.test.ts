/**
 * The hardware-in-the-loop glue, without hardware: the workflow's shape, deploy-all's plan, and
 * port discovery over a sysfs tree laid out as Linux lays out the EMSDP's FT2232H (two
 * interfaces of USB device 0403:6010, each with a ttyUSB).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED } from '../../../test/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-hil-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function node(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'scripts', 'hil', script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** /sys/class/tty/<tty>/device -> .../<usbdev>/<usbdev>:1.<if>/<tty>, ids on the USB device. */
function fakeSysfs(root: string, boards: { dev: string; serial: string; ttys: [string, number][] }[]): void {
  mkdirSync(join(root, 'class', 'tty'), { recursive: true });
  for (const b of boards) {
    const dev = join(root, 'devices', 'pci0000:00', 'usb1', b.dev);
    mkdirSync(dev, { recursive: true });
    writeFileSync(join(dev, 'idVendor'), '0403\n');
    writeFileSync(join(dev, 'idProduct'), '6010\n');
    writeFileSync(join(dev, 'serial'), `${b.serial}\n`);
    for (const [tty, iface] of b.ttys) {
      const port = join(dev, `${b.dev}:1.${iface}`, tty);
      mkdirSync(port, { recursive: true });
      writeFileSync(join(dev, `${b.dev}:1.${iface}`, 'bInterfaceNumber'), `0${iface}\n`);
      mkdirSync(join(root, 'class', 'tty', tty));
      symlinkSync(port, join(root, 'class', 'tty', tty, 'device'));
    }
  }
  // A serial port that is not USB.
  mkdirSync(join(root, 'devices', 'platform', 'serial8250', 'tty', 'ttyS0'), { recursive: true });
  mkdirSync(join(root, 'class', 'tty', 'ttyS0'));
  symlinkSync(join(root, 'devices', 'platform', 'serial8250'), join(root, 'class', 'tty', 'ttyS0', 'device'));
}

describe('hardware-in-the-loop glue', () => {
  it('the workflow: self-hosted EMSDP runner, port discovery, the deploy, reports kept; never on pull requests', () => {
    const wf = readFileSync(join(REPO_ROOT, '.github', 'workflows', 'hil-emsdp.yml'), 'utf8');
    expect(wf).toMatch(/runs-on: \[self-hosted, linux, x64, emsdp\]/);
    expect(wf).toMatch(/node scripts\/hil\/find-port\.mjs --board emsdp --github-output/);
    expect(wf).toMatch(/node scripts\/hil\/deploy-all\.mjs --board emsdp --port "\$\{\{ steps\.port\.outputs\.port \}\}" --reports reports\/hil/);
    expect(wf).toMatch(/uses: actions\/upload-artifact@v4[\s\S]*path: \|\s*\n\s*reports\/hil/);
    expect(wf).not.toMatch(/pull_request/);
  });

  it('deploy-all --dry-run plans the deploy of every int8 model with shared vectors', async () => {
    const r = await node('deploy-all.mjs', ['--dry-run', '--shared', SHARED, '--port', '/dev/ttyUSB1']);
    expect(r.code, r.stderr).toBe(0);
    const cmds = r.stdout.trim().split('\n').slice(1);
    const models = cmds.map((c) => /--vectors \S+\/vectors\/(\S+)/.exec(c)?.[1]);
    expect(models).toEqual([
      'ad01_int8',
      'hello_world_int8',
      'keyword_scrambled_8bit',
      'kws_ref_model',
      'micro_speech_quantized',
      'mobilenet_v2_quantized_1x3x224x224',
      'person_detect',
      'pretrainedResnet_quant',
      'trained_lstm_int8',
      'vww_96_int8',
    ]);
    for (const c of cmds) expect(c).toMatch(/^pnpm run --silent deploy \S+\.tflite --board emsdp --vectors \S+ --port \/dev\/ttyUSB1 --out \S+ --report \S+reports\/hil\/\S+\.json$/);
  });

  it('deploy-all refuses an unknown model, a missing port and missing shared data in one line', async () => {
    const [unknown, noPort, noShared] = await Promise.all([
      node('deploy-all.mjs', ['--dry-run', '--shared', SHARED, '--models', 'kws_ref_model,vww_96_float']),
      node('deploy-all.mjs', ['--shared', SHARED]),
      node('deploy-all.mjs', ['--dry-run'], { MLIFLOW_SHARED: '' }),
    ]);
    for (const r of [unknown, noPort, noShared]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(unknown.stderr).toMatch(/vww_96_float not among the int8 models/);
    expect(noPort.stderr).toMatch(/needs --port DEV/);
    expect(noShared.stderr).toMatch(/--shared DIR or set MLIFLOW_SHARED/);
  });

  it('find-port picks the console UART (interface 1) of the board by USB id', async () => {
    const one = join(tmp, 'one');
    fakeSysfs(one, [{ dev: '1-2', serial: '251633009E2B', ttys: [['ttyUSB0', 0], ['ttyUSB1', 1]] }]);
    const out = join(tmp, 'github-output');
    writeFileSync(out, '');
    const [uart, jtag, gh] = await Promise.all([
      node('find-port.mjs', ['--sysfs', one, '--usb', '0403:6010']),
      node('find-port.mjs', ['--sysfs', one, '--usb', '0403:6010', '--interface', '0']),
      node('find-port.mjs', ['--sysfs', one, '--usb', '0403:6010', '--github-output'], { GITHUB_OUTPUT: out }),
    ]);
    expect(uart).toMatchObject({ code: 0, stdout: '/dev/ttyUSB1\n' });
    expect(jtag).toMatchObject({ code: 0, stdout: '/dev/ttyUSB0\n' });
    expect(gh.code, gh.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('port=/dev/ttyUSB1\n');
  });

  it('find-port: no board is exit 4, two boards need --serial', async () => {
    const none = join(tmp, 'none');
    fakeSysfs(none, []);
    const two = join(tmp, 'two');
    fakeSysfs(two, [
      { dev: '1-2', serial: 'AAA', ttys: [['ttyUSB0', 0], ['ttyUSB1', 1]] },
      { dev: '1-3', serial: 'BBB', ttys: [['ttyUSB2', 0], ['ttyUSB3', 1]] },
    ]);
    const [absent, both, chosen] = await Promise.all([
      node('find-port.mjs', ['--sysfs', none, '--usb', '0403:6010']),
      node('find-port.mjs', ['--sysfs', two, '--usb', '0403:6010']),
      node('find-port.mjs', ['--sysfs', two, '--usb', '0403:6010', '--serial', 'BBB']),
    ]);
    expect(absent.code).toBe(4);
    expect(absent.stderr).toMatch(/no emsdp attached: no tty with USB id 0403:6010 on interface 1/);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/2 boards .*ttyUSB1 \(serial AAA\), ttyUSB3 \(serial BBB\); choose one with --serial SN/);
    expect(chosen).toMatchObject({ code: 0, stdout: '/dev/ttyUSB3\n' });
  });
});

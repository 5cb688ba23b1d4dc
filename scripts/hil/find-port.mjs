#!/usr/bin/env node
// Finds a board's console serial port by its USB id, for the hardware-in-the-loop job.
//   node scripts/hil/find-port.mjs [--board emsdp] [--usb VID:PID] [--interface N] [--serial SN]
//                                  [--github-output] [--sysfs DIR] [--dev DIR]
// The USB id comes from boards/<board>/board.json (run.serial.usb) unless --usb gives one. The
// EMSDP's FT2232H shows two ports: JTAG on interface 0, the console UART on interface 1 (the
// default). Prints the device path; with --github-output also appends port=... to $GITHUB_OUTPUT.
// Exit codes: 0 found, 2 bad usage or several boards without --serial, 4 no such board attached.
import { argv, fs, path } from 'zx';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const board = argv.board ?? 'emsdp';
const sysfs = argv.sysfs ?? '/sys';
const devDir = argv.dev ?? '/dev';
const iface = Number(argv.interface ?? 1);

function fail(code, line) {
  process.stderr.write(`find-port: ${line}\n`);
  process.exit(code);
}

function usbId() {
  if (argv.usb) {
    const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(String(argv.usb));
    if (!m) fail(2, `--usb takes VID:PID in hex, e.g. 0403:6010; got "${argv.usb}"`);
    return { vendor: m[1].toLowerCase(), product: m[2].toLowerCase() };
  }
  const file = path.join(ROOT, 'boards', board, 'board.json');
  if (!fs.existsSync(file)) fail(2, `no board "${board}" (${file} is missing)`);
  const usb = JSON.parse(fs.readFileSync(file, 'utf8')).run?.serial?.usb;
  if (!usb?.vendor || !usb?.product) fail(2, `${file} names no USB id (run.serial.usb); pass --usb VID:PID`);
  return { vendor: String(usb.vendor).toLowerCase(), product: String(usb.product).toLowerCase() };
}

const read = (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8').trim() : null);

/** Every tty behind a USB interface: its name, the interface number and the device's ids. */
function usbTtys() {
  const classDir = path.join(sysfs, 'class', 'tty');
  if (!fs.existsSync(classDir)) return [];
  const out = [];
  for (const name of fs.readdirSync(classDir).sort()) {
    const link = path.join(classDir, name, 'device');
    if (!fs.existsSync(link)) continue;
    // A usb-serial tty's device is the port (ttyUSB: .../1-1:1.1/ttyUSB1) or the interface (ttyACM).
    let dir = fs.realpathSync(link);
    for (let up = 0; up < 3 && read(path.join(dir, 'bInterfaceNumber')) === null; up++) dir = path.dirname(dir);
    const ifNum = read(path.join(dir, 'bInterfaceNumber'));
    const dev = path.dirname(dir);
    const vendor = read(path.join(dev, 'idVendor'));
    if (ifNum === null || vendor === null) continue;
    out.push({ name, interface: parseInt(ifNum, 16), vendor, product: read(path.join(dev, 'idProduct')), serial: read(path.join(dev, 'serial')) });
  }
  return out;
}

const want = usbId();
const ttys = usbTtys();
let hits = ttys.filter((t) => t.vendor === want.vendor && t.product === want.product && t.interface === iface);
if (argv.serial) hits = hits.filter((t) => t.serial === String(argv.serial));
if (hits.length === 0) {
  const seen = ttys.map((t) => `${t.name} ${t.vendor}:${t.product} interface ${t.interface}`).join(', ') || 'no USB serial ports';
  fail(4, `no ${board} attached: no tty with USB id ${want.vendor}:${want.product} on interface ${iface}${argv.serial ? ` and serial ${argv.serial}` : ''} (seen: ${seen})`);
}
if (hits.length > 1) fail(2, `${hits.length} boards with USB id ${want.vendor}:${want.product}: ${hits.map((t) => `${t.name} (serial ${t.serial})`).join(', ')}; choose one with --serial SN`);
const port = path.join(devDir, hits[0].name);
if (argv['github-output']) {
  if (!process.env.GITHUB_OUTPUT) fail(2, '--github-output needs $GITHUB_OUTPUT (set by GitHub Actions)');
  fs.appendFileSync(process.env.GITHUB_OUTPUT, `port=${port}\n`);
}
process.stdout.write(`${port}\n`);

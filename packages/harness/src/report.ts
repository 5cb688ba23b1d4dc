/** The deploy report a person reads: Markdown, beside the JSON one. */
import type { DeployResult } from './deploy.js';
import { recordVerdict } from './deploy.js';
import { formatBytes } from './format.js';

export function deployMarkdown(r: DeployResult): string {
  const verdict = r.bitExact === true ? 'PASS: every output element equals the golden executor' : r.bitExact === false ? 'FAIL: outputs differ from the golden executor' : (r.stopped ?? 'not run');
  const s = r.compile.summary;
  const lines = [
    `# mliflow deploy: ${s.model} on ${r.board}`,
    '',
    `**${verdict}**`,
    '',
    '| | |',
    '|---|---|',
    `| model | \`${r.model}\` |`,
    `| board | ${r.board} |`,
    `| arena / weights | ${formatBytes(s.arenaBytes)} / ${formatBytes(s.weightsBytes)} |`,
    `| operators | ${s.operators.length} |`,
  ];
  if (r.link) {
    const l = r.link;
    const counts = r.records.map((x) => x.count).filter((c): c is number => c !== null);
    lines.push(
      `| firmware | ${l.firmware.model}, hash \`${l.firmware.modelHash}\`, ${l.firmware.kernels} kernels, ${l.firmware.numerics} numerics, mliflow ${l.firmware.version} |`,
      `| link | ${l.port}, ${l.baud} baud, ${l.recordsPerSecond.toFixed(1)} records/s |`,
      `| wire efficiency | ${(l.efficiency * 100).toFixed(1)}% (${l.payloadBytes} record bytes, ${l.wireBytes} wire bytes; start ${l.handshakeBytes} bytes) |`,
      `| resends / record restarts | ${l.stats.resends} / ${l.restarts} |`,
    );
    if (counts.length) lines.push(`| instructions per inference | min ${Math.min(...counts)}, max ${Math.max(...counts)} |`);
  }
  if (r.records.length) {
    lines.push('', '## Records', '', '| record | result | instructions | ms |', '|---:|---|---:|---:|');
    for (const x of r.records) lines.push(`| ${x.record} | ${x.pass ? 'pass' : `**${recordVerdict(x)}**`} | ${x.count ?? '-'} | ${x.ms.toFixed(1)} |`);
  }
  if (r.stopped) lines.push('', r.stopped);
  return lines.join('\n') + '\n';
}

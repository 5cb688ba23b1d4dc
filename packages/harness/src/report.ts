/**
 * The deploy reports a person reads, beside the JSON one: Markdown, and a self-contained HTML page.
 * Both render one view of the result (`deployView`), so they always say the same thing.
 */
import type { DeployResult } from './deploy.js';
import { describeDiagnosis, recordVerdict } from './deploy.js';
import { formatBytes, formatCount } from './format.js';
import { distribution, type Distribution } from './stats.js';

interface DeployView {
  title: string;
  pass: boolean | null;
  verdict: string;
  facts: [string, string][];
  /** Instructions or cycles per inference, over the records that have one. */
  counts: (Distribution & { unit: string }) | null;
  /** The records' count column: instructions, cycles, or "-" where the board counts nothing. */
  countHeader: string;
  records: { record: number; pass: boolean; result: string; count: number | null; ms: number }[];
  diagnosis: string | null;
  operators: { index: number; kind: string; backend: string; call: string; macs: number; note: string }[];
  regions: { name: string; used: number; capacity: number }[];
  stopped: string | null;
}

export function deployView(r: DeployResult): DeployView {
  const s = r.compile.summary;
  const verdict = r.bitExact === true ? 'PASS: every output element equals the golden executor' : r.bitExact === false ? 'FAIL: outputs differ from the golden executor' : (r.stopped ?? 'not run');
  const facts: [string, string][] = [
    ['model', r.model],
    ['board', r.board],
    ['arena / weights', `${formatBytes(s.arenaBytes)} / ${formatBytes(s.weightsBytes)}`],
    ['operators', `${s.operators.length} (${s.operators.filter((o) => o.backend === 'mli').length} on MLI)`],
  ];
  if (r.link) {
    const l = r.link;
    facts.push(
      ['firmware', `${l.firmware.model}, hash ${l.firmware.modelHash}, ${l.firmware.kernels} kernels, ${l.firmware.numerics} numerics, mliflow ${l.firmware.version}`],
      ['link', `${l.port}, ${l.baud} baud, ${l.recordsPerSecond.toFixed(1)} records/s`],
      ['wire efficiency', `${(l.efficiency * 100).toFixed(1)}% (${l.payloadBytes} record bytes, ${l.wireBytes} wire bytes; start ${l.handshakeBytes} bytes)`],
      ['resends / record restarts', `${l.stats.resends} / ${l.restarts}`],
    );
  }
  const counted = r.records.map((x) => x.count).filter((c): c is number => c !== null);
  return {
    title: `mliflow deploy: ${s.model} on ${r.board}`,
    pass: r.bitExact,
    verdict,
    facts,
    counts: counted.length ? { unit: r.counter ?? 'count', ...distribution(counted) } : null,
    countHeader: r.counter ?? 'count',
    records: r.records.map((x) => ({ record: x.record, pass: x.pass, result: recordVerdict(x), count: x.count, ms: x.ms })),
    diagnosis: r.diagnosis ? describeDiagnosis(r.diagnosis) : null,
    operators: s.operators.map((o) => ({
      index: o.index,
      kind: o.kind,
      backend: o.backend,
      call: o.mliFunction ?? o.kernel,
      macs: o.macs,
      note: [o.inPlace ? 'in place' : '', o.reason ?? ''].filter(Boolean).join('; '),
    })),
    regions: (r.compile.sizeReport?.regions ?? []).map((g) => ({ name: g.name, used: g.used, capacity: g.capacity })),
    stopped: r.stopped ?? null,
  };
}

export function deployMarkdown(r: DeployResult): string {
  const v = deployView(r);
  const lines = [`# ${v.title}`, '', `**${v.verdict}**`, '', '| | |', '|---|---|', ...v.facts.map(([k, x]) => `| ${k} | ${x} |`)];
  if (v.counts) lines.push(`| ${v.counts.unit} per inference | min ${v.counts.min}, median ${v.counts.median}, max ${v.counts.max} |`);
  if (v.diagnosis) lines.push('', '## Diagnosis', '', v.diagnosis);
  if (v.records.length) {
    lines.push('', '## Records', '', `| record | result | ${v.countHeader} | ms |`, '|---:|---|---:|---:|');
    for (const x of v.records) lines.push(`| ${x.record} | ${x.pass ? 'pass' : `**${x.result}**`} | ${x.count ?? '-'} | ${x.ms.toFixed(1)} |`);
  }
  if (v.operators.length) {
    lines.push('', '## Operators', '', '| # | operator | runs on | call | MACs | note |', '|---:|---|---|---|---:|---|');
    for (const o of v.operators) lines.push(`| ${o.index} | ${o.kind} | ${o.backend} | \`${o.call}\` | ${o.macs} | ${o.note} |`);
  }
  if (v.regions.length) {
    lines.push('', '## Memory', '', '| region | used | capacity |', '|---|---:|---:|');
    for (const g of v.regions) lines.push(`| ${g.name} | ${formatBytes(g.used)} | ${formatBytes(g.capacity)} |`);
  }
  if (v.stopped) lines.push('', v.stopped);
  return lines.join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A horizontal bar, as wide as `part` of `whole`, for the tables' count and MACs columns. */
function bar(part: number, whole: number, cls: string): string {
  const pct = whole > 0 ? Math.max(0.5, (100 * part) / whole) : 0;
  return `<span class="bar ${cls}" style="width:${pct.toFixed(1)}%"></span>`;
}

export function deployHtml(r: DeployResult): string {
  const v = deployView(r);
  const state = v.pass === true ? 'pass' : v.pass === false ? 'fail' : 'none';
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(v.title)}</title>`,
    '<style>',
    'body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}',
    'h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}',
    '.verdict{padding:.8em 1em;border-radius:6px;font-weight:600}',
    '.verdict.pass{background:#e3f4e4;color:#1b5e20}.verdict.fail{background:#fde4e1;color:#b71c1c}.verdict.none{background:#eee}',
    'table{border-collapse:collapse;width:100%}td,th{padding:.25em .6em;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}',
    'td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
    'td.bar-cell{width:30%}.bar{display:inline-block;height:.8em;border-radius:2px}.bar.count{background:#5c7cfa}.bar.mli{background:#2b8a3e}.bar.portable{background:#e8590c}',
    'tr.fail td{background:#fff5f5}code{font-size:.92em}.facts td:first-child{color:#666;width:14em}',
    '</style></head><body>',
    `<h1>${esc(v.title)}</h1>`,
    `<p class="verdict ${state}">${esc(v.verdict)}</p>`,
    '<table class="facts">',
    ...v.facts.map(([k, x]) => `<tr><td>${esc(k)}</td><td>${esc(x)}</td></tr>`),
  ];
  if (v.counts) out.push(`<tr><td>${v.counts.unit} per inference</td><td>min ${formatCount(v.counts.min)}, median ${formatCount(v.counts.median)}, max ${formatCount(v.counts.max)}</td></tr>`);
  out.push('</table>');
  if (v.diagnosis) out.push('<h2>Diagnosis</h2>', `<p>${esc(v.diagnosis)}</p>`);
  if (v.records.length) {
    const top = Math.max(0, ...v.records.map((x) => x.count ?? 0));
    out.push('<h2>Records</h2>', '<table><tr><th class="n">record</th><th>result</th><th class="n">${v.countHeader}</th><th></th><th class="n">ms</th></tr>');
    for (const x of v.records) {
      out.push(
        `<tr class="${x.pass ? 'pass' : 'fail'}"><td class="n">${x.record}</td><td>${esc(x.result)}</td><td class="n">${x.count ?? '-'}</td>` +
          `<td class="bar-cell">${x.count !== null ? bar(x.count, top, 'count') : ''}</td><td class="n">${x.ms.toFixed(1)}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (v.operators.length) {
    const macs = v.operators.reduce((a, o) => a + o.macs, 0);
    out.push('<h2>Operators</h2>', `<p>${formatCount(macs)} MACs per inference; the bar is each operator's share.</p>`);
    out.push('<table><tr><th class="n">#</th><th>operator</th><th>runs on</th><th>call</th><th class="n">MACs</th><th></th><th>note</th></tr>');
    for (const o of v.operators) {
      out.push(
        `<tr><td class="n">${o.index}</td><td>${esc(o.kind)}</td><td>${o.backend}</td><td><code>${esc(o.call)}</code></td>` +
          `<td class="n">${formatCount(o.macs)}</td><td class="bar-cell">${o.macs ? bar(o.macs, macs, o.backend) : ''}</td><td>${esc(o.note)}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (v.regions.length) {
    out.push('<h2>Memory</h2>', '<table><tr><th>region</th><th class="n">used</th><th class="n">capacity</th><th></th></tr>');
    for (const g of v.regions) out.push(`<tr><td>${esc(g.name)}</td><td class="n">${formatBytes(g.used)}</td><td class="n">${formatBytes(g.capacity)}</td><td class="bar-cell">${bar(g.used, g.capacity, 'count')}</td></tr>`);
    out.push('</table>');
  }
  if (v.stopped) out.push(`<p>${esc(v.stopped)}</p>`);
  out.push('</body></html>');
  return out.join('\n') + '\n';
}

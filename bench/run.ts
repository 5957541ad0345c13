/**
 * Runs the benchmarks: every bench/<name>.bench.ts, or those named on the command line.
 *
 *   npm run bench                 all of them
 *   npm run bench -- crypto       only bench/crypto.bench.ts
 *   npm run bench -- --strict     exit 1 when a target fails (default: report only)
 *
 * Prints each bench's figures and targets (PASS/FAIL) and writes bench/results/<name>.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchModule, type BenchReport, createContext, measurementTable, targetTable } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.ts';

async function main(argv: readonly string[]): Promise<number> {
  const strict = argv.includes('--strict');
  const named = argv.filter((a) => !a.startsWith('--'));
  const available = readdirSync(here)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
  const unknown = named.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')} (available: ${available.join(', ')})`);
    return 2;
  }
  const chosen = named.length > 0 ? named : available;
  const machine = {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(`node ${machine.node} · ${machine.cpu} · load average ${machine.loadAverage.join(' ')}`);

  let failed = 0;
  for (const name of chosen) {
    const mod = ((await import(pathToFileURL(join(here, name + SUFFIX)).href)) as { default: BenchModule }).default;
    const report: BenchReport = { name, description: mod.description, measurements: [], targets: [], notes: [] };
    console.log(`\n== ${name}: ${mod.description}\n`);
    const started = Date.now();
    await mod.run(createContext(report));
    const seconds = (Date.now() - started) / 1000;
    console.log(measurementTable(report.measurements));
    if (report.targets.length > 0) console.log('\n' + targetTable(report.targets));
    for (const n of report.notes) console.log(`\nnote: ${n}`);
    const fails = report.targets.filter((t) => !t.pass).length;
    failed += fails;
    console.log(`\n${name}: ${report.targets.length - fails}/${report.targets.length} targets met in ${seconds.toFixed(0)} s`);
    mkdirSync(join(here, 'results'), { recursive: true });
    const json = { ...report, date: new Date().toISOString(), seconds, machine };
    writeFileSync(join(here, 'results', `${name}.json`), JSON.stringify(json, null, 2) + '\n');
  }
  return strict && failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(3);
  },
);

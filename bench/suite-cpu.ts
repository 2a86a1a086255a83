// Where the test suite's CPU goes (docs/benchmarks.md, "Test suite and CI time"); prints markdown.
//   bun bench/suite-cpu.ts [command…]        by kind of process while `command` (default `npm test`)
//     runs: every process is read from /proc each 0.5 s; one started during the run counts its whole
//     CPU time, one already running (the machine's own) only what it spent since. A process that
//     lives under 0.5 s is missed, so the total is a lower bound.
//   bun bench/suite-cpu.ts --per-file [files…]   each test file alone (default: all), one after
//     another over one shared database as `npm test` starts it: the file's process tree (bun test,
//     the APIs, sandboxes and browsers it starts) and what FerretDB and PostgreSQL spent meanwhile.
import fs from 'node:fs';
import { Glob } from 'bun';
import { commandLine } from '../scripts/proc';
import { startTestServers } from '../scripts/test-servers';
import { statFields } from './rounds';

const KINDS: readonly [RegExp, string][] = [
  [/\/ferretdb\b/, 'FerretDB'],
  [/^postgres|\/postgresql\/|initdb/, 'PostgreSQL'],
  [/bun(\.exe)? test --test-worker/, 'bun test workers'],
  [/src\/app\/main\.ts/, 'API processes'],
  [/sandbox\/main\.ts/, 'payment sandbox processes'],
  [/chrom/i, 'Chromium'],
  [/scripts\/|npm run/, 'scripts and npm commands'],
];

interface Seen {
  kind: string;
  base: number;
  cpu: number;
}

function kindOf(cmdline: string): string {
  for (const [pattern, kind] of KINDS) if (pattern.test(cmdline)) return kind;
  return 'other';
}

/** CPU seconds (user + system) and start time of each live process, keyed by pid and start time. */
function sample(seen: Map<string, Seen>, first: boolean): void {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = statFields(pid);
      const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
      const key = `${pid}@${fields[19]}`;
      const known = seen.get(key);
      if (known) known.cpu = cpu;
      else seen.set(key, { kind: kindOf(commandLine(Number(pid))), base: first ? cpu : 0, cpu });
    } catch {
      // the process ended between the listing and the read
    }
  }
}

const cores = navigator.hardwareConcurrency;

/** CPU seconds so far of the live FerretDB and PostgreSQL processes. */
function databaseCpu(): number {
  const seen = new Map<string, Seen>();
  sample(seen, false);
  let total = 0;
  for (const s of seen.values()) if (s.kind === 'FerretDB' || s.kind === 'PostgreSQL') total += s.cpu;
  return total;
}

async function perFile(files: string[]): Promise<never> {
  const servers = await startTestServers();
  const env = { ...process.env, ...servers.env };
  const rows: { file: string; own: number; database: number; wall: number; code: number }[] = [];
  for (const file of files) {
    const before = databaseCpu();
    const started = performance.now();
    const test = Bun.spawn([process.execPath, 'test', '--timeout', '60000', file], {
      stdout: 'ignore',
      stderr: 'ignore',
      env,
    });
    const code = await test.exited;
    const own = Number(test.resourceUsage()?.cpuTime.total ?? 0) / 1e6; // with its waited-for children
    rows.push({
      file,
      own,
      database: databaseCpu() - before,
      wall: (performance.now() - started) / 1000,
      code,
    });
    console.error(
      `${file}: ${own.toFixed(1)} + ${rows.at(-1)?.database.toFixed(1)} CPU s${code ? ', FAILED' : ''}`,
    );
  }
  servers.discard();
  rows.sort((a, b) => b.own + b.database - (a.own + a.database));
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((t, r) => t + f(r), 0).toFixed(1);
  console.log('| file | CPU s | of which FerretDB + PostgreSQL | wall s |\n|---|--:|--:|--:|');
  for (const r of rows)
    console.log(
      `| ${r.file}${r.code ? ' (failed)' : ''} | ${(r.own + r.database).toFixed(1)} | ${r.database.toFixed(1)} | ${r.wall.toFixed(1)} |`,
    );
  console.log(
    `| **${rows.length} files** | **${sum((r) => r.own + r.database)}** | ${sum((r) => r.database)} | ${sum((r) => r.wall)} |`,
  );
  process.exit(rows.some((r) => r.code !== 0) ? 1 : 0);
}

if (process.argv[2] === '--per-file') {
  const given = process.argv.slice(3);
  await perFile(given.length > 0 ? given : [...new Glob('tests/**/*.test.ts').scanSync('.')].sort());
}

const command = process.argv.length > 2 ? process.argv.slice(2) : ['npm', 'test'];
const seen = new Map<string, Seen>();
sample(seen, true);
const started = performance.now();
const run = Bun.spawn(command, { stdio: ['inherit', 'inherit', 'inherit'], env: process.env });
const timer = setInterval(() => sample(seen, false), 500);
const code = await run.exited;
clearInterval(timer);
sample(seen, false);
const wall = (performance.now() - started) / 1000;

const byKind = new Map<string, { cpu: number; count: number }>();
for (const s of seen.values()) {
  const used = s.cpu - s.base;
  if (used <= 0) continue;
  const row = byKind.get(s.kind) ?? { cpu: 0, count: 0 };
  row.cpu += used;
  row.count += 1;
  byKind.set(s.kind, row);
}
const rows = [...byKind].sort((a, b) => b[1].cpu - a[1].cpu);
const total = rows.reduce((sum, [, r]) => sum + r.cpu, 0);
console.log(`\n\`${command.join(' ')}\`: exit ${code}, ${wall.toFixed(1)} s wall\n`);
console.log('| processes | CPU s | count |\n|---|--:|--:|');
for (const [kind, r] of rows) console.log(`| ${kind} | ${r.cpu.toFixed(1)} | ${r.count} |`);
console.log(`| **total** | **${total.toFixed(1)}** | |`);
console.log(
  `\n${total.toFixed(0)} CPU-seconds on ${cores} cores: at least ${(total / cores).toFixed(0)} s of wall time.`,
);
process.exit(code);

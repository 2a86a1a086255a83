// The Markdown report, and the rewrite of the Results section of docs/benchmarks.md that keeps the
// hand-written method notes above it.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { CreditMismatch } from './client';
import type { CommandCount } from './commands';
import { CONNECTIONS, DB_SAMPLES, DOC, FLOWS, SECONDS, USERS, WARMUP_SECONDS } from './config';
import type { LoadResult } from './load';

/** A load run over HTTP, with the non-2xx statuses kept to explain a non-zero count. */
export interface HttpRun {
  result: LoadResult;
  non2xx: ReadonlyMap<number, { count: number; sample: string }>;
}

export interface Results {
  /** Date.now() at the start of the run, for the "took" figure. */
  started: number;
  bareProducts: HttpRun;
  apiProducts: HttpRun;
  createOrders: HttpRun;
  createSerial: HttpRun;
  flows: LoadResult;
  /** Completed flows per payer, warm-up included, as the credits were granted for them too. */
  completed: readonly number[];
  mismatches: readonly CreditMismatch[];
  commands: readonly CommandCount[];
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
// Command counts are exact, so show whole averages without a misleading ".0".
const avg = (count: number, samples: number) =>
  Number.isInteger(count / samples) ? count / samples : f1(count / samples);

function loadRow(name: string, r: LoadResult, unit = 'req/s'): string {
  return `| ${name} | ${r.connections} | **${f0(r.perSecond)}** ${unit} | ${f2(r.p50)} | ${f2(r.p99)} | ${f2(r.max)} | ${r.ok} | ${r.non2xx} | ${r.errors} |`;
}
const LOAD_HEADER = [
  '| target | concurrency | throughput | p50 ms | p99 ms | max ms | ok | non-2xx | errors |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
];

function explainErrors(
  name: string,
  r: LoadResult,
  non2xx: ReadonlyMap<number, { count: number; sample: string }> = new Map(),
): string[] {
  return [
    ...(r.firstError ? [`- ${name}: first error: \`${r.firstError.slice(0, 200)}\``] : []),
    ...[...non2xx].map(([status, s]) => `- ${name}: ${s.count}× HTTP ${status}, e.g. \`${s.sample}\``),
  ];
}

export function formatResults(r: Results): string {
  const { flows, mismatches } = r;
  const [bare, api, create, serial] = [r.bareProducts, r.apiProducts, r.createOrders, r.createSerial];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let nproc = String(os.cpus().length);
  try {
    // nproc honours CPU affinity and cgroup limits, which os.cpus() does not.
    nproc = execSync('nproc').toString().trim();
  } catch {}
  const totalFlows = r.completed.reduce((a, b) => a + b, 0);
  const lines = [
    '## Results',
    '',
    `Run on ${new Date().toISOString()} · nproc ${nproc} (${cpu}) · bun ${Bun.version} · ${os.type()} ${os.release()} · ` +
      `FerretDB on PostgreSQL · loader in the same process tree, on the same cores · took ${f0((Date.now() - r.started) / 1000)} s.`,
    '',
    `### 1–2. Requests (closed loop, ${CONNECTIONS} concurrent, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured)`,
    '',
    ...LOAD_HEADER,
    loadRow('bare `Bun.serve`, same JSON bytes', bare.result),
    loadRow('API `GET /api/products/` (cached)', api.result),
    loadRow(`API \`POST /api/orders/create\` (${USERS} users)`, create.result),
    loadRow('API `POST /api/orders/create`, one connection', serial.result),
    '',
    `API / bare for the cached catalog: **${f2(api.result.perSecond / bare.result.perSecond)}×** the throughput ` +
      `(${f0(api.result.perSecond)} vs ${f0(bare.result.perSecond)} req/s), ` +
      `p50 ${f2(api.result.p50)} vs ${f2(bare.result.p50)} ms.`,
    ...explainErrors('catalog (API)', api.result, api.non2xx),
    ...explainErrors('bare', bare.result, bare.non2xx),
    ...explainErrors(`create order (${CONNECTIONS} connections)`, create.result, create.non2xx),
    ...explainErrors('create order (1 connection)', serial.result, serial.non2xx),
    '',
    `### 3. Purchase flows (${FLOWS} concurrent, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured)`,
    '',
    'create → pay → sandbox `request-payment` (which sends the signed callback) → poll `payment-status` every 10 ms until `completed`.',
    '',
    ...LOAD_HEADER,
    loadRow('full purchase flow', flows, 'flows/s'),
    '',
    ...explainErrors('flow', flows),
    mismatches.length === 0
      ? `Credits check: **OK** — each of the ${FLOWS} users has 100 × their completed flows (${totalFlows} flows incl. warm-up, ${100 * totalFlows} credits in total).`
      : `Credits check: **MISMATCH** — ${mismatches.map((m) => `${m.user}: ${m.credits} credits, expected ${m.expected}`).join('; ')}` +
        (flows.errors > 0
          ? ' (a flow that errored or timed out may still have been paid and granted).'
          : '.'),
    '',
    `### 4. Database commands per request (in-process app, \`monitorCommands\`, ${DB_SAMPLES} requests each)`,
    '',
    '| request | commands / request | commands (average per request) |',
    '|---|--:|---|',
    ...r.commands.map((c) => {
      const detail = [...c.byCommand.entries()]
        .map(([name, count]) => `${name}×${avg(count, c.samples)}`)
        .join(', ');
      return `| ${c.name} | **${avg(c.total, c.samples)}** | ${detail || '—'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

const DEFAULT_HEADER = `# Benchmarks

\`bun bench/run.ts\` (or \`npm run bench\`) measures, in one run of about a minute on the
machine it runs on, and rewrites the **Results** section below (everything above it is kept).
Knobs: \`BENCH_CONNECTIONS\` (default 32), \`BENCH_SECONDS\` (5 per target), \`BENCH_FLOWS\` (8).

**Method.** Like the end-to-end tests (\`tests/e2e/stack.ts\`): FerretDB on a free port with a temporary
data folder, the sandbox and the API started as \`bun <entry>\` child processes with
\`NODE_ENV=test\` and the default \`CATALOG_CACHE_SECONDS=5\` (so the catalog is served from memory).
The baseline is \`bench/bare-server.ts\`, a bare \`Bun.serve\` child answering the very bytes the
API returned. \`bench/load.ts\` is a closed-loop generator: N workers each await one request (or one
whole purchase flow) at a time, for 1 s of warm-up (discarded) and then the measured window;
latencies are of successful requests only. Database commands are counted by composing the app in
the bench process on a mongoose connection with \`monitorCommands: true\` and calling
\`app.handle(new Request(…))\` one request at a time.

**How to read it.** The machine and date are at the top of Results. The load generator runs in the
bench process **on the same cores** as the server(s) under test (and FerretDB and the sandbox), so
absolute numbers are a lower bound and mostly useful relative to each other: the API/bare ratio
shows the framework + app overhead per request; with a closed loop, throughput ≈ concurrency /
latency. The flow numbers include the work of three processes per flow (API, sandbox,
FerretDB). Commands per request are exact counts (they do not depend on the machine): each
command is a round-trip to the database, which dominates the cost of uncached requests.

**Order.** The phases run in the order shown, on one database: the flows first, then the
create-order load (which leaves thousands of orders behind).

`;

/** Replaces only the Results section, so the prose above it survives every run. */
export async function writeDoc(results: string): Promise<void> {
  const existing = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const at = existing.indexOf('## Results');
  const header =
    at >= 0 ? existing.slice(0, at) : existing.trim() ? `${existing.trimEnd()}\n\n` : DEFAULT_HEADER;
  fs.writeFileSync(DOC, `${header}${results}`);
}

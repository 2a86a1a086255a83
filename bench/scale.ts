// The scale benchmark: `npm run bench:scale` (env BENCH_SIZES=1000,100000,1000000,
// BENCH_ITERATIONS=100, BENCH_WRK_SECONDS=6). Starts PostgreSQL + FerretDB (as npm start does, in a
// temp folder) and the sandbox; for each size, one database whose growing collections hold that
// many documents and one API process on it; times each hot request (p50/p99, one at a time, a
// fresh user per pass) with the passes interleaved across the sizes; then, at the largest size,
// drives the cached catalog, a product and create-order with wrk beside a bare Bun.serve; reads
// that API's RSS; writes the "Scale results" section of docs/benchmarks.md and the chart
// docs/scale-latency.svg.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localUrl } from '../scripts/local-env';
import { freePort } from '../scripts/net';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { CALLBACK_SECRET, DOC, ROOT } from './config';
import { Dataset } from './dataset';
import { HOT_REQUESTS, type HotRequest, hotRequests, httpCall } from './hot-requests';
import { percentile } from './load';
import { runBench, spawn, startApi, startDb, startSandbox, tmp, waitHealthy } from './processes';
import { latencyChart } from './svg';
import { postJsonLua, type WrkResult, wrk } from './wrk';

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
const SIZES = list('BENCH_SIZES', '1000,100000,1000000');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 6);
const WRK_CONNECTIONS = 64;
const FASTAPI_PEER_CREATES = 517; // req/s, the issue's FastAPI + SQLAlchemy peer on this machine
const CHART = path.join(ROOT, 'docs', 'scale-latency.svg');

interface SizeRun {
  size: number;
  loadSeconds: number;
  stats: Map<HotRequest, { p50: number; p99: number; n: number }>;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface Target {
  size: number;
  loadSeconds: number;
  api: string;
  pid: number;
  samples: Map<HotRequest, number[]>;
}

/**
 * Passes interleaved across the sizes, in a fresh random order each round: whatever else the
 * machine does at a moment lands on every size alike, so the ratios between sizes stay honest.
 */
async function measure(targets: Target[], sandbox: string): Promise<void> {
  for (let i = -5; i < ITERATIONS; i++) {
    const order = [...targets].sort(() => Math.random() - 0.5);
    for (const target of order) {
      // A few passes first: connection set-up, JIT and PostgreSQL's caches are not what we measure.
      await hotRequests(
        httpCall(target.api),
        sandbox,
        CALLBACK_SECRET,
        `scale_${target.size}_${i}`,
        async (name, fn) => {
          const t = performance.now();
          await fn();
          if (i >= 0) target.samples.get(name as HotRequest)?.push(performance.now() - t);
        },
      );
    }
  }
}

function statsOf(samples: Map<HotRequest, number[]>): SizeRun['stats'] {
  const stats: SizeRun['stats'] = new Map();
  for (const [name, xs] of samples) {
    xs.sort((a, b) => a - b);
    stats.set(name, { p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length });
  }
  return stats;
}

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');

function report(
  runs: SizeRun[],
  w: Record<string, WrkResult>,
  rss: { before: number; atEnd: number; after: number },
  took: number,
): string {
  const first = runs[0] as SizeRun;
  const last = runs[runs.length - 1] as SizeRun;
  const lines = [
    '## Scale results',
    '',
    `Run on ${new Date().toISOString()} · nproc ${os.cpus().length} (${os.cpus()[0]?.model.trim()}) · bun ${Bun.version} · FerretDB 1.24.2 on PostgreSQL · ${ITERATIONS} passes per size · took ${f0(took)} s.`,
    '',
    '### Hot requests against data size (ms, one request at a time; p50 / p99)',
    '',
    `| request | ${runs.map((r) => `${r.size.toLocaleString('en')} docs`).join(' | ')} | p50 ${last.size.toLocaleString('en')} / ${first.size.toLocaleString('en')} |`,
    `|---|${runs.map(() => '--:').join('|')}|--:|`,
  ];
  for (const name of HOT_REQUESTS) {
    const cells = runs.map((r) => {
      const s = r.stats.get(name);
      return s ? `${f2(s.p50)} / ${f2(s.p99)}` : '–';
    });
    const ratio = (last.stats.get(name)?.p50 ?? Number.NaN) / (first.stats.get(name)?.p50 ?? Number.NaN);
    lines.push(`| ${name} | ${cells.join(' | ')} | ${ratio.toFixed(2)}× |`);
  }
  lines.push(
    '',
    `Load time (users, orders, settlements, status records, ledger grown to the size through PostgreSQL, GIN indexes maintained): ${runs.map((r) => `${r.size.toLocaleString('en')}: ${f0(r.loadSeconds)} s`).join(' · ')}.`,
    '',
    `![p50 latency against data size](scale-latency.svg)`,
    '',
    `### Throughput with wrk at ${last.size.toLocaleString('en')} docs (\`wrk -t1 -c${WRK_CONNECTIONS} -d${WRK_SECONDS}s\`, loader on the same 2 cores)`,
    '',
    '| target | req/s | p50 ms | p99 ms | non-2xx | socket errors |',
    '|---|--:|--:|--:|--:|--:|',
    ...Object.values(w).map(
      (r) =>
        `| ${r.label} | **${f0(r.perSecond)}** | ${f2(r.p50)} | ${f2(r.p99)} | ${r.non2xx} | ${r.errors} |`,
    ),
    '',
  );
  const bare = w.bare?.perSecond ?? Number.NaN;
  const cached = w.products?.perSecond ?? Number.NaN;
  const creates = w.create?.perSecond ?? Number.NaN;
  lines.push(
    `- Cached catalog / bare \`Bun.serve\` (same bytes): **${(cached / bare).toFixed(2)}×** (target ≥ 0.8×).`,
    `- Create-order / the FastAPI peer's ${FASTAPI_PEER_CREATES} req/s: **${(creates / FASTAPI_PEER_CREATES).toFixed(2)}×** (target ≥ 2×), p99 ${f2(w.create?.p99 ?? Number.NaN)} ms (target ≤ 50 ms).`,
    `- API RSS: ${f0(rss.before)} MB before the wrk runs, ${f0(rss.atEnd)} MB as the last one ends, **${f0(rss.after)} MB** 3 s after the full benchmark (target ≤ 150 MB).`,
    '',
  );
  return lines.join('\n');
}

function writeSection(section: string): void {
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = doc.indexOf('## Scale results');
  const end = doc.indexOf('## Results');
  const before = start >= 0 ? doc.slice(0, start) : end >= 0 ? doc.slice(0, end) : `${doc.trimEnd()}\n\n`;
  const after = end >= 0 ? doc.slice(end) : '';
  fs.writeFileSync(DOC, `${before}${section}\n${after}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const db = await startDb();
  const { port: sandboxPort, url: sandbox } = await startSandbox();
  // One database and one API process per size, side by side on the same PostgreSQL and FerretDB.
  const targets: Target[] = [];
  for (const size of SIZES) {
    const mongoUri = `${db.mongoUri}/bench_${size}`;
    await prepareDatabase(mongoUri, db.postgresUrl);
    const conn = await connectMongo(mongoUri);
    const data = await Dataset.create(conn, db.postgresUrl, size);
    await conn.close();
    console.error(`growing every collection of bench_${size} to ${size} documents…`);
    const loadSeconds = await data.growTo(size);
    await data.close();
    console.error(`  loaded in ${loadSeconds.toFixed(1)} s`);
    const { url, proc } = await startApi(`api_${size}`, { mongoUri, sandboxPort });
    targets.push({
      size,
      loadSeconds,
      api: url,
      pid: proc.pid,
      samples: new Map(HOT_REQUESTS.map((r) => [r, []])),
    });
  }
  console.error(`timing ${ITERATIONS} passes per size, interleaved…`);
  await measure(targets, sandbox);
  const runs: SizeRun[] = targets.map((t) => ({
    size: t.size,
    loadSeconds: t.loadSeconds,
    stats: statsOf(t.samples),
  }));
  const largest = targets[targets.length - 1] as Target;
  const api = largest.api;
  const barePort = await freePort();
  const bare = localUrl(barePort);

  const rssBefore = rssMb(largest.pid);
  const products = await fetch(`${api}/api/products/`);
  const bodyFile = path.join(tmp, 'products.json');
  fs.writeFileSync(bodyFile, Buffer.from(await products.arrayBuffer()));
  const bareProc = spawn('bare', 'bench/bare-server.ts', {
    BARE_PORT: String(barePort),
    BARE_BODY_FILE: bodyFile,
    BARE_CONTENT_TYPE: products.headers.get('content-type') ?? 'application/json',
  });
  await waitHealthy(bare, bareProc, 'bare');
  const opts = { connections: WRK_CONNECTIONS, seconds: WRK_SECONDS, tmp };
  const w: Record<string, WrkResult> = {};
  console.error('wrk: bare Bun.serve, cached catalog, one product…');
  w.bare = await wrk('bare `Bun.serve`, same JSON bytes', `${bare}/api/products/`, opts);
  w.products = await wrk('API `GET /api/products/` (cached)', `${api}/api/products/`, opts);
  w.product = await wrk('API `GET /api/products/1`', `${api}/api/products/1`, opts);
  bareProc.kill('SIGTERM');
  const call = httpCall(api);
  const tokens: string[] = [];
  for (let i = 0; i < 16; i++)
    tokens.push(
      (await call('POST', '/api/auth/login', { body: { code: `wrk_buyer_${i}` } })).access_token as string,
    );
  console.error('wrk: create order…');
  w.create = await wrk('API `POST /api/orders/create` (16 users)', `${api}/api/orders/create`, {
    ...opts,
    lua: postJsonLua(JSON.stringify({ product_id: 1 }), tokens),
  });
  // Resident size right after the load, and once the API has had its quiet second (IDLE_GC_SECONDS,
  // a full collection when requests stop) and the collector has settled.
  await Bun.sleep(200);
  const rssAtEnd = rssMb(largest.pid);
  await Bun.sleep(3000);
  const rss = { before: rssBefore, atEnd: rssAtEnd, after: rssMb(largest.pid) };

  fs.writeFileSync(
    CHART,
    latencyChart(runs.map((r) => ({ size: r.size, p50: new Map([...r.stats].map(([k, v]) => [k, v.p50])) }))),
  );
  const section = report(runs, w, rss, (performance.now() - started) / 1000);
  console.log(section);
  writeSection(section);
  console.error(`written to ${path.relative(process.cwd(), DOC)} and ${path.relative(process.cwd(), CHART)}`);
}

await runBench(main);

// `bun bench/framework-floor.ts`: what each layer between a bare Bun.serve and our API costs a
// cached catalog request. Each step of bench/floor-server.ts (and the API itself, on PostgreSQL +
// FerretDB as `npm start` runs them) gets a 3 s wrk warm-up, then BENCH_ROUNDS (5) rounds of
// `wrk -t1 -c64` for BENCH_WRK_SECONDS (4) each, every round in a fresh random order; medians are
// reported. CPU per request is the server's user + system ticks from /proc over a run divided by
// its requests.
// Prints a markdown table (docs/benchmarks.md quotes it). FLOOR_MODES=bare picks steps; KEY=value
// arguments go to the API's environment; FLOOR_SKIP_API=1 measures the steps only; FLOOR_BASELINE=<dir>
// runs another checkout's API beside ours (see `checkouts`).
import type { Subprocess } from 'bun';
import { localUrl } from '../scripts/local-env';
import { freePort } from '../scripts/net';
import { prepareDatabase } from '../scripts/search-indexes';
import { checkouts, runBench, spawn, startApi, startDb, tmp, waitHealthy } from './processes';
import { cpuUs, median, shuffled } from './rounds';
import { wrk } from './wrk';

const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 4);
const MODES = (
  process.env.FLOOR_MODES ?? 'bare,bare-headers,elysia,elysia-headers,elysia-hooks,native-logged'
)
  .split(',')
  .filter(Boolean);
/** `KEY=value` arguments are added to the API's environment (to try a setting). */
const API_ENV = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`expected KEY=value, got "${a}"`);
    return [a.slice(0, eq), a.slice(eq + 1)];
  }),
);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Target {
  readonly label: string;
  readonly url: string;
  readonly proc: Subprocess;
  readonly runs: { perSecond: number; p50: number; cpuUs: number }[];
}

async function run(target: Target): Promise<void> {
  const opts = { connections: 64, seconds: SECONDS, tmp };
  const before = cpuUs(target.proc.pid);
  const r = await wrk(target.label, target.url, opts);
  // A server that answers errors fast must not pass for a fast server.
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${target.label}: ${r.non2xx} non-2xx answers and ${r.errors} socket errors`);
  const perRequest = (cpuUs(target.proc.pid) - before) / (r.perSecond * SECONDS);
  target.runs.push({ perSecond: r.perSecond, p50: r.p50, cpuUs: perRequest });
}

async function main() {
  const targets: Target[] = [];
  for (const mode of MODES) {
    const port = await freePort();
    const proc = spawn(`floor_${mode}`, 'bench/floor-server.ts', {
      FLOOR_PORT: String(port),
      FLOOR_MODE: mode,
    });
    const url = `${localUrl(port)}/api/products/`;
    await waitHealthy(localUrl(port), proc, `floor_${mode}`, '/api/products/');
    targets.push({ label: mode, url, proc, runs: [] });
  }
  if (!process.env.FLOOR_SKIP_API) {
    const db = await startDb();
    const mongoUri = `${db.mongoUri}/floor`;
    await prepareDatabase(mongoUri, db.postgresUrl);
    // No sandbox: a cached catalog request calls nobody.
    for (const { label, dir } of checkouts('FLOOR_BASELINE')) {
      const api = await startApi(`api_${label}`.replace(/\W/g, '_'), {
        mongoUri,
        sandboxPort: await freePort(),
        dir,
        env: API_ENV,
      });
      targets.push({
        label: `API (cached catalog)${label === 'this checkout' ? '' : `, ${label}`}`,
        url: `${api.url}/api/products/`,
        proc: api.proc,
        runs: [],
      });
    }
  }
  // A warm-up each, then rounds in a fresh random order: whatever else the machine does at a moment
  // lands on every server alike, and the median of each is what is reported.
  for (const t of targets) await wrk(`${t.label} warm-up`, t.url, { connections: 64, seconds: 3, tmp });
  for (let round = 0; round < ROUNDS; round++) for (const t of shuffled(targets)) await run(t);
  const baseline = targets.find((t) => t.label === 'bare');
  const bare = baseline ? median(baseline.runs.map((r) => r.perSecond)) : Number.NaN;
  console.log(`| server | req/s (median of ${ROUNDS}) | × bare | p50 ms | CPU µs / request |`);
  console.log('|---|--:|--:|--:|--:|');
  for (const t of targets) {
    const rps = median(t.runs.map((r) => r.perSecond));
    console.log(
      `| ${t.label} | ${rps.toFixed(0)} | ${(rps / bare).toFixed(2)} | ${median(t.runs.map((r) => r.p50)).toFixed(2)} | ${median(t.runs.map((r) => r.cpuUs)).toFixed(1)} |`,
    );
  }
}

await runBench(main);

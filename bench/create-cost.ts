// `bun bench/create-cost.ts`: where the CPU of `POST /api/orders/create` goes. PostgreSQL + FerretDB
// as `npm start` runs them, the sandbox, and the API; 16 logged-in users share `wrk -t1 -c64`
// creates. A 3 s warm-up, then BENCH_ROUNDS (5) runs of BENCH_WRK_SECONDS (5) each; medians are
// reported, with the CPU each process spent per create (user + system from /proc; PostgreSQL's
// backends counted with their postmaster).
// CREATE_BASELINE=<dir> adds a second API started from another checkout (e.g. `git worktree add
// /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/`), on its own database of the same
// servers, and interleaves the two in a fresh random order each round. KEY=value arguments go to
// the API's environment.
import type { Subprocess } from 'bun';
import { prepareDatabase } from '../scripts/search-indexes';
import { httpCall } from './hot-requests';
import { checkouts, runBench, startApi, startDb, startSandbox, tmp } from './processes';
import { cpuUs, median, shuffled, treeCpuUs } from './rounds';
import { postJsonLua, wrk } from './wrk';

const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const USERS = 16;
const API_ENV = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`expected KEY=value, got "${a}"`);
    return [a.slice(0, eq), a.slice(eq + 1)];
  }),
);

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  /** ms of CPU per create: the API, FerretDB, PostgreSQL. */
  api: number;
  ferret: number;
  postgres: number;
}
interface Target {
  readonly label: string;
  readonly url: string;
  readonly lua: string;
  readonly proc: Subprocess;
  readonly runs: Run[];
}

async function main() {
  const db = await startDb();
  const { port: sandboxPort } = await startSandbox();
  const targets: Target[] = [];
  for (const [i, { label, dir }] of checkouts('CREATE_BASELINE').entries()) {
    const mongoUri = `${db.mongoUri}/create_cost_${i}`;
    await prepareDatabase(mongoUri, db.postgresUrl);
    const { url: api, proc } = await startApi(`api_${i}`, { mongoUri, sandboxPort, dir, env: API_ENV });
    const call = httpCall(api);
    const tokens: string[] = [];
    for (let u = 0; u < USERS; u++)
      tokens.push(
        (await call('POST', '/api/auth/login', { body: { code: `cost_${u}` } })).access_token as string,
      );
    const lua = postJsonLua(JSON.stringify({ product_id: 1 }), tokens);
    targets.push({ label, url: `${api}/api/orders/create`, lua, proc, runs: [] });
  }
  const run = async (t: Target, seconds: number): Promise<Run> => {
    const before = [cpuUs(t.proc.pid), cpuUs(db.ferret.pid), treeCpuUs(db.postgres.pid)];
    const r = await wrk(t.label, t.url, { connections: 64, seconds, lua: t.lua, tmp });
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${t.label}: ${r.non2xx} non-2xx, ${r.errors} socket errors`);
    const creates = r.perSecond * seconds;
    const per = (now: number, was: number) => (now - was) / 1000 / creates;
    return {
      perSecond: r.perSecond,
      p50: r.p50,
      p99: r.p99,
      api: per(cpuUs(t.proc.pid), before[0] as number),
      ferret: per(cpuUs(db.ferret.pid), before[1] as number),
      postgres: per(treeCpuUs(db.postgres.pid), before[2] as number),
    };
  };
  for (const t of targets) await run(t, 3);
  for (let round = 0; round < ROUNDS; round++)
    for (const t of shuffled(targets)) t.runs.push(await run(t, SECONDS));
  const m = (t: Target, k: keyof Run, digits: number) => median(t.runs.map((r) => r[k])).toFixed(digits);
  console.log(`| API | creates/s | p50 ms | p99 ms | CPU ms per create: API | FerretDB | PostgreSQL |`);
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const t of targets)
    console.log(
      `| ${t.label} | ${m(t, 'perSecond', 0)} | ${m(t, 'p50', 1)} | ${m(t, 'p99', 1)} | ${m(t, 'api', 2)} | ${m(t, 'ferret', 2)} | ${m(t, 'postgres', 2)} |`,
    );
}

await runBench(main);

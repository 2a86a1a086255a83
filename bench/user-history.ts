// `bun bench/user-history.ts`: latency against one user's history. A credits shop's users consume
// credits all day, so their ledgers grow by the thousand while everyone else's stay short; every
// balance read, consume and transactions page of theirs must still cost what a new user's does.
// PostgreSQL + FerretDB as `npm start` runs them, the sandbox and the API; one user per history
// size in BENCH_HISTORIES (10,1000,10000), their entries appended through the Mongo adapter as the
// API would. Then BENCH_ROUNDS (30) rounds, the sizes in a fresh random order each: users/me,
// transactions (first page and a page halfway back), consume; medians reported. Last, each user's
// balance is read once by a newly started API (a process that has not seen them).
// HISTORY_BASELINE=<dir> runs an API from another checkout beside it on the same database (see
// bench/create-cost.ts for making one), interleaved with it.
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { MongoLedger } from '../src/adapters/mongo/ledger';
import { systemClock } from '../src/adapters/system/clock';
import { appendEntry } from '../src/domain/usecases/ledger';
import { type Call, httpCall } from './hot-requests';
import { checkouts, onCleanup, runBench, startApi, startDb, startSandbox } from './processes';
import { median, shuffled } from './rounds';

const HISTORIES = (process.env.BENCH_HISTORIES ?? '10,1000,10000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main() {
  const db = await startDb();
  const mongoUri = `${db.mongoUri}/user_history`;
  await prepareDatabase(mongoUri, db.postgresUrl);
  const { port: sandboxPort } = await startSandbox();
  const apiCheckouts = checkouts('HISTORY_BASELINE');
  let started = 0;
  const apiFrom = async (dir: string) => {
    const { url, proc } = await startApi(`api_${started++}`, { mongoUri, sandboxPort, dir });
    return { call: httpCall(url), stop: () => proc.kill('SIGTERM') };
  };
  const apis = await Promise.all(apiCheckouts.map(({ dir }) => apiFrom(dir)));
  const first = apis[0]?.call as Call;

  const conn = await connectMongo(mongoUri);
  onCleanup(() => conn.close());
  const ledger = new MongoLedger(conn);
  const users: { size: number; token: string; id: number }[] = [];
  for (const size of HISTORIES) {
    const token = (await first('POST', '/api/auth/login', { body: { code: `history_${size}` } }))
      .access_token as string;
    const id = (await first('GET', '/api/users/me', { token })).id as number;
    const t = performance.now();
    for (let i = 0; i < size; i++) {
      const r = await appendEntry(
        { ledger, clock: systemClock },
        {
          userId: id,
          amount: 10,
          type: 'adjust',
          description: 'bench',
          relatedOrderId: null,
          idempotencyKey: `history:${id}:${i}`,
        },
      );
      if (!r.ok) throw new Error(r.error.kind);
    }
    console.error(`user ${id}: ${size} entries in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    users.push({ size, token, id });
  }

  type Sample = Map<string, number[]>;
  const samples = apiCheckouts.map((): Sample => new Map());
  const add = (s: Sample, key: string, ms: number) => s.set(key, [...(s.get(key) ?? []), ms]);
  let consumed = 0;
  for (let round = 0; round < ROUNDS + 3; round++) {
    for (const [c, u] of shuffled(apiCheckouts.flatMap((_, c) => users.map((u) => [c, u] as const)))) {
      const call = apis[c]?.call as Call;
      const s = round < 3 ? new Map() : (samples[c] as Sample); // 3 warm-up rounds
      const token = u.token;
      add(s, `users/me|${u.size}`, await timed(() => call('GET', '/api/users/me', { token })));
      add(
        s,
        `transactions|${u.size}`,
        await timed(() => call('GET', '/api/credits/transactions', { token })),
      );
      const deep = `/api/credits/transactions?skip=${Math.floor(u.size / 2)}`;
      add(s, `transactions, halfway back|${u.size}`, await timed(() => call('GET', deep, { token })));
      const body = { amount: 1, description: 'bench', idempotency_key: `history-consume-${consumed++}` };
      add(s, `consume|${u.size}`, await timed(() => call('POST', '/api/credits/consume', { token, body })));
    }
  }
  for (const api of apis) api.stop();
  for (const [c, { dir }] of apiCheckouts.entries()) {
    const fresh = await apiFrom(dir);
    for (const u of users)
      add(
        samples[c] as Sample,
        `users/me, new process (1 sample)|${u.size}`,
        await timed(() => fresh.call('GET', '/api/users/me', { token: u.token })),
      );
    fresh.stop();
  }

  const requests = [...new Set([...(samples[0] as Sample).keys()].map((k) => k.split('|')[0] as string))];
  console.log(
    `| request | ${apiCheckouts.flatMap(({ label }) => HISTORIES.map((h) => `${label}: ${h.toLocaleString('en')} entries`)).join(' | ')} |`,
  );
  console.log(`|---|${apiCheckouts.flatMap(() => HISTORIES.map(() => '--:')).join('|')}|`);
  for (const r of requests)
    console.log(
      `| ${r} | ${samples.flatMap((s) => HISTORIES.map((h) => median(s.get(`${r}|${h}`) ?? []).toFixed(1))).join(' | ')} |`,
    );
}

await runBench(main);

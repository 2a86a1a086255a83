// `bun bench/user-history.ts`: latency against one user's history. A credits shop's users consume
// credits all day, so their ledgers grow by the thousand while everyone else's stay short; every
// balance read, consume, transactions page and orders page of theirs must still cost what a new
// user's does. PostgreSQL + FerretDB as `npm start` runs them, the sandbox and the API; one user per
// history size in BENCH_HISTORIES (10,1000,10000), with that many ledger entries and as many
// finished orders, written through the Mongo adapters as the API would. Then BENCH_ROUNDS (30)
// rounds, the sizes in a fresh random order each: users/me, transactions and my orders (first page
// and a page halfway back), consume; medians reported. Last, each user's balance and orders are read
// once by a newly started API (a process that has not seen them).
// HISTORY_BASELINE=<dir> runs an API from another checkout beside it on the same database (see
// bench/create-cost.ts for making one), interleaved with it.
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { MongoLedger } from '../src/adapters/mongo/ledger';
import { MongoOrders } from '../src/adapters/mongo/orders';
import { systemClock } from '../src/adapters/system/clock';
import type { NewOrder } from '../src/domain/order';
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

/** An order of the seed's first package that ended long ago (so it is neither reused nor held). */
const finishedOrder = (userId: number, i: number): NewOrder => {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  return {
    orderNo: `HIST${userId}X${i}`,
    userId,
    productId: 1,
    amountFen: 990,
    credits: 100,
    status: 'cancelled',
    paymentId: null,
    paymentTime: null,
    refundTime: null,
    remark: null,
    productName: 'bench',
    productDescription: 'bench',
    productImageUrl: null,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(at.getTime() + 30 * 60_000),
  };
};

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
  const orders = new MongoOrders(conn);
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
      await orders.create(finishedOrder(id, i));
    }
    console.error(
      `user ${id}: ${size} entries and orders in ${((performance.now() - t) / 1000).toFixed(0)} s`,
    );
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
      add(s, `my orders|${u.size}`, await timed(() => call('GET', '/api/orders/', { token })));
      const deepOrders = `/api/orders/?skip=${Math.floor(u.size / 2)}`;
      add(s, `my orders, halfway back|${u.size}`, await timed(() => call('GET', deepOrders, { token })));
      const body = { amount: 1, description: 'bench', idempotency_key: `history-consume-${consumed++}` };
      add(s, `consume|${u.size}`, await timed(() => call('POST', '/api/credits/consume', { token, body })));
    }
  }
  for (const api of apis) api.stop();
  for (const [c, { dir }] of apiCheckouts.entries()) {
    const fresh = await apiFrom(dir);
    for (const u of users) {
      add(
        samples[c] as Sample,
        `users/me, new process (1 sample)|${u.size}`,
        await timed(() => fresh.call('GET', '/api/users/me', { token: u.token })),
      );
      add(
        samples[c] as Sample,
        `my orders, new process (1 sample)|${u.size}`,
        await timed(() => fresh.call('GET', '/api/orders/', { token: u.token })),
      );
    }
    fresh.stop();
  }

  const requests = [...new Set([...(samples[0] as Sample).keys()].map((k) => k.split('|')[0] as string))];
  console.log(
    `| request | ${apiCheckouts.flatMap(({ label }) => HISTORIES.map((h) => `${label}: ${h.toLocaleString('en')}`)).join(' | ')} |`,
  );
  console.log(`|---|${apiCheckouts.flatMap(() => HISTORIES.map(() => '--:')).join('|')}|`);
  for (const r of requests)
    console.log(
      `| ${r} | ${samples.flatMap((s) => HISTORIES.map((h) => median(s.get(`${r}|${h}`) ?? []).toFixed(1))).join(' | ')} |`,
    );
}

await runBench(main);

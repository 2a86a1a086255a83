import os from 'node:os';
import { connectMongo, mongoRepositories } from '../src/adapters/mongo';
import { HourDirectory } from '../src/adapters/mongo/hour-directory';
import { systemClock } from '../src/adapters/system/clock';
import { hourOf } from '../src/domain/figures';
import type { OrderFilter, Page } from '../src/domain/ports';
import { backfillOrderList } from '../src/domain/usecases/backfill';
import { exportOrders } from '../src/domain/usecases/export';
import { grownStore, timed, timedCells, varyOrders, writeSection } from './grown-store';
import { cleanup } from './processes';

const SIZE = Number(process.env.BENCH_ORDER_LIST_SIZE ?? 100_000);
/** Orders stored as an earlier version did, for the backfill's timing. */
const UNENTERED = Number(process.env.BENCH_ORDER_LIST_UNENTERED ?? 10_000);
const RUNS = 5;
const PAGE = 20;

async function main() {
  const started = performance.now();
  const nowHour = hourOf(new Date());
  const { mongoUri, data, load } = await grownStore('bench_order_list', SIZE, nowHour);
  const conn = await connectMongo(mongoUri);
  await varyOrders(data, conn, SIZE, nowHour);
  await data.close();
  const hours = new HourDirectory(conn, 'order');
  await hours.markComplete();

  const day = new Date((nowHour - 48) * 3_600_000).toISOString().slice(0, 10);
  const cases: [string, OrderFilter, Page][] = [
    ['all, page 1', {}, { skip: 0, limit: PAGE }],
    ['all, page 51', {}, { skip: 50 * PAGE, limit: PAGE }],
    ['completed, page 1', { status: 'completed' }, { skip: 0, limit: PAGE }],
    ['cancelled, page 1', { status: 'cancelled' }, { skip: 0, limit: PAGE }],
    ['refunded (1 in 997), page 1', { status: 'refunded' }, { skip: 0, limit: PAGE }],
    ['¥19.90, page 1', { amountFen: 1990 }, { skip: 0, limit: PAGE }],
    [
      `one day (${day}), page 1`,
      { createdFrom: new Date(`${day}T00:00:00Z`), createdTo: new Date(`${day}T23:59:59.999Z`) },
      { skip: 0, limit: PAGE },
    ],
    ['CSV export of all (first 10,000 rows)', {}, { skip: -1, limit: 0 }],
  ];
  const measure = (runs: number) => {
    const orders = mongoRepositories(conn).orders; // a new adapter: it asks whether the directory is complete
    const settings = { timeZone: 'Asia/Shanghai', orderExpireMinutes: 30, notifyUrl: '' };
    return timedCells(
      runs,
      cases.map(([, filter, page]) => async () => {
        if (page.skip >= 0) return orders.search(filter, page);
        for await (const _ of exportOrders({ orders, settings })(filter));
      }),
    );
  };
  console.error('by hour…');
  const byHour = await measure(RUNS);
  // As before the directory: the store reads one sorted query until its backfill has finished.
  await conn.db!.collection('order_days').deleteOne({ _id: 'stored-orders-entered' as never });
  console.error('one sorted read…');
  const sorted = await measure(1);

  // The backfill: orders of the last UNENTERED ids lose created_hour, as an earlier version stored them.
  await conn
    .db!.collection('orders')
    .updateMany({ _id: { $gt: SIZE - UNENTERED } as never }, { $unset: { created_hour: '' } });
  console.error(`backfilling ${UNENTERED} orders…`);
  let entered = 0;
  const backfill = await timed(async () => {
    entered = (await backfillOrderList({ ...mongoRepositories(conn), clock: systemClock }))?.entered ?? 0;
  });
  await conn.close();

  const rows = cases.map(([name], i) => `| ${name} | ${byHour[i]} | ${sorted[i]} |`).join('\n');
  const section = `## Console order list

Run on ${new Date().toISOString()} · nproc ${os.cpus().length} · FerretDB 1.24.2 on PostgreSQL · \`bun bench/order-list.ts\` · took ${((performance.now() - started) / 1000).toFixed(0)} s.

${SIZE.toLocaleString('en')} orders spread over 30 days by hour (about ${Math.round(SIZE / 720)} per hour; every 5th cancelled, every
997th refunded, every 3rd at ¥19.90), loaded in ${load.toFixed(0)} s. The search as the console page, its CSV export and
\`GET /api/admin/orders\` call it (\`usecases/admin.ts\`), ms:

| list | by hour (p50 / max of ${RUNS}) | one sorted read (1 run) |
|---|--:|--:|
${rows}

"One sorted read" is \`find(filter).sort({created_at: -1}).skip().limit()\`: what every earlier version
ran, and what the store still runs until its backfill has entered the orders stored before the hour
directory. FerretDB sorts in Go, so it reads every order the filter matches; the console's deadline is
15 s. By hour, a page reads the directory (one equality read per day, one per day visited) and then
one hour of orders at a time; hours wholly before a later page are counted, not read.

Backfill: ${entered.toLocaleString('en')} orders without \`created_hour\` entered in ${(backfill / 1000).toFixed(1)} s
(${(backfill / Math.max(1, entered)).toFixed(2)} ms each, including three passes over all ${SIZE.toLocaleString('en')} orders to find them — until one finds none, and one after the status repair — and that repair).
It runs once per database, in the background after start; the list reads the old way until it finishes.
`;
  writeSection('## Console order list', section);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

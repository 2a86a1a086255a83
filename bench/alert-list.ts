// The console's alert list (`/admin/alerts`, `GET /api/admin/alerts`) at a size: `bun bench/alert-list.ts`
// (BENCH_ALERT_LIST_SIZE, default 100000 alerts over 30 days; every 100th failed, the rest sent).
// Times the list by hour against the one sorted read every earlier version ran, and the backfill of
// alerts an earlier version stored. Writes its section of docs/benchmarks.md.
import os from 'node:os';
import { SQL } from 'bun';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo, mongoRepositories } from '../src/adapters/mongo';
import type { AlertState } from '../src/domain/alert';
import { hourOf } from '../src/domain/figures';
import type { Page } from '../src/domain/ports';
import { alertClones, enterAlertHours, makeAlertTemplates } from './alert-store';
import { growExtras, Tables } from './clones';
import { timed, timedCells, writeSection } from './grown-store';
import { cleanup, onCleanup, startDb } from './processes';

const SIZE = Number(process.env.BENCH_ALERT_LIST_SIZE ?? 100_000);
/** Alerts stored as an earlier version did (the oldest days), for the backfill's timing. */
const UNENTERED_DAYS = 3;
const RUNS = 5;
/** The console's page: LIST_SIZE (src/app/console/view.ts) rows and one more, to know of a next page. */
const PAGE = 21;

async function main() {
  const started = performance.now();
  const nowHour = hourOf(new Date());
  const db = await startDb();
  const mongoUri = `${db.mongoUri}/bench_alert_list`;
  await prepareDatabase(mongoUri, db.postgresUrl);
  const conn = await connectMongo(mongoUri);
  onCleanup(() => conn.close());
  await makeAlertTemplates(mongoRepositories(conn).alertOutbox, new Date());
  const sql = new SQL(db.postgresUrl, { max: 1 });
  onCleanup(() => sql.close());
  console.error(`growing alerts to ${SIZE}…`);
  const load = await timed(async () => {
    await growExtras(new Tables(sql, conn.db!.databaseName), [alertClones(nowHour)], SIZE);
    await enterAlertHours(conn, SIZE, nowHour);
  });

  const cases: [string, AlertState | undefined, Page][] = [
    ['all, page 1', undefined, { skip: 0, limit: PAGE }],
    ['all, page 51', undefined, { skip: 50 * (PAGE - 1), limit: PAGE }],
    ['API, skip 1000', undefined, { skip: 1000, limit: 50 }],
    ['sent, page 1', 'sent', { skip: 0, limit: PAGE }],
    ['failed (1 in 100), page 1', 'failed', { skip: 0, limit: PAGE }],
    ['pending (none), page 1', 'pending', { skip: 0, limit: PAGE }],
  ];
  const measure = (runs: number) => {
    const outbox = mongoRepositories(conn).alertOutbox; // a new adapter: it asks whether the directory is complete
    return timedCells(
      runs,
      cases.map(
        ([, state, page]) =>
          () =>
            outbox.list(state ? { state } : {}, page),
      ),
    );
  };
  console.error('by hour…');
  const byHour = await measure(RUNS);
  // As before the directory: the store reads one sorted query until its backfill has finished.
  await conn.db!.collection('alert_days').deleteOne({ _id: 'stored-alerts-entered' as never });
  console.error('one sorted read…');
  const sorted = await measure(1);

  // The backfill: the oldest days' alerts lose raised_hour, as an earlier version stored them.
  const unentered = await conn
    .db!.collection('alerts')
    .updateMany(
      { raised_hour: { $lt: nowHour - 720 + 24 * UNENTERED_DAYS } as never },
      { $unset: { raised_hour: '' } },
    );
  console.error(`backfilling ${unentered.modifiedCount} alerts…`);
  let entered = 0;
  const backfill = await timed(async () => {
    const ran = await mongoRepositories(conn).alertOutbox.backfillList?.(() => false);
    if (!ran?.finished) throw new Error(`backfill did not finish: ${JSON.stringify(ran)}`);
    entered = ran.entered;
  });

  const rows = cases.map(([name], i) => `| ${name} | ${byHour[i]} | ${sorted[i]} |`).join('\n');
  const section = `## Console alert list

Run on ${new Date().toISOString()} · nproc ${os.cpus().length} · FerretDB 1.24.2 on PostgreSQL · \`bun bench/alert-list.ts\` · took ${((performance.now() - started) / 1000).toFixed(0)} s.

${SIZE.toLocaleString('en')} alerts raised over 30 days by hour (about ${Math.round(SIZE / 720)} an hour; every 100th failed to send,
the rest sent), loaded in ${(load / 1000).toFixed(0)} s. \`AlertOutbox.list\` as the console page (${PAGE} rows: a page and one more)
and \`GET /api/admin/alerts\` call it, ms:

| list | by hour (p50 / max of ${RUNS}) | one sorted read (1 run) |
|---|--:|--:|
${rows}

"One sorted read" is \`find(state ? {state} : {}).sort({raised_at: -1}).skip().limit()\`: what every
earlier version ran, and what the store still runs until its backfill has entered the alerts stored
before the hour directory. By hour, a page reads the directory (one equality read per day, one per
day visited) and then one hour of alerts at a time. \`pending\` and \`suppressed\` stay one equality
read on \`state\`: alerts leave them within minutes (a day at most while the webhook fails).

Backfill: ${entered.toLocaleString('en')} alerts without \`raised_hour\` (the oldest ${UNENTERED_DAYS} days) entered in ${(backfill / 1000).toFixed(1)} s,
including two passes over all ${SIZE.toLocaleString('en')} alerts to find them (until one finds none). It runs in the
background after start, again every 10 minutes while alerts of the earlier version are still being delivered.
`;
  writeSection('## Console alert list', section);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

// What the console benches share: a database of their own grown to a size, a timer, and the
// rewrite of their section of docs/benchmarks.md.
import fs from 'node:fs';
import type { Connection } from 'mongoose';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { HourDirectory } from '../src/adapters/mongo/hour-directory';
import { DOC } from './config';
import { Dataset } from './dataset';
import { percentile } from './load';
import { startDb } from './processes';

/** PostgreSQL + FerretDB with database `name` grown to `size` documents per collection; `data` is open. */
export async function grownStore(name: string, size: number, nowHour: number) {
  const db = await startDb();
  const mongoUri = `${db.mongoUri}/${name}`;
  await prepareDatabase(mongoUri, db.postgresUrl);
  const conn = await connectMongo(mongoUri);
  const data = await Dataset.create(conn, db.postgresUrl, size, nowHour);
  await conn.close();
  console.error(`growing to ${size} documents per collection…`);
  const load = await data.growTo(size);
  return { mongoUri, data, load };
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Times each job `runs` times: "p50 / max" in ms for each (the one time when `runs` is 1). */
export async function timedCells(runs: number, jobs: readonly (() => Promise<unknown>)[]): Promise<string[]> {
  const out: string[] = [];
  for (const job of jobs) {
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) ms.push(await timed(job));
    ms.sort((a, b) => a - b);
    out.push(
      runs > 1 ? `${percentile(ms, 50).toFixed(0)} / ${Math.max(...ms).toFixed(0)}` : ms[0]!.toFixed(0),
    );
  }
  return out;
}

/** Replaces the section that starts with `heading` (or inserts it before "## Scale results"). */
export function writeSection(heading: string, section: string): void {
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = doc.indexOf(heading);
  const next = doc.indexOf('## Scale results');
  const updated =
    start >= 0
      ? `${doc.slice(0, start) + section}\n${doc.slice(doc.indexOf('\n## ', start + 5) + 1)}`
      : `${doc.slice(0, next) + section}\n${doc.slice(next)}`;
  fs.writeFileSync(DOC, updated);
  console.log(section);
}

/**
 * Makes the data set's orders a shop's mix — every 5th cancelled, every 997th refunded, every 3rd at
 * ¥19.90 — and writes the order list's directory (hour-directory.ts) those orders would have written.
 */
export async function varyOrders(
  data: Dataset,
  conn: Connection,
  size: number,
  nowHour: number,
): Promise<void> {
  const id = `(_jsonb->>'_id')::int`;
  const set = (field: string, json: string, every: number) =>
    data.onTable(
      'orders',
      `UPDATE $table SET _jsonb = jsonb_set(_jsonb, '{${field}}', '${json}') WHERE ${id} % ${every} = 0`,
    );
  await set('status', '"cancelled"', 5);
  await set('status', '"refunded"', 997);
  await set('amount_fen', '1990', 3);
  await data.onTable('orders', 'ANALYZE $table');
  const hours = new HourDirectory(conn, 'order');
  const entries = new Map<number, Set<string>>();
  for (let i = 1; i <= size; i++) {
    const status = i % 997 === 0 ? 'refunded' : i % 5 === 0 ? 'cancelled' : 'completed';
    const hour = nowHour - (i % 720);
    const kinds = entries.get(hour) ?? entries.set(hour, new Set(['all'])).get(hour)!;
    kinds.add(`status:${status}`).add(`amount:${i % 3 === 0 ? 1990 : 990}`);
  }
  for (const [hour, kinds] of entries) await hours.note([...kinds], hour);
}

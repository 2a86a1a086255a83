// What the console benches share: a database of their own grown to a size, a timer, and the
// rewrite of their section of docs/benchmarks.md.
import fs from 'node:fs';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo } from '../src/adapters/mongo';
import { DOC } from './config';
import { Dataset } from './dataset';
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

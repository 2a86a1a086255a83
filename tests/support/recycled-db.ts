// Databases with every model's collections and indexes, emptied before each use instead of built
// anew. Building the 41 collections costs FerretDB 0.6–0.9 s of CPU (1.1 s with the GIN indexes);
// emptying them through its PostgreSQL takes about 20 ms (with a real MongoDB, one deleteMany per
// collection, about 60 ms).
import { SQL } from 'bun';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes, mongoRepositories } from '../../src/adapters/mongo';
import { prepareTestDatabase, testMongoUri, testPostgresUrl, uniqueDbName } from './ferret';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Deletes every document of database `name` on our FerretDB, in one round trip: FerretDB keeps a
 * table per collection, listed in its metadata table. Rows only, so its metadata and the indexes
 * (the models' and the GIN ones) stay. Returns false without a PostgreSQL (a real MongoDB).
 */
async function emptyOnFerret(name: string): Promise<boolean> {
  const postgres = await testPostgresUrl();
  if (!postgres) return false;
  const sql = new SQL(postgres, { max: 1 });
  try {
    const rows = (await sql.unsafe(
      `SELECT _jsonb->>'table' AS t FROM ${quote(name)}."_ferretdb_database_metadata"`,
    )) as { t: string }[];
    if (rows.length > 0)
      await sql.unsafe(rows.map((r) => `DELETE FROM ${quote(name)}.${quote(r.t)};`).join(''));
  } finally {
    await sql.close();
  }
  return true;
}

export interface RecycledDatabase {
  /**
   * The same `connections` connections each time, every collection empty; the caller makes new
   * adapters over them, so nothing an earlier test's adapters learned carries over.
   */
  take(): Promise<Connection[]>;
  close(): Promise<void>;
}

/** One database for a file's cases that each need an empty one (and one or more processes on it). */
export function recycledDatabase(prefix: string, connections = 1): RecycledDatabase {
  let opened: Promise<{ name: string; conns: Connection[] }> | undefined;
  let used = false;
  const open = async () => {
    const name = uniqueDbName(prefix);
    const uri = await testMongoUri(name);
    const conns = await Promise.all(Array.from({ length: connections }, () => connectMongo(uri)));
    const [first] = conns;
    if (!first) throw new Error('recycled database: at least one connection');
    mongoRepositories(first);
    await ensureIndexes(first);
    return { name, conns };
  };
  return {
    async take() {
      opened ??= open();
      const { name, conns } = await opened;
      if (used && !(await emptyOnFerret(name))) {
        const db = conns[0]?.db;
        if (!db) throw new Error('recycled database: no connection');
        const names = await db.listCollections({}, { nameOnly: true }).toArray();
        await Promise.all(names.map((c) => db.collection(c.name).deleteMany({})));
      }
      used = true;
      return conns;
    },
    async close() {
      const db = await opened;
      opened = undefined;
      await Promise.all(db?.conns.map((c) => c.close()) ?? []);
    },
  };
}

/** Names of prepared databases on our FerretDB that no stack uses any more. */
const idle: string[] = [];

/**
 * An empty database prepared as `npm start` prepares one (the models' indexes, then the GIN
 * indexes): one a stopped stack gave back, emptied, or a new one. `release` gives it back once
 * nothing writes to it any more; with a real MongoDB every call makes a new one.
 */
export async function preparedDatabase(prefix: string): Promise<{ uri: string; release(): void }> {
  let name = idle.pop();
  if (name === undefined || !(await emptyOnFerret(name))) {
    name = uniqueDbName(prefix);
    await prepareTestDatabase(await testMongoUri(name));
  }
  const taken = name;
  return {
    uri: await testMongoUri(taken),
    release: () => {
      if (!process.env.TEST_MONGODB_URI) idle.push(taken);
    },
  };
}

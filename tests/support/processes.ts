import { afterAll, beforeAll } from 'bun:test';
import mongoose, { type Connection } from 'mongoose';
import { connectMongo, ensureIndexes } from '../../src/adapters/mongo';
import { testMongoUri, uniqueDbName } from './ferret';

/**
 * One database and any number of "processes" over it: each `open()` is a new connection with a new
 * adapter from `make`, knowing nothing another one learned (what a second API instance would be).
 * Registers its own beforeAll (database and indexes) and afterAll (every connection closed).
 */
export function processesOverOneDatabase<T>(prefix: string, make: (conn: Connection) => T) {
  const connections: Connection[] = [];
  let uri = '';
  beforeAll(async () => {
    uri = await testMongoUri(uniqueDbName(prefix));
    const first = await connectMongo(uri);
    connections.push(first);
    make(first); // registers the adapter's models, so their indexes exist before any test
    await ensureIndexes(first);
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });
  return {
    open: async (): Promise<T> => {
      const conn = await connectMongo(uri);
      connections.push(conn);
      return make(conn);
    },
    /**
     * Runs `fn` on a new process whose commands are recorded as they start: `started('find')` is the
     * live list of its `find` commands. The process is closed afterwards.
     */
    watched: async <R>(
      fn: (adapter: T, started: (name: string) => Record<string, unknown>[]) => Promise<R>,
    ) => {
      const conn = mongoose.createConnection(uri, { monitorCommands: true, sanitizeFilter: true });
      const byName = new Map<string, Record<string, unknown>[]>();
      const started = (name: string) => byName.get(name) ?? byName.set(name, []).get(name)!;
      try {
        await conn.asPromise();
        conn.getClient().on('commandStarted', (e) => started(e.commandName).push(e.command));
        return { result: await fn(make(conn), started), started };
      } finally {
        await conn.close();
      }
    },
    /** The database's URI, for a connection of the test's own. */
    uri: () => uri,
    /** The raw database, for what only a test writes or inspects. */
    db: () => {
      const db = connections[0]?.db;
      if (!db) throw new Error('the database is not open yet (use it inside a test)');
      return db;
    },
  };
}

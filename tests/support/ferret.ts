// One local database (PostgreSQL + FerretDB, as `npm start` runs it) per test process, shared by
// every test file (bun test runs them all in one process); each file isolates itself with its own
// database from uniqueDbName().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Database, startDatabase } from '../../scripts/database';
import { freePort } from '../../scripts/net';
import { prepareDatabase } from '../../scripts/search-indexes';

let server: Promise<Database> | undefined;
let cleanup: (() => void) | undefined;

async function startTestServer(): Promise<Database> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testdb-'));
  fs.chmodSync(dataDir, 0o711); // mkdtemp makes it 0700; as root, PostgreSQL runs as `postgres`
  let lastError: unknown;
  // freePort() can lose a race with another process before a server binds, so retry a little.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const db = await startDatabase({
        dataDir: path.join(dataDir, String(attempt)),
        ferretPort: await freePort(),
        postgresPort: await freePort(),
        durable: false,
      });
      // Synchronous on purpose so it also works from 'exit' and signal handlers; the data is
      // thrown away, so there is nothing to stop gracefully.
      cleanup = () => {
        for (const pid of [db.ferret.pid, db.postgres.pid]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
      return db;
    } catch (error) {
      lastError = error;
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  throw lastError;
}

/**
 * Kills the shared server and deletes its data. preload.ts runs it in a global afterAll, because
 * bun test (1.4) fires neither 'exit' nor 'beforeExit'; the handlers below cover other runners.
 */
export function stopTestServer(): void {
  cleanup?.();
  cleanup = undefined;
  server = undefined;
}

process.once('exit', stopTestServer);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopTestServer();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/** Replaces the database (path) of a MongoDB URI, keeping hosts and options; works for seed lists. */
function withDatabase(uri: string, dbName: string): string {
  const [base = '', query] = uri.split('?', 2);
  const slash = base.indexOf('/', base.indexOf('://') + 3);
  const hosts = slash === -1 ? base : base.slice(0, slash);
  return `${hosts}/${dbName}${query ? `?${query}` : ''}`;
}

/**
 * A URI for `dbName` on the shared test server: TEST_MONGODB_URI when set (a real MongoDB),
 * otherwise FerretDB on PostgreSQL, started on first use on free ports with a temporary folder.
 */
export async function testMongoUri(dbName: string): Promise<string> {
  const external = process.env.TEST_MONGODB_URI;
  if (external) return withDatabase(external, dbName);
  server ??= startTestServer();
  return withDatabase((await server).mongoUri, dbName);
}

/** FerretDB's PostgreSQL database on the shared test server; null with TEST_MONGODB_URI. */
export async function testPostgresUrl(): Promise<string | null> {
  if (process.env.TEST_MONGODB_URI) return null;
  server ??= startTestServer();
  return (await server).postgresUrl;
}

/**
 * The database set-up `npm start` does: the models' indexes, then (on our FerretDB) the GIN indexes
 * that serve its equality filters. With a real MongoDB only the former.
 */
export async function prepareTestDatabase(mongoUri: string): Promise<void> {
  const postgresUrl = await testPostgresUrl();
  if (postgresUrl) await prepareDatabase(mongoUri, postgresUrl);
}

/**
 * `prefix` plus a random suffix, limited to [a-z0-9_] and 38 characters. FerretDB itself allows
 * [a-zA-Z0-9_-]{1,63} (no `_ferretdb_` prefix); 38 stays valid on every MongoDB deployment too.
 */
export function uniqueDbName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .replace(/^_+/, '') || 'test';
  const suffix = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `${clean.slice(0, 38 - suffix.length - 1)}_${suffix}`;
}

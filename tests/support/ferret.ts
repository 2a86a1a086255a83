// One local database (PostgreSQL + FerretDB, as `npm start` runs it) shared by every test file;
// each file isolates itself with its own database from uniqueDbName(). `npm test` starts it once
// for all its worker processes and hands it over in TEST_FERRETDB_URI / TEST_FERRETDB_POSTGRES_URL;
// a bare `bun test` starts one in its own process on first use.
import { type Database, startThrowawayDatabase } from '../../scripts/database';
import { prepareDatabase } from '../../scripts/search-indexes';

type Server = Pick<Database, 'mongoUri' | 'postgresUrl'>;
let server: Promise<Server> | undefined;
let cleanup: (() => void) | undefined;

function sharedServer(): Promise<Server> {
  const [mongoUri, postgresUrl] = [process.env.TEST_FERRETDB_URI, process.env.TEST_FERRETDB_POSTGRES_URL];
  if (mongoUri && postgresUrl) return Promise.resolve({ mongoUri, postgresUrl });
  return startThrowawayDatabase().then(({ db, discard }) => {
    cleanup = discard;
    return db;
  });
}

/**
 * Kills the server this process started, if any, and deletes its data. preload.ts runs it in a
 * global afterAll: with one bun test process that is after the last file; in a worker of
 * `bun test --parallel` after every file, which is why npm test starts the server itself. bun test
 * (1.4) fires neither 'exit' nor 'beforeExit'; the handlers below cover other runners.
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
  server ??= sharedServer();
  return withDatabase((await server).mongoUri, dbName);
}

/** FerretDB's PostgreSQL database on the shared test server; null with TEST_MONGODB_URI. */
export async function testPostgresUrl(): Promise<string | null> {
  if (process.env.TEST_MONGODB_URI) return null;
  server ??= sharedServer();
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

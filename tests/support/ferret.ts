// One FerretDB per test process, shared by every test file (bun test runs them all in one
// process); each file isolates itself with its own database from uniqueDbName().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFerret, startFerret } from '../../scripts/ferretdb';
import { freePort } from '../../scripts/net';

let server: Promise<string> | undefined;
let cleanup: (() => void) | undefined;

async function startTestServer(): Promise<string> {
  buildFerret(); // instant when built; `npm test` builds before the test timeouts start ticking
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferret-'));
  let lastError: unknown;
  // freePort() can lose a race with another process before FerretDB binds, so retry a little.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const ferret = await startFerret({ port: await freePort(), dataDir });
      // Synchronous on purpose so it also works from 'exit' and signal handlers; the data is
      // thrown away, so there is nothing to stop gracefully.
      cleanup = () => {
        try {
          process.kill(ferret.pid, 'SIGKILL');
        } catch {}
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
      return ferret.uri;
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
 * otherwise a FerretDB started on first use on a free port with a temporary data folder.
 */
export async function testMongoUri(dbName: string): Promise<string> {
  const external = process.env.TEST_MONGODB_URI;
  if (external) return withDatabase(external, dbName);
  server ??= startTestServer();
  return withDatabase(await server, dbName);
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

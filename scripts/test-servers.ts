// What the test suites need before any test runs, for `npm test` (scripts/test.ts) and for
// `bun bench/suite-cpu.ts --per-file`, which runs the same files one by one.
import { ensureChromium } from './chromium';
import { startThrowawayDatabase } from './database';
import { buildFerret } from './ferretdb';
import { ensurePostgres } from './postgres';

/**
 * With TEST_MONGODB_URI the tests use that server and no database is started (tests/support/ferret.ts).
 * Otherwise FerretDB is built and PostgreSQL installed now, before any test timeout starts ticking,
 * and one throw-away PostgreSQL + FerretDB is started for every test process. `env` holds what the
 * tests read (that database, and Chromium for the browser tests); `discard` stops the database.
 */
export async function startTestServers(): Promise<{ env: Record<string, string>; discard(): void }> {
  const env: Record<string, string> = {};
  let discard = () => {};
  if (!process.env.TEST_MONGODB_URI) {
    buildFerret();
    ensurePostgres();
    const started = await startThrowawayDatabase();
    discard = started.discard;
    env.TEST_FERRETDB_URI = started.db.mongoUri;
    env.TEST_FERRETDB_POSTGRES_URL = started.db.postgresUrl;
  }
  // playwright-core brings no browser; the browser tests read this variable.
  env.CHROMIUM_PATH = await ensureChromium();
  return { env, discard };
}

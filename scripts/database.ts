// The local database: PostgreSQL (the data) + FerretDB (the MongoDB protocol in front of it), started
// and stopped as one. Used by `npm start` (durable, in $DATA_DIR) and by the tests (throw-away).
// CLI: bun scripts/database.ts start|stop|status|indexes
//      DATA_DIR (.data), FERRETDB_PORT (27017), POSTGRES_PORT (54320), DATABASE_NAME (credits_store)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFerret, type Ferret, ROOT, startFerret } from './ferretdb';
import { freePort } from './net';
import { ensureDatabase, type Postgres, startPostgres } from './postgres';
import { commandLine, isAlive, terminate } from './proc';
import { prepareDatabase } from './search-indexes';

/** FerretDB keeps every MongoDB database as a schema of this one PostgreSQL database. */
export const FERRET_PG_DATABASE = 'ferretdb';

export interface Database {
  /** mongodb://host:port, without a database name. */
  readonly mongoUri: string;
  /** postgres://… of the database FerretDB writes to (for the GIN indexes and EXPLAIN). */
  readonly postgresUrl: string;
  readonly ferret: Ferret;
  readonly postgres: Postgres;
  /** Settles when either process exits on its own. */
  readonly exited: Promise<string>;
  /** FerretDB first (it holds PostgreSQL connections), then PostgreSQL. */
  stop(): Promise<void>;
}

export interface DatabaseOptions {
  dataDir: string;
  ferretPort: number;
  postgresPort: number;
  durable: boolean;
  /** Server logs go here (postgres.log, ferretdb.log); otherwise they are kept for error messages. */
  logDir?: string;
  detached?: boolean;
  postgresSettings?: Record<string, string>;
}

export async function startDatabase(o: DatabaseOptions): Promise<Database> {
  buildFerret();
  const log = (name: string) => (o.logDir ? path.join(o.logDir, name) : undefined);
  if (o.logDir) fs.mkdirSync(o.logDir, { recursive: true });
  const postgres = await startPostgres({
    port: o.postgresPort,
    dataDir: path.join(o.dataDir, 'postgres'),
    durable: o.durable,
    logFile: log('postgres.log'),
    detached: o.detached,
    settings: o.postgresSettings,
  });
  let ferret: Ferret;
  try {
    await ensureDatabase(postgres, FERRET_PG_DATABASE);
    ferret = await startFerret({
      port: o.ferretPort,
      stateDir: path.join(o.dataDir, 'ferretdb'),
      postgresUrl: postgres.url(FERRET_PG_DATABASE),
      logFile: log('ferretdb.log'),
      detached: o.detached,
    });
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  return {
    mongoUri: ferret.uri,
    postgresUrl: postgres.url(FERRET_PG_DATABASE),
    ferret,
    postgres,
    exited: Promise.race([
      ferret.exited.then((code) => `FerretDB exited (code ${code})`),
      postgres.exited.then((code) => `PostgreSQL exited (code ${code})`),
    ]),
    async stop() {
      await ferret.stop();
      await postgres.stop();
    },
  };
}

// ---- the tests' throw-away database ----

/**
 * A pair in a new temporary folder on free ports, without fsync: what the tests write is thrown
 * away. `discard` kills both and deletes the folder; it is synchronous so that it also works from
 * 'exit' and signal handlers.
 */
export async function startThrowawayDatabase(): Promise<{ db: Database; discard(): void }> {
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
      const discard = () => {
        for (const pid of [db.ferret.pid, db.postgres.pid]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
      return { db, discard };
    } catch (error) {
      lastError = error;
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  throw lastError;
}

// ---- the development database of `npm start` and the CLI ----

/** Pid files and server logs live beside the data, so two DATA_DIRs never mix their servers up. */
export const runDir = (s: DevSettings) => path.join(s.dataDir, 'run');
const pidFiles = (s: DevSettings) => ({
  ferretdb: path.join(runDir(s), 'ferretdb.pid'),
  postgres: path.join(runDir(s), 'postgres.pid'),
});

export interface DevSettings {
  dataDir: string;
  ferretPort: number;
  postgresPort: number;
  databaseName: string;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name}=${raw} is not a TCP port`);
  return value;
}

export function devSettings(env = process.env): DevSettings {
  const databaseName = env.DATABASE_NAME ?? 'credits_store';
  if (!/^[a-zA-Z0-9_-]{1,63}$/.test(databaseName))
    throw new Error(`DATABASE_NAME=${databaseName}: use 1-63 of [a-zA-Z0-9_-]`);
  return {
    dataDir: path.resolve(ROOT, env.DATA_DIR ?? '.data'),
    ferretPort: port('FERRETDB_PORT', 27017),
    postgresPort: port('POSTGRES_PORT', 54320),
    databaseName,
  };
}

const devUrls = (s: DevSettings) => ({
  mongoUri: `mongodb://127.0.0.1:${s.ferretPort}/${s.databaseName}`,
  postgresUrl: `postgres://postgres@127.0.0.1:${s.postgresPort}/${FERRET_PG_DATABASE}`,
});

function pidFrom(file: string, mustContain: string): number | undefined {
  const pid = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : 0;
  if (!pid || !isAlive(pid)) return undefined;
  return commandLine(pid).includes(mustContain) ? pid : undefined;
}

/** The pids of a development database started earlier (CLI or a killed `npm start`), if still up. */
export function runningDevDatabase(s: DevSettings): { ferretdb?: number; postgres?: number } {
  return {
    ferretdb: pidFrom(pidFiles(s).ferretdb, `127.0.0.1:${s.ferretPort}`),
    postgres: pidFrom(pidFiles(s).postgres, String(s.postgresPort)),
  };
}

/** Starts the development database: durable data, pid files and logs in DATA_DIR. */
export async function startDevDatabase(s: DevSettings): Promise<Database> {
  const files = pidFiles(s);
  fs.mkdirSync(runDir(s), { recursive: true });
  const db = await startDatabase({
    dataDir: s.dataDir,
    ferretPort: s.ferretPort,
    postgresPort: s.postgresPort,
    durable: true,
    logDir: runDir(s),
    // Own process groups: a terminal's Ctrl-C reaches `npm start` first, which stops them in order.
    detached: true,
  });
  fs.writeFileSync(files.ferretdb, `${db.ferret.pid}\n`);
  fs.writeFileSync(files.postgres, `${db.postgres.pid}\n`);
  void db.ferret.exited.then(() => fs.rmSync(files.ferretdb, { force: true }));
  void db.postgres.exited.then(() => fs.rmSync(files.postgres, { force: true }));
  return db;
}

export async function stopDevDatabase(s: DevSettings): Promise<boolean> {
  const { ferretdb, postgres } = runningDevDatabase(s);
  if (ferretdb) await terminate(ferretdb);
  // SIGINT = PostgreSQL's fast shutdown; terminate() would send SIGTERM, which waits for clients.
  if (postgres) {
    process.kill(postgres, 'SIGINT');
    for (let i = 0; i < 200 && isAlive(postgres); i++) await Bun.sleep(50);
    if (isAlive(postgres)) process.kill(postgres, 'SIGKILL');
  }
  for (const file of Object.values(pidFiles(s))) fs.rmSync(file, { force: true });
  return Boolean(ferretdb || postgres);
}

/** Builds the models' indexes and the GIN indexes of the development database. */
export async function prepareDevDatabase(s: DevSettings): Promise<string[]> {
  const { mongoUri, postgresUrl } = devUrls(s);
  return prepareDatabase(mongoUri, postgresUrl);
}

export { devUrls };

async function cli(command: string | undefined): Promise<number> {
  const s = devSettings();
  const { mongoUri } = devUrls(s);
  const running = runningDevDatabase(s);
  switch (command) {
    case 'start': {
      if (running.ferretdb && running.postgres) {
        console.log(`already running: ${mongoUri}`);
        return 0;
      }
      if (running.ferretdb || running.postgres) await stopDevDatabase(s); // half of a killed run
      await startDevDatabase(s);
      const created = await prepareDevDatabase(s);
      console.log(
        `started: ${mongoUri} (PostgreSQL on ${s.postgresPort}, data in ${s.dataDir}); ${created.length} indexes created`,
      );
      process.exit(0); // leave the detached servers running
      return 0;
    }
    case 'stop':
      console.log((await stopDevDatabase(s)) ? 'stopped' : 'was not running');
      return 0;
    case 'status':
      console.log(
        `FerretDB: ${running.ferretdb ? `pid ${running.ferretdb}, ${mongoUri}` : 'not running'}; PostgreSQL: ${running.postgres ? `pid ${running.postgres}, port ${s.postgresPort}` : 'not running'}`,
      );
      return running.ferretdb && running.postgres ? 0 : 3; // 3 = "not running", as in LSB init scripts
    case 'indexes': {
      const created = await prepareDevDatabase(s);
      console.log(created.length ? `created: ${created.join(', ')}` : 'all indexes already exist');
      return 0;
    }
    default:
      console.error('usage: bun scripts/database.ts start|stop|status|indexes');
      return 2;
  }
}

if (import.meta.main) {
  cli(process.argv[2]).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}

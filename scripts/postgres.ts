// A PostgreSQL cluster of the project's own, the storage under FerretDB: found on the machine,
// installed from Debian's `postgresql` package when missing, initialised into a folder of ours and
// run as the `postgres` OS user when we are root (PostgreSQL refuses to run as root).
import fs from 'node:fs';
import path from 'node:path';
import { SQL } from 'bun';
import { isPortOpen, waitForPort } from './net';
import { spawnServer } from './proc';

export interface Postgres {
  port: number;
  pid: number;
  /** A URL for `database` on this cluster as the superuser (trust auth, loopback only). */
  url(database: string): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  port: number;
  dataDir: string;
  logFile?: string;
  detached?: boolean;
  /**
   * false for throw-away test clusters: no fsync, so a test run does not wait on the disk. A crash
   * may then corrupt the cluster, which is fine for data deleted afterwards and never for `npm start`.
   */
  durable: boolean;
  /** Extra `-c name=value` server settings (the EXPLAIN test loads auto_explain this way). */
  settings?: Record<string, string>;
}

export const SUPERUSER = 'postgres';
const MIN_MAJOR = 13;

function majorOf(binDir: string): number {
  const out = Bun.spawnSync([path.join(binDir, 'postgres'), '--version'], { stdout: 'pipe' });
  return Number(/(\d+)(\.\d+)?/.exec(out.stdout.toString())?.[1] ?? 0);
}

/** Folders that may hold `initdb` and `postgres`, best first. */
function candidateBinDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.POSTGRES_BIN_DIR) dirs.push(process.env.POSTGRES_BIN_DIR);
  // Debian/Ubuntu keep the server outside PATH, one folder per major version.
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter((v) => /^\d+$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const pgConfig = Bun.which('pg_config');
  if (pgConfig) {
    const out = Bun.spawnSync([pgConfig, '--bindir'], { stdout: 'pipe' });
    if (out.exitCode === 0) dirs.push(out.stdout.toString().trim());
  }
  const initdb = Bun.which('initdb'); // Homebrew and most other systems put it on PATH
  if (initdb) dirs.push(path.dirname(fs.realpathSync(initdb)));
  return dirs;
}

function findBinDir(): string | undefined {
  return candidateBinDirs().find(
    (dir) =>
      fs.existsSync(path.join(dir, 'initdb')) &&
      fs.existsSync(path.join(dir, 'postgres')) &&
      majorOf(dir) >= MIN_MAJOR,
  );
}

function sh(cmd: string[]): void {
  const result = Bun.spawnSync(cmd, {
    stdout: 'inherit',
    stderr: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.exitCode !== 0) throw new Error(`\`${cmd.join(' ')}\` failed (exit ${result.exitCode})`);
}

/** The folder with `initdb` and `postgres` (>= 13), installing Debian's `postgresql` when missing. */
export function ensurePostgres(): string {
  const found = findBinDir();
  if (found) return found;
  if (process.env.POSTGRES_BIN_DIR)
    throw new Error(
      `POSTGRES_BIN_DIR=${process.env.POSTGRES_BIN_DIR} holds no initdb/postgres >= ${MIN_MAJOR}`,
    );
  if (!Bun.which('apt-get')) {
    const hint =
      process.platform === 'darwin'
        ? 'brew install postgresql@15 && brew link postgresql@15'
        : "your system's PostgreSQL server package (>= 13)";
    throw new Error(
      `PostgreSQL (initdb, postgres) was not found. Install it: ${hint}; or set POSTGRES_BIN_DIR, or MONGODB_URI to use a database of your own.`,
    );
  }
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !Bun.which('sudo'))
    throw new Error('PostgreSQL is missing; installing it needs root or sudo');
  const asRoot = isRoot ? [] : ['sudo'];
  console.error('Installing PostgreSQL with apt-get (the storage under FerretDB)…');
  sh([...asRoot, 'apt-get', 'update']);
  sh([...asRoot, 'apt-get', 'install', '-y', '--no-install-recommends', 'postgresql']);
  const installed = findBinDir();
  if (!installed) throw new Error('apt-get installed postgresql but initdb/postgres are still missing');
  return installed;
}

/** As root, the uid/gid of the `postgres` OS user that owns and runs the cluster; otherwise null. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Bun.spawnSync(['id', flag, SUPERUSER], { stdout: 'pipe' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.exitCode !== 0)
    throw new Error(
      `running as root, and PostgreSQL refuses to run as root: create the OS user "${SUPERUSER}" (Debian's postgresql package does) or run as a normal user`,
    );
  return { uid: Number(uid.stdout.toString()), gid: Number(gid.stdout.toString()) };
}

/** Prefix that runs a command as `user` (setpriv execs in place, so the pid we hold is the server's). */
function runAs(user: { uid: number; gid: number } | null): string[] {
  if (!user) return [];
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
}

/** The server must be able to reach its folder: every parent has to be searchable by it. */
function checkReachable(dir: string, user: { uid: number; gid: number }): void {
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const searchable =
      st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!searchable)
      throw new Error(
        `the postgres user cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}); choose another DATA_DIR`,
      );
    if (d === path.dirname(d)) return;
  }
}

/** initdb into `dataDir` unless a cluster is already there. */
export function initCluster(binDir: string, dataDir: string, durable: boolean): void {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const user = serverUser();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) {
    // The folder holding the cluster is ours (DATA_DIR or a test's temporary folder): let the
    // postgres user pass through it (search only, it cannot list it).
    const parent = path.dirname(path.resolve(dataDir));
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o111);
    checkReachable(dataDir, user);
    fs.chownSync(dataDir, user.uid, user.gid);
  }
  const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C'];
  if (!durable) args.push('--no-sync');
  const result = Bun.spawnSync([...runAs(user), path.join(binDir, 'initdb'), ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (result.exitCode !== 0)
    throw new Error(`initdb failed (exit ${result.exitCode}):\n${result.stderr.toString()}`);
}

async function waitUntilAccepting(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  // The port opens before recovery ends ("the database system is starting up"): ask until it answers.
  while (Date.now() < deadline && alive()) {
    const sql = new SQL(url, { max: 1, connectionTimeout: 2 });
    try {
      await sql`SELECT 1`;
      return;
    } catch (error) {
      last = error;
      await Bun.sleep(100);
    } finally {
      await sql.close();
    }
  }
  throw new Error(
    `PostgreSQL did not accept queries: ${last instanceof Error ? last.message : 'process exited'}`,
  );
}

/** Creates `database` unless it exists (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(pg: Postgres, database: string): Promise<void> {
  const sql = new SQL(pg.url('postgres'), { max: 1 });
  try {
    const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (rows.length === 0) await sql.unsafe(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await sql.close();
  }
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const { port, dataDir } = options;
  if (await isPortOpen(port)) throw new Error(`cannot start PostgreSQL: port ${port} is already in use`);
  const binDir = ensurePostgres();
  initCluster(binDir, dataDir, options.durable);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // TCP only: the default socket folder may not exist or be writable
    // FerretDB sends each field name as a bind parameter; only a custom plan sees the constant and
    // can match our `(_jsonb->'field')` GIN indexes, so never let PostgreSQL switch to a generic plan.
    plan_cache_mode: 'force_custom_plan',
    max_connections: '200',
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const server = spawnServer({
    command: [...runAs(serverUser()), path.join(binDir, 'postgres'), ...args],
    logFile: options.logFile,
    detached: options.detached,
    // SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions (SIGTERM would wait for them).
    stopSignal: 'SIGINT',
    graceMs: 10_000,
  });
  const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  try {
    await waitForPort(port, 30_000, server.alive);
    await waitUntilAccepting(url('postgres'), 30_000, server.alive);
  } catch (error) {
    await server.stop();
    throw new Error(
      `PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${server.logTail()}`,
    );
  }
  return { port, pid: server.pid, url, exited: server.exited, stop: server.stop };
}

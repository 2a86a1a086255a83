// The shared part of `bun run operator:create` and `bun run operator:password`: arguments, the
// password from stdin (prompted without echo on a terminal), and the database `npm start` would use.
import { spawnSync } from 'node:child_process';
import { readSync } from 'node:fs';
import { connectMongo, ensureIndexes, mongoRepositories } from '../src/adapters/mongo';
import { systemClock } from '../src/adapters/system/clock';
import { argon2Hasher } from '../src/adapters/system/password';
import { cryptoRandom } from '../src/adapters/system/random';
import type { OperatorDeps } from '../src/domain/operators/deps';
import type { Acting } from '../src/domain/operators/manage';
import { devSettings, devUrls, runningDevDatabase } from './database';

/**
 * `--name value` or `--name=value`, and bare `--flag` for the names in `flags` ("true"); unknown
 * arguments are an error (a typo must not be ignored).
 */
export function parseArgs(
  argv: readonly string[],
  allowed: readonly string[],
  flags: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1];
    if (!m || !name || !(allowed.includes(name) || flags.includes(name)))
      throw new UsageError(`unknown argument: ${arg}`);
    if (flags.includes(name)) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = 'true';
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export class UsageError extends Error {}

/**
 * MONGODB_URI when set; otherwise the development database of `npm start` / `bun scripts/database.ts
 * start` if it is running (DATA_DIR, FERRETDB_PORT and DATABASE_NAME as there).
 */
export function databaseUri(env = process.env): string {
  if (env.MONGODB_URI) return env.MONGODB_URI;
  const settings = devSettings(env);
  const running = runningDevDatabase(settings);
  if (running.ferretdb && running.postgres) return devUrls(settings).mongoUri;
  // Say where we looked: a database started with another DATA_DIR or port is not found here.
  throw new UsageError(
    `no database: none running in DATA_DIR=${settings.dataDir} (FerretDB port ${settings.ferretPort}); set MONGODB_URI, or start the local one first (\`npm start\` or \`bun scripts/database.ts start\`), or give this command the same DATA_DIR and FERRETDB_PORT as the running one`,
  );
}

/** One line of stdin, read byte by byte so nothing after it is consumed; null at end of input. */
function readLine(): string | null {
  const chunks: Buffer[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let n = 0;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch (e) {
      if ((e as { code?: string }).code === 'EAGAIN') continue;
      throw e;
    }
    if (n === 0) return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
    if (one[0] === 0x0a) return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
    chunks.push(Buffer.from(one));
  }
}

/** Turns the terminal's echo off (or back on) while a password is typed. */
const echo = (on: boolean) =>
  spawnSync('stty', [on ? 'echo' : '-echo'], { stdio: ['inherit', 'ignore', 'ignore'] });

/**
 * The password: the first line of stdin when it is piped; typed twice, without echo, on a terminal.
 */
export function readPassword(): string {
  if (!process.stdin.isTTY) {
    const line = readLine();
    if (line === null || line === '') throw new UsageError('no password on stdin');
    return line;
  }
  echo(false);
  try {
    process.stderr.write('Password: ');
    const first = readLine() ?? '';
    process.stderr.write('\nRepeat password: ');
    const second = readLine() ?? '';
    process.stderr.write('\n');
    if (first !== second) throw new UsageError('the passwords do not match');
    return first;
  } finally {
    echo(true);
  }
}

/** The CLI acts as "cli" in the operator audit log, from the machine's user name. */
export const CLI_ACTING: Acting = {
  actor: { id: null, username: `cli:${process.env.USER ?? 'unknown'}` },
  ip: 'cli',
};

export async function withOperatorDeps<T>(run: (deps: OperatorDeps) => Promise<T>): Promise<T> {
  const conn = await connectMongo(databaseUri(), { serverSelectionTimeoutMS: 5000 });
  try {
    const repos = mongoRepositories(conn);
    await ensureIndexes(conn);
    return await run({
      ...repos,
      passwordHasher: argon2Hasher(),
      clock: systemClock,
      random: cryptoRandom,
      settings: { timeZone: process.env.TZ || 'Asia/Shanghai' },
    });
  } finally {
    await conn.close();
  }
}

/** Runs a CLI: usage and input problems exit 2 and 1 with one line on stderr, no stack trace. */
export function main(run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}

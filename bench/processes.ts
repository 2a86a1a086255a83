// Child processes, the database and the temp dir of a bench run, all torn down by `cleanup()`, also
// on Ctrl-C, so a run never leaves a server or a data folder behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Subprocess } from 'bun';
import { type Database, startDatabase } from '../scripts/database';
import { apiEnv, BENCH_WITHOUT_LIMITS, localUrl, sandboxEnv } from '../scripts/local-env';
import { freePort } from '../scripts/net';
import { CALLBACK_SECRET, ROOT } from './config';

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;

/** Registers teardown work; it runs in reverse order, so later resources go before what they use. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error('cleanup:', error);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
}

// Created on import and registered first, so it is removed last, after the processes writing to it.
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
fs.chmodSync(tmp, 0o711); // mkdtemp makes it 0700; as root, PostgreSQL runs as `postgres`
onCleanup(() => fs.rmSync(tmp, { recursive: true, force: true }));

export function spawn(name: string, entry: string, env: Record<string, string>): Subprocess {
  const log = path.join(tmp, `${name}.log`);
  const proc = Bun.spawn([process.execPath, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    // Straight to a file: reading pipes here would take CPU from the load generator.
    stdout: Bun.file(log),
    stderr: Bun.file(`${log}.err`),
  });
  onCleanup(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
    }
  });
  return proc;
}

function tail(name: string): string {
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  const file = path.join(tmp, `${name}.log`);
  return `${read(file)}${read(`${file}.err`)}`.split('\n').slice(-20).join('\n');
}

/** Waits until `url` + `probePath` answers 2xx; a process that exits first fails with its log tail. */
export async function waitHealthy(
  url: string,
  proc: Subprocess,
  name: string,
  probePath = '/health',
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${tail(name)}`);
    try {
      if ((await fetch(`${url}${probePath}`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`${name} not healthy at ${url} within 20 s:\n${tail(name)}`);
}

/** PostgreSQL + FerretDB as `npm start` runs them (durable), with data in the run's temp folder. */
export async function startDb(): Promise<Database> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const db = await startDatabase({
        dataDir: path.join(tmp, `db${attempt}`),
        ferretPort: await freePort(),
        postgresPort: await freePort(),
        durable: true,
        logDir: path.join(tmp, 'db-logs'),
      });
      onCleanup(() => db.stop());
      return db;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** The sandbox (the gateway and WeChat's API, played locally) on a free port, for APIs to use. */
export async function startSandbox(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  const url = localUrl(port);
  const proc = spawn(
    'sandbox',
    'src/adapters/sandbox/main.ts',
    sandboxEnv({ apiPort: 0, sandboxPort: port, mongoUri: '', callbackSecret: CALLBACK_SECRET }),
  );
  await waitHealthy(url, proc, 'sandbox');
  return { port, url };
}

/**
 * An API process as `npm start` runs it, on a free port, with what every bench turns off: the abuse
 * limits (one load generator on one address is what they stop) and the sweeper (its runs would land
 * in the samples). `dir` is the checkout it runs from; `env` adds or overrides settings.
 */
export async function startApi(
  name: string,
  opts: { mongoUri: string; sandboxPort: number; dir?: string; env?: Record<string, string> },
): Promise<{ url: string; proc: Subprocess }> {
  const apiPort = await freePort();
  const url = localUrl(apiPort);
  const proc = spawn(name, path.join(opts.dir ?? '.', 'src/app/main.ts'), {
    ...apiEnv({
      apiPort,
      sandboxPort: opts.sandboxPort,
      mongoUri: opts.mongoUri,
      callbackSecret: CALLBACK_SECRET,
    }),
    ...BENCH_WITHOUT_LIMITS,
    RECONCILE_INTERVAL_SECONDS: '0',
    ...opts.env,
  });
  await waitHealthy(url, proc, name);
  return { url, proc };
}

/**
 * This checkout, and the one `variable` names when set (another commit's worktree that can reach a
 * node_modules: `git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/`), whose
 * API a bench runs beside ours.
 */
export function checkouts(variable: string): { label: string; dir: string }[] {
  const other = process.env[variable];
  return [
    { label: 'this checkout', dir: '.' },
    ...(other ? [{ label: 'baseline', dir: path.resolve(other) }] : []),
  ];
}

/** Runs a bench's `main`, tears down whatever it started, and exits non-zero when it failed. */
export async function runBench(main: () => Promise<unknown>): Promise<never> {
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    console.error('bench failed:', error);
    exitCode = 1;
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

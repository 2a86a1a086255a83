// `npm start`: the local database (PostgreSQL + FerretDB, unless MONGODB_URI points elsewhere), the
// API and the payment sandbox, stopped together. SIGINT/SIGTERM (or the death of the `npm` that
// started us) stops the API and sandbox first, then the database they write to.
import fs from 'node:fs';
import path from 'node:path';
import type { Subprocess } from 'bun';
import {
  type Database,
  devSettings,
  devUrls,
  prepareDevDatabase,
  runDir,
  runningDevDatabase,
  startDevDatabase,
  stopDevDatabase,
} from './database';
import { ROOT } from './ferretdb';
import { localWechatPay } from './wechatpay-sim';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let database: Database | undefined;
let logDir = '';
let mongoUri = process.env.MONGODB_URI;

const children: { name: string; proc: Subprocess }[] = [];
let stopping = false;
/** Our own database while it starts and is prepared: a stop then waits for it, and stops it. */
let startingDatabase: Promise<unknown> | undefined;

async function stopChild(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await proc.exited;
  clearTimeout(timer);
}

let stopped: Promise<never> | undefined;

/**
 * Stops everything once. A second call (SIGTERM to the whole process group reaches this script and
 * its shell, whose death the parent check then sees) waits for the first instead of exiting at once,
 * which used to leave PostgreSQL and FerretDB running.
 */
function shutdown(exitCode: number): Promise<never> {
  stopping = true;
  stopped ??= (async () => {
    await Promise.all(children.map(({ proc }) => stopChild(proc)));
    await startingDatabase?.catch(() => undefined);
    await database?.stop();
    return process.exit(exitCode);
  })();
  return stopped;
}

// From the first moment: a stop that arrived while PostgreSQL and FerretDB were starting (or the
// indexes were being built) used to end this script at once and leave both running, ports held.
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
// `kill <pid of npm start>` ends npm (and its shell) without telling us: we are re-parented. Notice
// it, so a process manager's stop never leaves the servers running with their ports held.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(0);
}, 250).unref();

async function ownDatabase(): Promise<void> {
  const settings = (() => {
    try {
      return devSettings();
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  const running = runningDevDatabase(settings);
  if (running.ferretdb && running.postgres) {
    // Started earlier by `bun scripts/database.ts start`: reuse, and leave it running.
    console.error(
      `Using the running database (FerretDB pid ${running.ferretdb}, PostgreSQL pid ${running.postgres})`,
    );
  } else {
    if (running.ferretdb || running.postgres) await stopDevDatabase(settings); // half of a killed run
    if (stopping) return;
    database = await startDevDatabase(settings).catch((error: Error) =>
      fail(
        `${error.message}\nSet FERRETDB_PORT / POSTGRES_PORT to use other ports, or MONGODB_URI to use another server.`,
      ),
    );
    console.error(
      `PostgreSQL on port ${settings.postgresPort} and FerretDB on port ${settings.ferretPort} started (data in ${path.relative(ROOT, settings.dataDir) || '.'}, logs in ${path.relative(ROOT, runDir(settings))}/)`,
    );
  }
  if (stopping) return;
  const created = await prepareDevDatabase(settings).catch(async (error: Error) => {
    if (stopping) return [];
    await database?.stop();
    return fail(`Preparing the database failed: ${error.message}`);
  });
  if (created.length) console.error(`Created ${created.length} search indexes`);
  mongoUri = devUrls(settings).mongoUri;
  logDir = path.relative(ROOT, runDir(settings));
}

if (!mongoUri) {
  startingDatabase = ownDatabase();
  await startingDatabase;
  // Stopped meanwhile: `shutdown` stops the database and exits; nothing more to start.
  if (stopping) await new Promise(() => undefined);
}

const sandboxPort = process.env.SANDBOX_PORT ?? '8081';
const sandboxUrl = `http://localhost:${sandboxPort}`;
const env: Record<string, string | undefined> = {
  ...process.env,
  MONGODB_URI: mongoUri,
  PORT: process.env.PORT ?? '8000',
  SANDBOX_PORT: sandboxPort,
  // The API talks to the sandbox it was started with, whatever port that is, unless told otherwise.
  GATEWAY_URL: process.env.GATEWAY_URL ?? sandboxUrl,
  WECHAT_API_BASE: process.env.WECHAT_API_BASE ?? sandboxUrl,
};
Object.assign(env, localWechatPay(env));

function launch(name: string, entry: string): { name: string; proc: Subprocess } {
  if (!fs.existsSync(path.join(ROOT, entry))) throw new Error(`${entry} does not exist`);
  // process.execPath: the children run on the same (pinned) bun as this script.
  // `npm run dev` passes --watch: the API restarts on source changes, the rest keeps running.
  const watch = name === 'API' && process.argv.includes('--watch') ? ['--watch'] : [];
  const proc = Bun.spawn([process.execPath, ...watch, entry], {
    cwd: ROOT,
    env,
    stdio: ['inherit', 'inherit', 'inherit'],
  });
  return { name, proc };
}

try {
  children.push(launch('API', 'src/app/main.ts'), launch('sandbox', 'src/adapters/sandbox/main.ts'));
} catch (error) {
  console.error((error as Error).message);
  await shutdown(1);
}

for (const { name, proc } of children) {
  void proc.exited.then((code) => {
    if (stopping) return;
    console.error(`${name} exited unexpectedly (code ${code}); stopping everything`);
    void shutdown(code || 1);
  });
}
void database?.exited.then((why) => {
  if (stopping) return;
  console.error(`${why} unexpectedly; see ${logDir}/; stopping everything`);
  void shutdown(1);
});

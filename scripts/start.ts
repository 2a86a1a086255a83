// `npm start`: FerretDB (unless MONGODB_URI points elsewhere), the API and the payment sandbox,
// stopped together. Ctrl-C stops the API and sandbox first, then the database they write to.
import fs from 'node:fs';
import path from 'node:path';
import type { Subprocess } from 'bun';
import {
  buildFerret,
  devPort,
  type Ferret,
  LOG_FILE,
  ROOT,
  runningDevFerret,
  startDevFerret,
} from './ferretdb';
import { localWechatPay } from './wechatpay-sim';

let ferret: Ferret | undefined;
let mongoUri = process.env.MONGODB_URI;
if (!mongoUri) {
  const port = devPort();
  buildFerret();
  const running = runningDevFerret(port);
  if (running) {
    // Started earlier by `bun scripts/ferretdb.ts start` (or a killed run): reuse, and leave it running.
    console.error(`Using the running FerretDB (pid ${running}) on port ${port}`);
  } else {
    ferret = await startDevFerret(port).catch((error: Error) => {
      console.error(
        `${error.message}\nSet FERRETDB_PORT to use another port, or MONGODB_URI to use another server.`,
      );
      process.exit(1);
    });
    console.error(`FerretDB started on port ${port} (log: ${path.relative(ROOT, LOG_FILE)})`);
  }
  mongoUri = `mongodb://127.0.0.1:${port}/credits_store`;
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

async function stopChild(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await proc.exited;
  clearTimeout(timer);
}

const children: { name: string; proc: Subprocess }[] = [];
let stopping = false;

async function shutdown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all(children.map(({ proc }) => stopChild(proc)));
    await ferret?.stop();
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

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
void ferret?.exited.then((code) => {
  if (stopping) return;
  console.error(`FerretDB exited unexpectedly (code ${code}); see ${LOG_FILE}`);
  void shutdown(1);
});

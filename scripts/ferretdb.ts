// Builds and runs FerretDB v1.24.2 (MongoDB wire protocol over SQLite) for development and tests,
// because no MongoDB server can be installed on our machines.
// CLI: bun scripts/ferretdb.ts build|start|stop|status   (FERRETDB_PORT, default 27017)
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildFerret, ferretBinary } from './ferretdb-build';
import { isPortOpen, waitForPort } from './net';
import { commandLine, isAlive, terminate } from './proc';

export { buildFerret, FERRETDB_VERSION, ferretBinary, TOOLS_DIR } from './ferretdb-build';

export const ROOT = path.resolve(import.meta.dir, '..');
export const RUN_DIR = path.join(ROOT, '.run');
export const DEV_DATA_DIR = path.join(ROOT, '.data', 'ferretdb');
export const PID_FILE = path.join(RUN_DIR, 'ferretdb.pid');
export const LOG_FILE = path.join(RUN_DIR, 'ferretdb.log');

export interface Ferret {
  uri: string;
  port: number;
  pid: number;
  /** Settles when the process exits, with its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface FerretOptions {
  port: number;
  dataDir: string;
  /** Append the server's output here; otherwise it is kept in memory for error messages. */
  logFile?: string;
  /** Own process group: a terminal's Ctrl-C then reaches us first and we choose the stop order. */
  detached?: boolean;
  binary?: string;
}

export async function startFerret(options: FerretOptions): Promise<Ferret> {
  const { port, dataDir } = options;
  if (await isPortOpen(port)) throw new Error(`cannot start FerretDB: port ${port} is already in use`);
  fs.mkdirSync(dataDir, { recursive: true }); // the SQLite backend refuses a missing directory
  const logFd = options.logFile ? fs.openSync(options.logFile, 'a') : undefined;
  const logStart = options.logFile ? fs.statSync(options.logFile).size : 0;
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${path.resolve(dataDir)}/`,
    `--state-dir=${path.resolve(dataDir)}`, // default is the cwd, which would litter the repo
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=warn',
  ];
  const child: ChildProcess = spawn(options.binary ?? ferretBinary(), args, {
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    detached: options.detached ?? false,
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      alive = false;
      resolve(code);
    });
    child.once('error', (error) => {
      alive = false;
      output += String(error);
      resolve(null);
    });
  });
  const stop = async () => {
    if (!alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const logTail = () =>
    options.logFile ? fs.readFileSync(options.logFile, 'utf8').slice(logStart).slice(-4000) : output;
  try {
    await waitForPort(port, 20_000, () => alive);
    // Another process may have grabbed the port between our check and FerretDB's bind.
    if (!alive) throw new Error('process exited');
  } catch (error) {
    await stop();
    throw new Error(`FerretDB did not start on port ${port}: ${(error as Error).message}\n${logTail()}`);
  }
  return { uri: `mongodb://127.0.0.1:${port}`, port, pid: child.pid!, exited, stop };
}

export function devPort(): number {
  return Number(process.env.FERRETDB_PORT ?? 27017);
}

/** The pid from .run/ferretdb.pid when that process is still a FerretDB listening on `port`. */
export function runningDevFerret(port: number): number | undefined {
  const pid = fs.existsSync(PID_FILE) ? Number(fs.readFileSync(PID_FILE, 'utf8').trim()) : 0;
  if (!pid || !isAlive(pid)) return undefined;
  const cmd = commandLine(pid);
  return cmd.includes('ferretdb') && cmd.includes(`127.0.0.1:${port}`) ? pid : undefined;
}

/** Starts the development server (data in .data/ferretdb, log in .run/ferretdb.log) and records its pid. */
export async function startDevFerret(port: number): Promise<Ferret> {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const ferret = await startFerret({ port, dataDir: DEV_DATA_DIR, logFile: LOG_FILE, detached: true });
  fs.writeFileSync(PID_FILE, `${ferret.pid}\n`);
  void ferret.exited.then(() => fs.rmSync(PID_FILE, { force: true }));
  return ferret;
}

async function cli(command: string | undefined): Promise<number> {
  const port = devPort();
  switch (command) {
    case 'build':
      console.log(buildFerret());
      return 0;
    case 'start': {
      const running = runningDevFerret(port);
      if (running) {
        console.log(`FerretDB already running (pid ${running}) on mongodb://127.0.0.1:${port}`);
        return 0;
      }
      buildFerret();
      const ferret = await startDevFerret(port);
      console.log(`FerretDB started (pid ${ferret.pid}) on ${ferret.uri}; log: ${LOG_FILE}`);
      process.exit(0); // leave it running: our exit must not wait for the detached child
      return 0;
    }
    case 'stop': {
      const pid = runningDevFerret(port);
      if (pid) await terminate(pid);
      fs.rmSync(PID_FILE, { force: true });
      console.log(pid ? `FerretDB (pid ${pid}) stopped` : 'FerretDB was not running');
      return 0;
    }
    case 'status': {
      const pid = runningDevFerret(port);
      console.log(
        pid ? `FerretDB running (pid ${pid}) on mongodb://127.0.0.1:${port}` : 'FerretDB not running',
      );
      return pid ? 0 : 3; // 3 = "not running", as in LSB init scripts
    }
    default:
      console.error(
        'usage: bun scripts/ferretdb.ts build|start|stop|status   (port: FERRETDB_PORT, default 27017)',
      );
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

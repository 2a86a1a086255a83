// Runs FerretDB v1.24.2 (the MongoDB wire protocol) on a PostgreSQL of ours, for development and
// tests, because no MongoDB server can be installed on our machines. scripts/database.ts starts the
// pair; this file knows only the FerretDB process.
import fs from 'node:fs';
import path from 'node:path';
import { ferretBinary } from './ferretdb-build';
import { isPortOpen, waitForPort } from './net';
import { spawnServer } from './proc';

export { buildFerret, FERRETDB_VERSION, ferretBinary, TOOLS_DIR } from './ferretdb-build';

export const ROOT = path.resolve(import.meta.dir, '..');

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
  /** FerretDB's own state (a small JSON file), not the data: that lives in PostgreSQL. */
  stateDir: string;
  /** postgres://… of the database FerretDB keeps every MongoDB database in (one schema each). */
  postgresUrl: string;
  /** Append the server's output here; otherwise it is kept in memory for error messages. */
  logFile?: string;
  /** Own process group: a terminal's Ctrl-C then reaches us first and we choose the stop order. */
  detached?: boolean;
  binary?: string;
}

export async function startFerret(options: FerretOptions): Promise<Ferret> {
  const { port, stateDir } = options;
  if (await isPortOpen(port)) throw new Error(`cannot start FerretDB: port ${port} is already in use`);
  fs.mkdirSync(stateDir, { recursive: true });
  const args = [
    '--handler=postgresql',
    `--postgresql-url=${options.postgresUrl}`,
    `--state-dir=${path.resolve(stateDir)}`, // default is the cwd, which would litter the repo
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=warn',
  ];
  const server = spawnServer({
    command: [options.binary ?? ferretBinary(), ...args],
    logFile: options.logFile,
    detached: options.detached,
    stopSignal: 'SIGTERM',
    graceMs: 5000,
  });
  try {
    await waitForPort(port, 20_000, server.alive);
    // Another process may have grabbed the port between our check and FerretDB's bind.
    if (!server.alive()) throw new Error('process exited');
  } catch (error) {
    await server.stop();
    throw new Error(
      `FerretDB did not start on port ${port}: ${(error as Error).message}\n${server.logTail()}`,
    );
  }
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    pid: server.pid,
    exited: server.exited,
    stop: server.stop,
  };
}

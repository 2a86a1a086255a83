// Process helpers: server children we start (PostgreSQL, FerretDB), and pids we do not own as
// child objects (pid files, orphans of an earlier run).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

/** True while a process with this pid exists (EPERM still means "exists, not ours"). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie has exited (no memory, no ports) and only waits for its parent to read its status; an
  // init that never reaps orphans, as in some containers, keeps it forever.
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 is all there is
  }
}

/** The command line of a pid, or '' when unknown; /proc first because slim images lack `ps`. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      const ps = Bun.spawnSync(['ps', '-o', 'command=', '-p', String(pid)]);
      return ps.exitCode === 0 ? ps.stdout.toString().trim() : '';
    } catch {
      return '';
    }
  }
}

/**
 * SIGTERM, wait up to graceMs, then SIGKILL. Only for pids that are not our children: a child
 * that exited stays a zombie (and "alive" to kill(0)) until we reap it, so children are awaited
 * through their exit event instead.
 */
export async function terminate(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await Bun.sleep(50);
  }
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export interface ServerProcess {
  readonly pid: number;
  /** Settles when the process exits, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** `signal`, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(): Promise<void>;
  /** The end of what it printed since start (from the log file when there is one). */
  logTail(): string;
}

/**
 * A server child (PostgreSQL, FerretDB): output appended to `logFile` or kept in memory for error
 * messages, an exit promise that also covers a failed spawn, and a stop with a grace period.
 */
export function spawnServer(o: {
  command: readonly string[];
  logFile?: string;
  detached?: boolean;
  stopSignal: NodeJS.Signals;
  graceMs: number;
}): ServerProcess {
  const logFd = o.logFile ? fs.openSync(o.logFile, 'a') : undefined;
  const logStart = o.logFile ? fs.statSync(o.logFile).size : 0;
  const [command = '', ...args] = o.command;
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    detached: o.detached ?? false,
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
  return {
    pid: child.pid ?? 0,
    exited,
    alive: () => alive,
    async stop() {
      if (!alive) return;
      child.kill(o.stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), o.graceMs);
      await exited;
      clearTimeout(timer);
    },
    logTail: () => (o.logFile ? fs.readFileSync(o.logFile, 'utf8').slice(logStart).slice(-4000) : output),
  };
}

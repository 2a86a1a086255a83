// Process helpers for pids we do not own as child objects (pid files, orphans of an earlier run).
import fs from 'node:fs';

/** True while a process with this pid exists (EPERM still means "exists, not ours"). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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

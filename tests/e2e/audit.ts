const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Runs `bun run audit` (the command operators run) over an e2e database once its processes have
 * stopped; throws with the report when any invariant is broken, so the suite that made the data fails.
 */
export async function auditDatabase(mongoUri: string): Promise<void> {
  const proc = Bun.spawn([process.execPath, 'scripts/audit.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MONGODB_URI: mongoUri },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`audit of ${mongoUri} exited ${code}: ${err.trim()}\n${out}`);
}

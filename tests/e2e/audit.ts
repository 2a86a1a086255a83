const ROOT = new URL('../..', import.meta.url).pathname;

/** `bun run audit` as operators run it: a child process over MONGODB_URI, its exit code and output. */
export async function runAudit(mongoUri: string): Promise<{ code: number; out: string; err: string }> {
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
  return { code, out, err };
}

/**
 * Runs `bun run audit` over an e2e database once its processes have stopped; throws with the report
 * when any invariant is broken, so the suite that made the data fails.
 */
export async function auditDatabase(mongoUri: string): Promise<void> {
  const { code, out, err } = await runAudit(mongoUri);
  if (code !== 0) throw new Error(`audit of ${mongoUri} exited ${code}: ${err.trim()}\n${out}`);
}

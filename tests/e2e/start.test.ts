import { describe, expect, it } from 'bun:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen } from '../../scripts/net';
import { isAlive } from '../../scripts/proc';
import { connectMongo } from '../../src/adapters/mongo';
import { testMongoUri, uniqueDbName } from '../support/ferret';
import { auditDatabase } from './audit';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Every descendant of `pid` (npm → sh → bun start.ts → API, sandbox, FerretDB, PostgreSQL + workers). */
async function descendants(pid: number): Promise<number[]> {
  const kids = (await Bun.$`pgrep -P ${pid}`.nothrow().text()).split('\n').filter(Boolean).map(Number);
  return [...kids, ...(await Promise.all(kids.map(descendants))).flat()];
}

async function waitReady(api: string): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${api}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return true;
    await Bun.sleep(50);
  }
  return false;
}

/**
 * Resolves once `text` appears on the process's stderr (where start.ts reports its steps). The rest is
 * still read to the end: a closed pipe must not be what the process writes its next line into.
 */
function outputContains(proc: { stderr: ReadableStream<Uint8Array> }, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const decoder = new TextDecoder();
    let seen = '';
    void (async () => {
      for await (const chunk of proc.stderr) {
        seen += decoder.decode(chunk, { stream: true });
        if (seen.includes(text)) resolve();
      }
      reject(new Error(`the output ended without "${text}":\n${seen}`));
    })();
  });
}

/** The README's run command itself: `bun scripts/start.ts` brings up API + sandbox, and SIGTERM stops both. */
describe('npm start', () => {
  it('serves the API and the sandbox together, seeds the catalog, and stops everything on SIGTERM', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const mongoUri = await testMongoUri(uniqueDbName('start'));
    const proc = Bun.spawn([process.execPath, 'scripts/start.ts'], {
      cwd: ROOT,
      // MONGODB_URI set: start.ts must use it and start no FerretDB of its own.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        MONGODB_URI: mongoUri,
        PORT: String(port),
        SANDBOX_PORT: String(sandboxPort),
        RECONCILE_INTERVAL_SECONDS: '0',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const api = `http://127.0.0.1:${port}`;
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      ready = await fetch(`${api}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await Bun.sleep(50);
    }
    expect(ready).toBe(true);
    const products = (await (await fetch(`${api}/api/products/`)).json()) as { name: string }[];
    expect(products.map((p) => p.name)).toEqual(['100积分套餐', '500积分套餐']);
    // The API found the sandbox on its non-default port by itself: a login goes through it.
    const login = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'start-test' }),
    });
    expect(login.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${sandboxPort}/health`)).status).toBe(200);

    // The start-up jobs of a new database mark each console list's directory complete (jobs.ts).
    const conn = await connectMongo(mongoUri);
    const marked = async () => {
      const marks: string[] = [];
      for (const [collection, id] of [
        ['order_days', 'stored-orders-entered'],
        ['alert_days', 'stored-alerts-entered'],
        ['review_days', 'stored-reviews-entered'],
      ] as const)
        if (await conn.db!.collection(collection).findOne({ _id: id as never })) marks.push(id);
      return marks;
    };
    for (let i = 0; i < 200 && (await marked()).length < 3; i++) await Bun.sleep(50);
    expect(await marked()).toEqual([
      'stored-orders-entered',
      'stored-alerts-entered',
      'stored-reviews-entered',
    ]);
    await conn.close();

    const children = (await Bun.$`pgrep -P ${proc.pid}`.nothrow().text())
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(children.length).toBe(2);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
    expect(
      await fetch(`${api}/health`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');
    await auditDatabase(mongoUri);
  });
});

describe('npm start with its own database', () => {
  it('starts PostgreSQL + FerretDB, keeps data across restarts, and `kill -TERM <npm pid>` stops all of it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npmstart-'));
    fs.chmodSync(dataDir, 0o711); // as root, PostgreSQL runs as `postgres` and must pass through
    const ports = {
      api: await freePort(),
      sandbox: await freePort(),
      ferret: await freePort(),
      pg: await freePort(),
    };
    const api = `http://127.0.0.1:${ports.api}`;
    // `group`: in a session of its own (setsid), as a terminal runs it, so Ctrl-C can reach every process.
    const start = (group = false) =>
      Bun.spawn([...(group ? ['setsid'] : []), 'npm', 'start'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATA_DIR: dataDir,
          FERRETDB_PORT: String(ports.ferret),
          POSTGRES_PORT: String(ports.pg),
          PORT: String(ports.api),
          SANDBOX_PORT: String(ports.sandbox),
          RECONCILE_INTERVAL_SECONDS: '0',
        },
        stdout: 'pipe',
        stderr: 'pipe',
      });
    let npm = start();
    const seen = new Set<number>();
    try {
      expect(await waitReady(api)).toBe(true);
      // A fresh code of the same sandbox user per login: the API takes each code once.
      let logins = 0;
      const login = async () =>
        (await (
          await fetch(`${api}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: `restart-test.${++logins}` }),
          })
        ).json()) as { user: { id: number } };
      const first = await login();
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

      const stopAll = async () => {
        const pids = await descendants(npm.pid);
        for (const pid of pids) seen.add(pid);
        expect(pids.length).toBeGreaterThanOrEqual(5); // sh/bun, API, sandbox, FerretDB, PostgreSQL…
        // What a process manager or a container runtime sends: one SIGTERM, to npm only.
        process.kill(npm.pid, 'SIGTERM');
        await npm.exited;
        // The stop is sequential and each step ends in SIGKILL after its grace period (API and
        // sandbox 5 s, FerretDB 5 s, PostgreSQL 10 s): on a loaded machine it can take all of them.
        const deadline = Date.now() + 45_000;
        while (Date.now() < deadline && pids.some(isAlive)) await Bun.sleep(100);
        expect(pids.filter(isAlive)).toEqual([]);
        for (const port of Object.values(ports)) expect(await isPortOpen(port)).toBe(false);
      };
      await stopAll();

      // Started again on the same DATA_DIR: the same user is still there.
      npm = start();
      expect(await waitReady(api)).toBe(true);
      expect((await login()).user.id).toBe(first.user.id);
      await stopAll();

      // Ctrl-C while the database is still being prepared: the terminal sends SIGINT to the whole
      // group, start.ts included. It used to die at once there, leaving PostgreSQL and FerretDB up.
      npm = start(true);
      await outputContains(npm, 'started (data in');
      for (const pid of await descendants(npm.pid)) seen.add(pid);
      process.kill(-npm.pid, 'SIGINT');
      await npm.exited;
      const deadline = Date.now() + 45_000;
      const all = [...seen];
      while (Date.now() < deadline && all.some(isAlive)) await Bun.sleep(100);
      expect(all.filter(isAlive)).toEqual([]);
      for (const port of Object.values(ports)) expect(await isPortOpen(port)).toBe(false);
    } finally {
      // A failed run must not leave servers holding ports for the rest of the suite.
      for (const pid of [...seen, ...(await descendants(npm.pid)), npm.pid].filter(isAlive))
        process.kill(pid, 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

import { describe, expect, it } from 'bun:test';
import { freePort } from '../../scripts/net';
import { testMongoUri, uniqueDbName } from '../support/ferret';

const ROOT = new URL('../..', import.meta.url).pathname;
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The README's run command itself: `bun scripts/start.ts` brings up API + sandbox, and SIGTERM stops both. */
describe('npm start', () => {
  it('serves the API and the sandbox together, seeds the catalog, and stops everything on SIGTERM', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const proc = Bun.spawn([process.execPath, 'scripts/start.ts'], {
      cwd: ROOT,
      // MONGODB_URI set: start.ts must use it and start no FerretDB of its own.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        MONGODB_URI: await testMongoUri(uniqueDbName('start')),
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
  });
});

import { describe, expect, it } from 'bun:test';
import { call, login } from '../../scripts/client';
import { freePort } from '../../scripts/net';
import { testMongoUri, uniqueDbName } from '../support/ferret';
import { auditDatabase } from './audit';
import { eventually } from './stack';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The README's command: `PAYMENT_PROVIDER=xpay npm start` works with nothing else to set. */
describe('PAYMENT_PROVIDER=xpay npm start', () => {
  it('sells credits through the sandbox xpay with the shared development defaults', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const mongoUri = await testMongoUri(uniqueDbName('start-xpay'));
    const proc = Bun.spawn([process.execPath, 'scripts/start.ts'], {
      cwd: ROOT,
      // Ports and database of the test only; no XPAY_*, no push token, no SESSION_KEY_SECRET.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        MONGODB_URI: mongoUri,
        PORT: String(port),
        SANDBOX_PORT: String(sandboxPort),
        PAYMENT_PROVIDER: 'xpay',
        RECONCILE_INTERVAL_SECONDS: '0',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const api = `http://127.0.0.1:${port}`;
      await eventually(
        () =>
          fetch(`${api}/ready`).then(
            (r) => (r.ok ? true : undefined),
            () => undefined,
          ),
        15_000,
      );
      const token = await login(api, 'start-xpay');
      const me = (await call(api, 'GET', '/api/users/me', { token })).body;
      const created = (await call(api, 'POST', '/api/orders/create', { token, body: { product_id: 1 } }))
        .body;
      const pay = await call(api, 'POST', `/api/orders/pay/${created.order_id}`, { token });
      expect(pay.body.client_call).toBe('wx.requestVirtualPayment');
      const paid = await fetch(`http://127.0.0.1:${sandboxPort}/xpaysim/request-virtual-payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...pay.body.payment_data, openid: me.openid }),
      });
      expect(paid.status).toBe(200);
      await eventually(async () => {
        const o = await call(api, 'GET', `/api/orders/${created.order_id}`, { token });
        return o.body.status === 'completed' ? true : undefined;
      });
      expect((await call(api, 'GET', '/api/users/me', { token })).body.credits).toBe(100);
    } finally {
      proc.kill('SIGTERM');
      await proc.exited;
    }
    await auditDatabase(mongoUri);
  });
});

import { randomBytes } from 'node:crypto';
import { createSandbox, type SandboxOptions } from '../../src/adapters/sandbox/server';
import type { CreatePaymentRequest } from '../../src/domain/payment';

export const SANDBOX_APPID = 'wxd0000000sandbox';
export const CALLBACK_SECRET = 'test-gateway-callback-secret';

/** The sandbox in-process on a real port, as the API would reach it over TCP. */
export function startSandbox(opts: Partial<SandboxOptions> = {}) {
  const sandbox = createSandbox({
    appid: SANDBOX_APPID,
    callbackSecret: CALLBACK_SECRET,
    timeScale: 0.001,
    ...opts,
  });
  const server = Bun.serve({ port: 0, fetch: sandbox.fetch });
  return {
    sandbox,
    url: `http://localhost:${server.port}`,
    async stop() {
      sandbox.stop();
      await server.stop(true);
    },
  };
}

/** A fresh order_no in the SPEC 2.1 shape. */
export function orderNo(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return `P20240101120000${Array.from(randomBytes(8), (b) => alphabet[b % 36]).join('')}`;
}

export function createRequest(overrides: Partial<CreatePaymentRequest> = {}): CreatePaymentRequest {
  return {
    outTradeNo: orderNo(),
    description: '100积分',
    amountFen: 990,
    openid: 'o_test_openid',
    notifyUrl: 'http://127.0.0.1:9/api/orders/callback',
    expiresAt: new Date(Date.now() + 30 * 60_000),
    ...overrides,
  };
}

/** Polls until `probe` returns a value (background callbacks are asynchronous by design). */
export async function eventually<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await Bun.sleep(10);
  }
}

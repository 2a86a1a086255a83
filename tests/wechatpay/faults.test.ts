import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test';
import { noFaults } from '../../src/adapters/sandbox/v3/faults';
import type { NotificationError } from '../../src/domain/payment';
import { type Harness, orderNo, paymentRequest, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  // A deadline shorter than the `timeout` fault's hold, so that case ends in the client's timeout.
  h = await startHarness({}, { timeoutMs: 300 });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.sim.faults = noFaults();
});

const setFaults = async (f: object) => expect((await h.control('/v3sim/faults', f)).status).toBe(200);
const unavailable = { kind: 'provider_unavailable' };

describe('provider failures are never guessed', () => {
  it.each(['500', '429', 'timeout'] as const)('%s on query → provider_unavailable', async (kind) => {
    await setFaults({ http: [{ endpoint: 'query', kind, times: 1, holdMs: 600 }] });
    const r = await h.payments.query(orderNo());
    expect(r.ok || r.error).toMatchObject(unavailable);
  });

  it('an unverifiable 2xx (bad response signature) → provider_unavailable', async () => {
    const req = paymentRequest(h);
    await setFaults({ http: [{ endpoint: 'prepay', kind: 'bad_signature', times: 1 }] });
    const r = await h.payments.createPayment(req);
    expect(r.ok || r.error).toMatchObject(unavailable);
    expect((r.ok || r.error.message) as string).toContain('unverifiable');
    expect((await h.payments.createPayment(req)).ok).toBe(true); // same params, fault consumed
  });

  it('a 500 on close is not read as closed', async () => {
    const req = paymentRequest(h);
    await h.payments.createPayment(req);
    await setFaults({ http: [{ endpoint: 'close', kind: '500' }] });
    const r = await h.payments.close(req.outTradeNo);
    expect(r.ok || r.error).toMatchObject(unavailable);
  });

  it('a network error → provider_unavailable', async () => {
    const { createWechatPay } = await import('../../src/adapters/payment/wechatpay');
    const { systemClock, cryptoRandom } = await import('./harness');
    const dead = createWechatPay(
      { ...h.config, baseUrl: 'http://127.0.0.1:9' },
      { clock: systemClock, random: cryptoRandom },
    );
    const r = await dead.payments.query('P000001');
    expect(r.ok || r.error).toMatchObject(unavailable);
  });
});

describe('notification faults reach verify as errors, and WeChat retries', () => {
  const payAndCollect = async (faults: object) => {
    const req = paymentRequest(h);
    await h.payments.createPayment(req);
    await setFaults({ notify: faults });
    const before = h.received.length;
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay`);
    await h.waitFor(() => h.received.length > before);
    h.sim.faults = noFaults(); // the next retry (15 s × 0.001) is clean and must succeed
    await h.waitFor(() => h.received.some((r) => r.ok && r.value.outTradeNo === req.outTradeNo));
    return h.received.slice(before).find((r) => !r.ok);
  };

  const cases: [string, object, NotificationError['kind']][] = [
    ['SIGNTEST probe', { signtest: true }, 'notification_unauthenticated'],
    ['wrong serial', { wrongSerial: true }, 'notification_unauthenticated'],
    ['skewed timestamp', { skewSeconds: -400 }, 'notification_unauthenticated'],
    ['tampered ciphertext', { tamper: true }, 'notification_invalid'],
  ];
  it.each(cases)('%s', async (_name, faults, kind) => {
    const failure = await payAndCollect(faults);
    expect(failure?.ok === false && failure.error.kind).toBe(kind);
  });

  it('concurrent duplicate deliveries all verify to the same event', async () => {
    const req = paymentRequest(h);
    await h.payments.createPayment(req);
    await setFaults({ notify: { duplicates: 2, redeliverAfterMs: 20 } });
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay`);
    const mine = () => h.received.filter((r) => r.ok && r.value.outTradeNo === req.outTradeNo);
    await h.waitFor(() => mine().length === 4);
    const ids = new Set(mine().map((r) => (r.ok ? r.value.transactionId : '')));
    expect(ids.size).toBe(1);
  });
});

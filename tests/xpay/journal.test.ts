import { describe, expect, it } from 'bun:test';
import { memoryRepositories } from '../../src/adapters/memory';
import { createXpayPayments, type XpayConfig } from '../../src/adapters/payment/xpay';
import { systemClock } from '../../src/adapters/system/clock';
import { cryptoRandom } from '../../src/adapters/system/random';
import { isVirtualPayment } from '../../src/domain/payment';
import { journaledPayments } from '../../src/domain/usecases/payment-journal';
import { APP_KEYS, OFFER_ID, xpayHarness } from './harness';

const config: XpayConfig = { env: 1, offerId: OFFER_ID, appKey: APP_KEYS[1] };
const SESSION_KEY = 'c2Vzc2lvbi1rZXktNTY3OA==';

describe('xpay calls on the order timeline', () => {
  it('keeps confirmDelivery and refundRefusal, records them, and stores no session_key or signature', async () => {
    const h = xpayHarness();
    const repos = memoryRepositories();
    const payments = journaledPayments(
      createXpayPayments(config, h.api, {
        openidOfOrder: async () => 'oBuyer00000000000000000000001',
        openidOfRefund: async () => null,
      }),
      {
        ...repos,
        clock: systemClock,
        random: cryptoRandom,
        settings: { timeZone: 'Asia/Shanghai', orderExpireMinutes: 30, notifyUrl: 'http://unused' },
        log: () => {},
      },
    );
    expect(payments.confirmDelivery).toBeDefined();
    expect(payments.refundRefusal).toBeDefined();
    const no = 'P20230701120000abcd9999';
    const signed = await payments.createPayment({
      outTradeNo: no,
      description: 'x',
      amountFen: 990,
      openid: 'oBuyer00000000000000000000001',
      notifyUrl: 'http://unused',
      expiresAt: new Date(Date.now() + 60_000),
      sessionKey: SESSION_KEY,
      providerProductId: 'credits_100',
    });
    if (!signed.ok || !isVirtualPayment(signed.value)) throw new Error('create failed');
    const { paySig, signature } = signed.value;
    expect(await payments.refundRefusal!(no)).toEqual({ ok: true, value: null });
    const records = await repos.paymentEvents.listByOrder(no, { limit: 10 });
    expect(records.map((r) => r.action).sort()).toEqual(['createPayment', 'refundRefusal']);
    const stored = JSON.stringify(records);
    expect(stored).not.toContain(SESSION_KEY);
    expect(stored).not.toContain(paySig);
    expect(stored).not.toContain(signature);
  });
});

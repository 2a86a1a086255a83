import { afterAll, beforeAll, expect, it } from 'bun:test';
import { createWechatPay, validateWechatPayConfig } from '../../src/adapters/payment/wechatpay';
import { generateWechatpayKey } from '../../src/adapters/sandbox/v3/keys';
import { fixture } from './fixtures';
import { cryptoRandom, type Harness, paymentRequest, startHarness, systemClock } from './harness';

// Public-key migration: WeChat holds a PUB_KEY_ID_ key and a platform certificate; notifications
// are signed by either, responses by the one the request asks for (Wechatpay-Serial).
const pubKey = generateWechatpayKey();
const cert = {
  serial: fixture('platform_cert.serial'),
  privateKeyPem: fixture('platform_key.pem'),
  publicPem: fixture('platform_cert.pem'),
};
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ wechatpayKeys: [pubKey, cert], notifySigning: 'alternate' });
});
afterAll(() => h.stop());

it('verifies notifications signed by the public key and by the platform certificate', async () => {
  for (let i = 0; i < 2; i++) {
    const req = paymentRequest(h);
    await h.payments.createPayment(req);
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay`);
    await h.waitFor(() => h.received.some((r) => r.ok && r.value.outTradeNo === req.outTradeNo));
  }
  expect(new Set(h.serials)).toEqual(new Set([pubKey.serial, cert.serial]));
  expect(h.received.every((r) => r.ok)).toBe(true);
});

it('asks for and verifies certificate-signed responses when configured with the certificate only', async () => {
  const config = validateWechatPayConfig({
    ...h.config,
    verifierKeys: { [cert.serial]: cert.publicPem },
    acceptSerial: undefined,
  });
  if (!config.ok) throw new Error(config.error.join('; '));
  expect(config.value.acceptSerial).toBe(cert.serial);
  const certOnly = createWechatPay(config.value, { clock: systemClock, random: cryptoRandom });
  const r = await certOnly.payments.query('P-unknown-1');
  expect(r.ok && r.value.state).toBe('NOT_FOUND');
});

it('prefers the public key as Wechatpay-Serial when both are configured', () => {
  expect(h.config.acceptSerial).toBe(pubKey.serial);
});

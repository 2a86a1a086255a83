import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import {
  authorizationHeader,
  parsePrivateKey,
  requestMessage,
  rsaSign,
} from '../../src/adapters/payment/wechatpay/crypto';
import { createVerifier } from '../../src/adapters/payment/wechatpay/verifier';
import { createV3Simulator, type V3Simulator } from '../../src/adapters/sandbox/v3/simulator';

// The simulator's request gate (brief §13), driven with hand-built requests.
let sim: V3Simulator;
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  sim = createV3Simulator();
  server = Bun.serve({ port: 0, fetch: sim.fetch });
});
afterAll(() => {
  sim.stop();
  server.stop(true);
});

interface WechatError {
  code?: string;
  detail?: { sign_information?: { method?: string } } & Record<string, unknown>;
}
interface Opts {
  headers?: Record<string, string>;
  ts?: number;
  serial?: string;
  tamper?: boolean;
  mchid?: string;
}
async function send(method: 'GET' | 'POST', path: string, body: object | null, o: Opts = {}) {
  const m = sim.merchant;
  const text = body === null ? '' : JSON.stringify(body);
  const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
  const nonce = 'N'.repeat(32);
  const signature = rsaSign(
    requestMessage(method, path, ts, nonce, text),
    parsePrivateKey(m.merchantPrivateKeyPem),
  );
  const auth = authorizationHeader({
    mchid: o.mchid ?? m.mchid,
    nonce_str: nonce,
    timestamp: ts,
    serial_no: o.serial ?? m.merchantSerial,
    signature,
  });
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      'User-Agent': 'gate-test',
      'Content-Type': 'application/json',
      Authorization: auth,
      ...o.headers,
    },
    body: method === 'GET' ? undefined : o.tamper ? `${text} ` : text,
  });
  const raw = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    raw,
    json: raw ? (JSON.parse(raw) as WechatError) : null,
  };
}
const query = (o: Opts = {}) =>
  send('GET', `/v3/pay/transactions/out-trade-no/P0000001?mchid=${o.mchid ?? sim.merchant.mchid}`, null, o);

describe('request gate', () => {
  it('passes a correctly signed request and signs the answer', async () => {
    const r = await query();
    expect(r.status).toBe(404);
    expect(r.json?.code).toBe('ORDER_NOT_EXIST');
    const keys = Object.fromEntries(sim.wechatpayKeys.map((k) => [k.serial, k.publicPem]));
    expect(createVerifier(keys).verify(r.headers, r.raw, Date.now() / 1000).ok).toBe(true);
  });

  it.each([
    ['missing User-Agent', { headers: { 'User-Agent': '' } }, 400, 'INVALID_REQUEST'],
    [
      'malformed Authorization',
      { headers: { Authorization: 'WECHATPAY2-SHA256-RSA2048 mchid=1' } },
      401,
      'SIGN_ERROR',
    ],
    ['unknown mchid', { mchid: '1999999999' }, 400, 'MCH_NOT_EXISTS'],
    ['wrong merchant serial', { serial: 'A'.repeat(40) }, 401, 'SIGN_ERROR'],
    ['timestamp 6 minutes old', { ts: Math.floor(Date.now() / 1000) - 360 }, 401, 'SIGN_ERROR'],
  ])('%s', async (_n, o, status, code) => {
    const r = await query(o as Opts);
    expect([r.status, r.json?.code]).toEqual([status, code]);
  });

  it('rejects a body that differs from the signed one with sign_information', async () => {
    const r = await send(
      'POST',
      `/v3/pay/transactions/out-trade-no/P0000001/close`,
      { mchid: sim.merchant.mchid },
      { tamper: true },
    );
    expect([r.status, r.json?.code, r.json?.detail?.sign_information?.method]).toEqual([
      401,
      'SIGN_ERROR',
      'POST',
    ]);
  });

  it('binds the body mchid and appid to the merchant', async () => {
    const other = await send('POST', '/v3/pay/transactions/jsapi', {
      appid: 'wx0000000000000000',
      mchid: sim.merchant.mchid,
    });
    expect(other.json?.code).toBe('APPID_MCHID_NOT_MATCH');
    const mch = await send('POST', '/v3/pay/transactions/out-trade-no/P0000001/close', { mchid: '1' });
    expect(mch.json?.code).toBe('PARAM_ERROR');
  });

  it('answers PARAM_ERROR with a JSON-pointer detail', async () => {
    const r = await send('POST', '/v3/pay/transactions/jsapi', {
      appid: sim.merchant.appid,
      mchid: sim.merchant.mchid,
      description: 'x',
      out_trade_no: 'P0000001',
      notify_url: 'https://example.com/n',
      amount: { total: 0, currency: 'CNY' },
      payer: { openid: 'o1' },
    });
    expect([r.status, r.json?.code, r.json?.detail]).toEqual([
      400,
      'PARAM_ERROR',
      { field: '/amount/total', value: 0, issue: expect.any(String), location: 'body' },
    ]);
  });

  it('has no platform certificate for a public-key merchant', async () => {
    const r = await send('GET', '/v3/certificates', null);
    expect([r.status, r.json?.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
  });
});

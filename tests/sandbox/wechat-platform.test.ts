import { describe, expect, it } from 'bun:test';
import { createSandbox } from '../../src/adapters/sandbox/server';
import { CALLBACK_SECRET, SANDBOX_APPID } from './harness';

function sandbox() {
  let now = new Date('2026-11-27T00:00:00Z');
  const s = createSandbox({
    appid: SANDBOX_APPID,
    callbackSecret: CALLBACK_SECRET,
    now: () => now,
    tokenLifetimeSeconds: 7200,
    tokenOverlapSeconds: 300,
  });
  const post = async (path: string, body: unknown) =>
    (
      await s.fetch(new Request(`http://sbx${path}`, { method: 'POST', body: JSON.stringify(body) }))
    ).json() as Promise<Record<string, unknown>>;
  const stable = (force = false) =>
    post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: SANDBOX_APPID,
      secret: 's',
      force_refresh: force,
    });
  return {
    post,
    stable,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const upload = (over: Record<string, unknown> = {}) => ({
  order_key: { order_number_type: 2, transaction_id: '4200000000000000000000000001' },
  logistics_type: 3,
  delivery_mode: 1,
  shipping_list: [{ item_desc: '100积分套餐' }],
  upload_time: '2026-11-27T08:00:00.000+08:00',
  payer: { openid: 'oPayer' },
  ...over,
});

describe('sandbox stable_token', () => {
  it('hands out the same token until 5 minutes before expiry; force_refresh revokes it, 30 s apart at most', async () => {
    const s = sandbox();
    const a = await s.stable();
    expect(a.expires_in).toBe(7200);
    s.advance(6000_000);
    expect((await s.stable()).access_token).toBe(a.access_token);
    s.advance(1000_000); // 200 s left
    const b = await s.stable();
    expect(b.access_token).not.toBe(a.access_token);
    // The old one still works until it expires.
    const withToken = (t: unknown, body = upload()) =>
      s.post(`/wxa/sec/order/upload_shipping_info?access_token=${t}`, body);
    expect(await withToken(a.access_token)).toEqual({ errcode: 0, errmsg: 'ok' });
    s.advance(201_000);
    expect((await withToken(a.access_token, upload({ payer: { openid: 'x' } }))).errcode).toBe(42001);
    const c = await s.stable(true);
    expect((await withToken(b.access_token)).errcode).toBe(40001);
    expect((await s.stable(true)).errcode).toBe(45009);
    s.advance(31_000);
    expect((await s.stable(true)).access_token).not.toBe(c.access_token);
  });
});

describe('sandbox stable_token settings', () => {
  it('issues later tokens with a new lifetime, keeps the current one, and refuses bad values', async () => {
    const s = sandbox();
    const a = await s.stable();
    expect(await s.post('/sandbox/wechat/token/settings', { lifetime_seconds: 600 })).toEqual({
      delay_ms: 0,
      lifetime_seconds: 600,
    });
    expect((await s.stable()).access_token).toBe(a.access_token);
    expect((await s.post('/sandbox/wechat/token/revoke', {})).generation).toBe(2);
    expect((await s.stable()).expires_in).toBe(600);
    for (const bad of [
      {},
      { lifetime_seconds: 0 },
      { lifetime_seconds: 1.5 },
      { delay_ms: -1 },
      // Half good: the good half is not applied either.
      { delay_ms: 7, lifetime_seconds: 0 },
    ])
      expect((await s.post('/sandbox/wechat/token/settings', bad)).error).toBeString();
    // The half-good request changed nothing: the delay is still 0.
    expect(await s.post('/sandbox/wechat/token/settings', { lifetime_seconds: 600 })).toEqual({
      delay_ms: 0,
      lifetime_seconds: 600,
    });
    expect(await s.post('/sandbox/wechat/token/settings', { delay_ms: 5 })).toEqual({
      delay_ms: 5,
      lifetime_seconds: 600,
    });
  });
});

describe('sandbox upload_shipping_info', () => {
  it('validates the body and allows one update; the same content again is "already shipped"', async () => {
    const s = sandbox();
    const t = (await s.stable()).access_token;
    const up = (body: unknown) => s.post(`/wxa/sec/order/upload_shipping_info?access_token=${t}`, body);
    expect((await up(upload({ logistics_type: 9 }))).errcode).toBe(268485196);
    expect((await up(upload({ shipping_list: [{ item_desc: 'a' }, { item_desc: 'b' }] }))).errcode).toBe(
      268485228,
    );
    expect((await up(upload({ shipping_list: [{ item_desc: '积'.repeat(121) }] }))).errcode).toBe(10060009);
    expect((await up(upload({ upload_time: '2026-11-27 08:00:00' }))).errcode).toBe(268485216);
    expect((await up(upload())).errcode).toBe(0);
    expect((await up(upload({ upload_time: '2026-11-27T09:00:00+08:00' }))).errcode).toBe(10060002);
    expect((await up(upload({ shipping_list: [{ item_desc: 'changed' }] }))).errcode).toBe(0);
    expect((await up(upload({ shipping_list: [{ item_desc: 'again' }] }))).errcode).toBe(10060003);
    expect((await s.post('/wxa/sec/order/upload_shipping_info?access_token=nope', upload())).errcode).toBe(
      40001,
    );
  });

  it('fails the next n uploads on request, unrecorded', async () => {
    const s = sandbox();
    const t = (await s.stable()).access_token;
    const up = () => s.post(`/wxa/sec/order/upload_shipping_info?access_token=${t}`, upload());
    await s.post('/sandbox/wechat/shipping/faults', { fail_next: 2, errcode: 10060001 });
    expect((await up()).errcode).toBe(10060001);
    expect((await up()).errcode).toBe(10060001);
    expect((await up()).errcode).toBe(0);
  });
});

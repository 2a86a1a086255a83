import { describe, expect, it } from 'bun:test';
import { encodePush, isAcknowledged } from '../../src/adapters/sandbox/wechat-push';
import { FixedClock } from '../../src/adapters/system/clock';
import { createPushVerifier } from '../../src/adapters/wechat/push';
import { createApp } from '../../src/app/http/create-app';
import type { PushHandler, PushMessage, PushOutcome } from '../../src/domain/push';
import { type LogLine, testDeps } from '../support/app';
import { AES_KEY, APPID, GET_VERIFY, PLAIN_POST, SAFE_POST, TOKEN } from '../wechat/push-vectors';

const creds = { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID };
const PATH = '/api/wechat/push';
let nonces = 1000;

function harness(opts: { safe: boolean; enabled?: boolean; at?: Date }) {
  const clock = new FixedClock(opts.at ?? new Date('2026-11-27T09:00:00Z'));
  const { deps, logs } = testDeps({
    gatewayUrl: 'http://127.0.0.1:9',
    wechatApiBase: 'http://127.0.0.1:9',
    clock,
  });
  const seen: PushMessage[] = [];
  let next: PushOutcome = { ok: true };
  const deliver: PushHandler = async (m) => {
    seen.push(m);
    return next;
  };
  const app = createApp({
    ...deps,
    ...(opts.enabled === false
      ? {}
      : {
          wechatPush: createPushVerifier(
            opts.safe
              ? { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID }
              : { token: TOKEN, appid: APPID },
          ),
        }),
    pushHandlers: new Map([['xpay_goods_deliver_notify', deliver]]),
  });
  const send = async (query: Record<string, string>, body: string, method = 'POST') => {
    const url = `http://localhost${PATH}?${new URLSearchParams(query)}`;
    const res = await app.handle(
      new Request(
        url,
        method === 'GET' ? {} : { method, body, headers: { 'content-type': 'application/json' } },
      ),
    );
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };
  const nowSec = () => String(Math.floor(clock.now().getTime() / 1000));
  const push = (message: object, over: { timestamp?: string; nonce?: string; safe?: boolean } = {}) =>
    encodePush(message, creds, {
      safeMode: over.safe ?? opts.safe,
      timestamp: over.timestamp ?? nowSec(),
      nonce: over.nonce ?? String(++nonces),
    });
  return {
    clock,
    logs,
    seen,
    send,
    push,
    fail(reason: string) {
      next = { ok: false, reason };
    },
    succeed() {
      next = { ok: true };
    },
  };
}

const deliverEvent = (outTradeNo = 'P1') => ({
  ToUserName: 'gh_97417a04a28d',
  FromUserName: 'oOFFICIAL',
  CreateTime: 1764234000,
  MsgType: 'event',
  Event: 'xpay_goods_deliver_notify',
  OpenId: 'oUser',
  OutTradeNo: outTradeNo,
  GoodsInfo: { ProductId: 'credits_100', Quantity: 1, OrigPrice: 990, ActualPrice: 990, Attach: '多字节 ✓' },
});
const events = (logs: LogLine[], name: string) => logs.filter((l) => l.event === name);

describe('GET /api/wechat/push (URL verification)', () => {
  it('echoes echostr as text/plain for the official example and refuses a wrong signature', async () => {
    const h = harness({ safe: true });
    const ok = await h.send({ ...GET_VERIFY }, '', 'GET');
    expect(ok).toEqual({ status: 200, text: GET_VERIFY.echostr, type: 'text/plain; charset=utf-8' });
    const bad = await h.send({ ...GET_VERIFY, signature: `0${GET_VERIFY.signature.slice(1)}` }, '', 'GET');
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.text)).toEqual({ detail: '签名校验失败' });
    expect((await h.send({ timestamp: '1', nonce: '2', echostr: 'x' }, '', 'GET')).status).toBe(403);
  });
  it('answers 404 when message push is not configured', async () => {
    const h = harness({ safe: true, enabled: false });
    expect((await h.send({ ...GET_VERIFY }, '', 'GET')).status).toBe(404);
  });
});

describe('POST /api/wechat/push', () => {
  it('plaintext mode: the official example is verified and, with no handler for debug_demo, acknowledged and logged', async () => {
    const h = harness({ safe: false, at: new Date(Number(PLAIN_POST.timestamp) * 1000 + 1000) });
    const { timestamp, nonce, signature } = PLAIN_POST;
    const r = await h.send({ timestamp, nonce, signature }, JSON.stringify(PLAIN_POST.body));
    expect(r).toEqual({ status: 200, text: 'success', type: 'text/plain; charset=utf-8' });
    expect(h.seen).toEqual([]);
    expect(events(h.logs, 'wechat_push.unhandled')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ kind: 'debug_demo', msg_type: 'event' }) }),
    ]);
  });

  it('safe mode: the official example decrypts and is acknowledged', async () => {
    const h = harness({ safe: true, at: new Date(Number(SAFE_POST.timestamp) * 1000) });
    const r = await h.send(
      {
        signature: SAFE_POST.signature,
        timestamp: SAFE_POST.timestamp,
        nonce: SAFE_POST.nonce,
        openid: SAFE_POST.openid,
        encrypt_type: 'aes',
        msg_signature: SAFE_POST.msgSignature,
      },
      JSON.stringify({ ToUserName: 'gh_97417a04a28d', Encrypt: SAFE_POST.encrypt }),
    );
    expect(r.text).toBe('success');
  });

  it('safe mode: an xpay event reaches its handler exactly as sent', async () => {
    const h = harness({ safe: true });
    const { query, body } = h.push(deliverEvent());
    const r = await h.send(query, body);
    expect(isAcknowledged(r.status, r.text, creds)).toBe(true);
    expect(h.seen).toEqual([deliverEvent()]);
  });

  it('refuses a forged msg_signature, a plaintext push in safe mode and a foreign appid — handler not called', async () => {
    const h = harness({ safe: true });
    const { query, body } = h.push(deliverEvent());
    const forged = await h.send({ ...query, msg_signature: 'f'.repeat(40) }, body);
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.text)).toEqual({ detail: '签名校验失败' });
    // The body swapped under a valid signature: msg_signature covers the ciphertext.
    const other = h.push(deliverEvent('P2'));
    expect((await h.send(query, other.body)).status).toBe(403);
    const plain = h.push(deliverEvent(), { safe: false });
    expect((await h.send(plain.query, plain.body)).status).toBe(403);
    const foreign = encodePush(
      deliverEvent(),
      { ...creds, appid: 'wx1111111111111111' },
      {
        safeMode: true,
        timestamp: String(Math.floor(h.clock.now().getTime() / 1000)),
        nonce: '42',
      },
    );
    const wrong = await h.send(foreign.query, foreign.body);
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.text)).toEqual({ detail: '推送的 AppID 与本小程序不符' });
    expect(h.seen).toEqual([]);
    expect(events(h.logs, 'wechat_push.rejected').map((l) => l.fields.reason)).toEqual([
      'bad_signature',
      'bad_signature',
      'not_encrypted',
      'wrong_appid',
    ]);
  });

  it('refuses a stale or future timestamp (±5 minutes) with nothing handled', async () => {
    const h = harness({ safe: true });
    const now = Math.floor(h.clock.now().getTime() / 1000);
    for (const ts of [now - 301, now + 301]) {
      const { query, body } = h.push(deliverEvent(), { timestamp: String(ts) });
      const r = await h.send(query, body);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text)).toEqual({ detail: '推送时间戳超出允许范围' });
    }
    const { query, body } = h.push(deliverEvent(), { timestamp: String(now - 299) });
    expect((await h.send(query, body)).text).toBe('success');
    expect(h.seen).toHaveLength(1);
  });

  it('a replayed delivery (same timestamp, nonce, signature) is not handled again', async () => {
    const h = harness({ safe: true });
    const { query, body } = h.push(deliverEvent());
    expect((await h.send(query, body)).text).toBe('success');
    // Answered as the first time (WeChat must not keep retrying), but the handler never sees it.
    for (let i = 0; i < 3; i++) expect((await h.send(query, body)).text).toBe('success');
    expect(h.seen).toHaveLength(1);
    expect(events(h.logs, 'wechat_push.replayed')).toHaveLength(3);
    // Concurrent copies of one delivery: one handles it.
    const copy = h.push(deliverEvent('P3'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.send(copy.query, copy.body)));
    expect(h.seen).toHaveLength(2);
    expect(answers.filter((a) => a.text === 'success').length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.text === 'success' || a.status === 409)).toBe(true);
  });

  it('a handler failure answers HTTP 500 with an encrypted non-zero ErrCode, so WeChat redelivers', async () => {
    const h = harness({ safe: true });
    h.fail('order store unavailable');
    const { query, body } = h.push(deliverEvent());
    const r = await h.send(query, body);
    expect(r.status).toBe(500);
    expect(isAcknowledged(r.status, r.text, creds)).toBe(false);
    const envelope = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual(['Encrypt', 'MsgSignature', 'Nonce', 'TimeStamp']);
    expect(envelope.Nonce).toBe(query.nonce);
    // Its ErrCode is non-zero even if the status were 200.
    expect(isAcknowledged(200, r.text, creds)).toBe(false);
    // A redelivery of the same request after the failure is handled again, and now succeeds.
    h.succeed();
    expect((await h.send(query, body)).text).toBe('success');
    expect(h.seen).toHaveLength(2);
  });

  it('plaintext mode: a handler failure answers a plain {"ErrCode":1}', async () => {
    const h = harness({ safe: false });
    h.fail('nope');
    const { query, body } = h.push(deliverEvent());
    const r = await h.send(query, body);
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ ErrCode: 1, ErrMsg: 'retry later' });
  });

  it('a handler that throws is a failure, not a 500 without a reply body', async () => {
    const h = harness({ safe: true });
    const { deps } = testDeps({
      gatewayUrl: 'http://127.0.0.1:9',
      wechatApiBase: 'http://127.0.0.1:9',
      clock: h.clock,
    });
    const app = createApp({
      ...deps,
      wechatPush: createPushVerifier({ token: TOKEN, encodingAesKey: AES_KEY, appid: APPID }),
      pushHandlers: new Map([
        [
          'xpay_goods_deliver_notify',
          async () => {
            throw new Error('boom');
          },
        ],
      ]),
    });
    const { query, body } = h.push(deliverEvent());
    const res = await app.handle(
      new Request(`http://localhost${PATH}?${new URLSearchParams(query)}`, { method: 'POST', body }),
    );
    expect(res.status).toBe(500);
    expect(isAcknowledged(200, await res.text(), creds)).toBe(false);
  });

  it('never logs the signatures or the ciphertext', async () => {
    const h = harness({ safe: true });
    const { query, body } = h.push(deliverEvent());
    await h.send(query, body);
    await h.send(query, body);
    await h.send({ ...query, msg_signature: 'a'.repeat(40) }, body);
    const text = JSON.stringify(h.logs);
    expect(text).not.toContain(query.msg_signature!);
    expect(text).not.toContain(query.signature!);
    expect(text).not.toContain(JSON.parse(body).Encrypt);
  });
});

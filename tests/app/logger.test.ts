import { describe, expect, it } from 'bun:test';
import { createLogger, isoWithOffset, scrub } from '../../src/app/logger';

const collect = (level?: 'info' | 'warn') => {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const log = createLogger({
    ...(level ? { level } : {}),
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line));
      },
    },
  });
  return { log, lines, raw };
};

describe('structured logger', () => {
  it('writes one JSON line per event with level, ISO time with offset, event and fields', () => {
    const { log, lines } = collect();
    log('api.listening', { port: 8000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', event: 'api.listening', port: 8000 });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('writes access lines as one JSON object each, with or without fields', () => {
    const { log, lines, raw } = collect();
    log('http.access', { method: 'GET', route: '/api/products/', status: 200, ms: 0.41, request_id: 'a-1' });
    log('http.access', {});
    expect(raw.every((l) => l.endsWith('}\n'))).toBe(true);
    expect(lines[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      event: 'http.access',
      method: 'GET',
      route: '/api/products/',
      status: 200,
      ms: 0.41,
      request_id: 'a-1',
    });
    expect(lines[1]).toEqual({ level: 'info', time: expect.any(String), event: 'http.access' });
  });

  it('levels anomalies above routine events, and drops lines below the configured level', () => {
    const { log, lines } = collect('warn');
    log('http.access', { status: 200 });
    log('callback.rejected', { reason: 'notification_unauthenticated' });
    log('payment.second_payment', { order_id: 1 });
    // A daily audit given up at a stop leaves its date without a report: seen at warn.
    log('audit.stopped', { trigger: 'daily' });
    expect(lines.map((l) => [l.event, l.level])).toEqual([
      ['callback.rejected', 'warn'],
      ['payment.second_payment', 'error'],
      ['audit.stopped', 'warn'],
    ]);
  });

  it('redacts tokens, signatures, keys and openids by field name, top level and one level down', () => {
    const { log, raw } = collect();
    log('x', {
      authorization: 'Bearer eyJhbGciOi.secret.token',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      headers: {
        'wechatpay-signature': 'c2lnbmF0dXJl',
        'x-gateway-signature': 't=1,v1=abc',
        authorization: 'b',
      },
      merchant: { key: 'PRIVATE', apiv3_key: '0123456789abcdef0123456789abcdef' },
      payer: { openid: 'oAnother' },
      order_id: 7,
    });
    const line = raw.join('');
    for (const secret of [
      'eyJhbGciOi',
      'oUpF8uMu',
      'c2lnbmF0dXJl',
      'v1=abc',
      'PRIVATE',
      '0123456789abcdef',
      'oAnother',
    ])
      expect(line).not.toContain(secret);
    expect(line).toContain('"order_id":7');
  });

  it('scrubs secrets quoted in free text (a rejected callback body, an error message)', () => {
    expect(scrub('{"openid":"o123","x":1}')).toBe('{"openid":"[REDACTED]","x":1}');
    expect(scrub('header Bearer abc.def.ghi end')).toBe('header Bearer [REDACTED] end');
    expect(scrub(`sig t=1,v1=${'ab'.repeat(32)}`)).toBe('sig t=1,v1=[REDACTED]');
    expect(scrub('user oUpF8uMuAJO_M2pxb1Q9zNjWeS6o paid')).toBe('user [REDACTED] paid');
    expect(
      scrub('POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7x&debug=1 failed'),
    ).toBe('POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[REDACTED]&debug=1 failed');
    const { log, raw } = collect();
    log('callback.rejected', { body: '{"outTradeNo":"P1","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}' });
    expect(raw.join('')).not.toContain('oUpF8uMu');
    expect(raw.join('')).toContain('P1');
  });

  it('tells the observer of every event, whatever the level', () => {
    const seen: string[] = [];
    const log = createLogger({ level: 'error', destination: { write() {} }, observe: (e) => seen.push(e) });
    log('api.listening', {});
    expect(seen).toEqual(['api.listening']);
  });

  it('writes stdout access lines in batches, in order, and the last ones even when the process exits at once', async () => {
    // Business events are written synchronously, access lines gather up to 50 ms: a process that
    // exits right after its last request must still write them.
    const script = `
      const { createLogger } = await import(${JSON.stringify(`${import.meta.dir}/../../src/app/logger.ts`)});
      const log = createLogger({});
      for (let i = 0; i < 3; i++) log('http.access', { method: 'GET', route: '/health', status: 200, request_id: 'r' + i });
      log('api.stopped', {});
      process.exit(0);
    `;
    const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' });
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['api.stopped', 'http.access', 'http.access', 'http.access']);
    expect(lines.slice(1).map((l) => l.request_id)).toEqual(['r0', 'r1', 'r2']);
    expect(lines[1]).toMatchObject({ level: 'info', method: 'GET', route: '/health', status: 200 });
    expect(String(lines[1]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('formats the local offset', () => {
    const s = isoWithOffset(new Date('2026-01-02T03:04:05.006Z'));
    expect(s).toMatch(/^2026-01-0\dT\d\d:04:05\.006[+-]\d\d:\d\d$/);
    const [, sign, hh, mm] = /([+-])(\d\d):(\d\d)$/.exec(s) ?? [];
    const offset = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
    expect(offset).toBe(0 - new Date('2026-01-02T03:04:05.006Z').getTimezoneOffset());
  });
});

import { describe, expect, it } from 'bun:test';
import { ConfigError, DEV_GATEWAY_SECRET, DEV_JWT_SECRET, loadConfig } from '../../src/app/config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [...e.problems];
  }
};

const PROD = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-real-production-secret-of-enough-length',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_SECRET: 'real-app-secret',
  GATEWAY_CALLBACK_SECRET: 'real-gateway-secret-123',
  MONGODB_URI: 'mongodb://db.internal:27017/credits',
  PUBLIC_BASE_URL: 'https://pay.example.com',
};

describe('configuration', () => {
  it('needs nothing in development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 8000,
      timeZone: 'Asia/Shanghai',
      paymentProvider: 'gateway',
    });
    expect(c.gateway.url).toBe('http://localhost:8081');
    expect(c.publicBaseUrl).toBe('http://localhost:8000');
  });

  it('names the variable and what is expected for each wrong value', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      ORDER_EXPIRE_MINUTES: '0',
      PAYMENT_PROVIDER: 'paypal',
      TZ: 'Mars/Olympus',
      GATEWAY_URL: 'ftp://x',
      MONGODB_URI: 'postgres://x',
      JWT_SECRET: 'short',
    });
    expect(problems.join('\n')).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
    for (const name of [
      'ORDER_EXPIRE_MINUTES',
      'PAYMENT_PROVIDER',
      'TZ',
      'GATEWAY_URL',
      'MONGODB_URI',
      'JWT_SECRET',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('keeps timeline events 180 days, bodies up to 8 KiB and 60 unverified callbacks a minute unless told otherwise, within bounds', () => {
    expect(loadConfig({}).timeline).toEqual({
      retentionDays: 180,
      bodyMaxBytes: 8192,
      unverifiedPerMinute: 60,
    });
    expect(
      loadConfig({
        TIMELINE_RETENTION_DAYS: '30',
        TIMELINE_BODY_MAX_BYTES: '1024',
        TIMELINE_UNVERIFIED_PER_MINUTE: '0',
      }).timeline,
    ).toEqual({ retentionDays: 30, bodyMaxBytes: 1024, unverifiedPerMinute: 0 });
    const problems = problemsOf({
      TIMELINE_RETENTION_DAYS: '0',
      TIMELINE_BODY_MAX_BYTES: 'lots',
      TIMELINE_UNVERIFIED_PER_MINUTE: '-1',
    });
    expect(problems.some((p) => p.includes('TIMELINE_RETENTION_DAYS'))).toBe(true);
    expect(problems.some((p) => p.includes('TIMELINE_BODY_MAX_BYTES'))).toBe(true);
    expect(problems.some((p) => p.includes('TIMELINE_UNVERIFIED_PER_MINUTE'))).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    expect(loadConfig(PROD).wechat.apiBase).toBe('https://api.weixin.qq.com');
  });

  it('refuses a plain-http or missing PUBLIC_BASE_URL in production: the notify URL must be HTTPS', () => {
    const expected = (v: string) =>
      `PUBLIC_BASE_URL must be the public https:// origin in production, got "${v}"`;
    expect(problemsOf({ ...PROD, PUBLIC_BASE_URL: 'http://pay.example.com' })).toEqual([
      expected('http://pay.example.com'),
    ]);
    const { PUBLIC_BASE_URL: _, ...unset } = PROD;
    expect(problemsOf({ ...unset, PORT: '9000' })).toEqual([expected('http://localhost:9000')]);
    expect(loadConfig({ ...PROD, PUBLIC_BASE_URL: 'https://pay.example.com/' }).publicBaseUrl).toBe(
      'https://pay.example.com',
    );
  });

  it('refuses the development secrets in production', () => {
    const problems = problemsOf({
      ...PROD,
      JWT_SECRET: DEV_JWT_SECRET,
      GATEWAY_CALLBACK_SECRET: DEV_GATEWAY_SECRET,
    });
    expect(problems).toContain('JWT_SECRET must be set to a secret of your own in production');
    expect(problems).toContain('GATEWAY_CALLBACK_SECRET must be set to a secret of your own in production');
  });

  it('refuses missing secrets and appid in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['JWT_SECRET', 'WECHAT_SECRET', 'GATEWAY_CALLBACK_SECRET', 'WECHAT_APPID']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('refuses the crash fault switch in production but allows it in tests', () => {
    expect(problemsOf({ ...PROD, FAULT_CRASH_AFTER_SETTLEMENT: '1' })).toContain(
      'FAULT_CRASH_AFTER_SETTLEMENT is a test switch and is refused in production',
    );
    expect(
      loadConfig({ NODE_ENV: 'test', FAULT_CRASH_AFTER_SETTLEMENT: '1' }).faultCrashAfterSettlement,
    ).toBe(true);
  });

  it('checks every rotated callback secret on its own', () => {
    const problems = problemsOf({
      ...PROD,
      GATEWAY_CALLBACK_SECRET: `a-real-production-secret,${DEV_GATEWAY_SECRET}`,
    });
    expect(problems).toContain('GATEWAY_CALLBACK_SECRET must be set to a secret of your own in production');
    expect(problemsOf({ ...PROD, GATEWAY_CALLBACK_SECRET: 'a-real-production-secret,x' })).toContain(
      'GATEWAY_CALLBACK_SECRET: every secret must be at least 16 characters',
    );
  });

  it('does not need a gateway secret when paying through WeChat Pay directly', () => {
    const { GATEWAY_CALLBACK_SECRET: _, ...rest } = PROD;
    expect(loadConfig({ ...rest, PAYMENT_PROVIDER: 'wechatpay' }).gateway.callbackSecrets).toEqual([]);
    expect(problemsOf(rest)).toContain(
      'GATEWAY_CALLBACK_SECRET must be set to a secret of your own in production',
    );
  });

  it('splits rotated callback secrets', () => {
    expect(
      loadConfig({ GATEWAY_CALLBACK_SECRET: 'new-secret-123456, old-secret-123456' }).gateway.callbackSecrets,
    ).toEqual(['new-secret-123456', 'old-secret-123456']);
  });

  it('reads ADMIN_OPENIDS as a list and names a malformed entry', () => {
    expect(loadConfig({}).adminOpenids).toEqual([]);
    expect(loadConfig({ ADMIN_OPENIDS: ' oAbc_1, oDef-2 ,' }).adminOpenids).toEqual(['oAbc_1', 'oDef-2']);
    expect(problemsOf({ ADMIN_OPENIDS: 'ok,bad id' })).toEqual([
      'ADMIN_OPENIDS must be comma-separated openids, got "bad id"',
    ]);
  });

  it('reads the alert settings, and never echoes the webhook URL (it holds the robot key)', () => {
    expect(loadConfig({}).alerts).toEqual({
      format: 'wecom',
      perMinute: 20,
      intervalMs: 60_000,
      paidNotCompletedMinutes: 10,
      reviewQueueThreshold: 10,
      auditHour: 4,
      retentionDays: 90,
    });
    expect(loadConfig({ ALERT_RETENTION_DAYS: '7' }).alerts.retentionDays).toBe(7);
    expect(problemsOf({ ALERT_RETENTION_DAYS: '0' }).some((p) => p.includes('ALERT_RETENTION_DAYS'))).toBe(
      true,
    );
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx';
    expect(
      loadConfig({ ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_FORMAT: 'json', AUDIT_HOUR: 'off' }).alerts,
    ).toMatchObject({ webhookUrl: url, format: 'json', auditHour: null });
    const bad = problemsOf({ ALERT_WEBHOOK_URL: 'qyapi?key=693a91f6-7xxx', ALERT_WEBHOOK_FORMAT: 'slack' });
    expect(bad).toEqual([
      'ALERT_WEBHOOK_URL must be an http(s) URL',
      'ALERT_WEBHOOK_FORMAT must be one of wecom, json, got "slack"',
    ]);
    expect(problemsOf({ ...PROD, ALERT_WEBHOOK_URL: 'http://relay.internal/hook?key=693a91f6' })).toEqual([
      'ALERT_WEBHOOK_URL must be https:// in production',
    ]);
  });
});

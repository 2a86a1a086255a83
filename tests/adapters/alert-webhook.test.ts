import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test';
import { createWebhookChannel, type WebhookFormat } from '../../src/adapters/alerts/webhook';
import { MemoryAlertOutbox } from '../../src/adapters/memory/alerts';
import { MemoryRateWindows } from '../../src/adapters/memory/limits';
import { FixedClock } from '../../src/adapters/system/clock';
import { alertService } from '../../src/app/alerts';
import { createMetrics } from '../../src/app/metrics/registry';
import { anAlert } from '../contract/alert-outbox.contract';
import type { LogLine } from '../support/domain-deps';

/** A stand-in for a WeCom group robot on a real local port: it records every message and answers as told. */
function robot() {
  const received: { key: string | null; body: Record<string, unknown> }[] = [];
  const answers: { status: number; body: unknown }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      const answer = answers.shift() ?? { status: 200, body: { errcode: 0, errmsg: 'ok' } };
      // Only accepted messages reach the group; a refused one is recorded as an attempt.
      const body = (await req.json()) as Record<string, unknown>;
      const errcode = (answer.body as { errcode?: number }).errcode;
      if (answer.status === 200 && (errcode === undefined || errcode === 0))
        received.push({ key: url.searchParams.get('key'), body });
      return Response.json(answer.body, { status: answer.status });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa`,
    received,
    /** The next answers, in order (then `{"errcode":0}`). */
    answer: (...a: { status: number; body: unknown }[]) => answers.push(...a),
    reset: () => {
      received.length = 0;
      answers.length = 0;
    },
    stop: () => server.stop(true),
  };
}

describe('alerts to a WeCom robot over real HTTP', () => {
  const r = robot();
  let clock: FixedClock;
  let logs: LogLine[];
  let outbox: MemoryAlertOutbox;
  let metrics: ReturnType<typeof createMetrics>;
  const service = (format: WebhookFormat = 'wecom', url = r.url) =>
    alertService(
      {
        alertOutbox: outbox,
        rateWindows: new MemoryRateWindows(),
        clock,
        log: (event, fields) => logs.push({ event, fields }),
        alertChannel: createWebhookChannel({ url, format, timeoutMs: 2000 }),
      },
      { perMinute: 20 },
      metrics,
    );
  const markdown = (i: number) =>
    (r.received[i]?.body.markdown as { content: string } | undefined)?.content ?? '';
  const counter = async (name: string) =>
    (await metrics.registry.getSingleMetric(name)?.get())?.values.reduce((s, v) => s + v.value, 0) ?? 0;

  beforeAll(() => {});
  beforeEach(() => {
    r.reset();
    clock = new FixedClock(new Date('2026-11-27T02:00:05Z'));
    logs = [];
    outbox = new MemoryAlertOutbox();
    metrics = createMetrics();
  });
  afterAll(() => r.stop());

  it('delivers a raised alert as WeCom markdown, with the key only in the URL', async () => {
    const s = service();
    s.raise(anAlert());
    await s.idle();
    expect(r.received).toHaveLength(1);
    const [msg] = r.received;
    expect(msg?.key).toBe('693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
    expect(msg?.body.msgtype).toBe('markdown');
    const content = markdown(0);
    expect(content).toContain('【严重】</font>订单 P1 重复支付');
    expect(content).toContain('> order_id: 1');
    const [stored] = await outbox.list({}, { skip: 0, limit: 10 });
    expect(stored).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    expect(await counter('alerts_raised_total')).toBe(1);
    expect(await counter('alerts_sent_total')).toBe(1);
  });

  it('sends the same alert raised twice (and by a second instance) once', async () => {
    const [a, b] = [service(), service()];
    a.raise(anAlert());
    b.raise(anAlert());
    a.raise(anAlert({ title: 'same kind and key, other words' }));
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.deliver(), b.deliver()]);
    expect(r.received).toHaveLength(1);
    expect(await outbox.list({}, { skip: 0, limit: 10 })).toHaveLength(1);
    // Another hour is a reminder: a new alert.
    clock.advance(60 * 60_000);
    a.raise(anAlert());
    await a.idle();
    expect(r.received).toHaveLength(2);
  });

  it('sends 20 of 25 alerts raised in one minute, then one summary of the other 5 the next minute', async () => {
    const s = service();
    for (let i = 0; i < 25; i++) s.raise(anAlert({ key: `order-${i}`, title: `告警 ${i}` }));
    await s.idle();
    expect(r.received).toHaveLength(20);
    // Held back (and already folded into a summary that waits for the next minute's budget).
    const held = await outbox.list({}, { skip: 0, limit: 100 });
    expect(held.filter((a) => a.state === 'summarized' || a.state === 'suppressed')).toHaveLength(5);
    expect(await counter('alerts_suppressed_total')).toBe(5);
    // Still the same minute: nothing more goes out.
    await s.deliver();
    expect(r.received).toHaveLength(20);
    clock.advance(60_000);
    await s.deliver();
    expect(r.received).toHaveLength(21);
    const summary = markdown(20);
    expect(summary).toContain('另有 5 条告警因频率限制未单独发送');
    // Nothing is lost: the five are listed, folded into the summary, which names each.
    const folded = await outbox.list({ state: 'summarized' }, { skip: 0, limit: 100 });
    expect(folded).toHaveLength(5);
    for (const a of folded) expect(summary).toContain(`- ${a.title}\n`);
    const sentTitles = r.received.slice(0, 20).map((m) => (m.body.markdown as { content: string }).content);
    for (const a of folded) expect(sentTitles.some((c) => c.includes(`${a.title}**`))).toBe(false);
    expect(new Set(folded.map((a) => a.summaryId)).size).toBe(1);
    clock.advance(60_000);
    await s.deliver();
    expect(r.received).toHaveLength(21);
  });

  it('retries after a 500 with back-off, then delivers once the robot answers', async () => {
    r.answer({ status: 500, body: { error: 'busy' } });
    const s = service();
    s.raise(anAlert());
    await s.idle();
    expect(r.received).toHaveLength(0);
    let [stored] = await outbox.list({}, { skip: 0, limit: 1 });
    expect(stored).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 500: {"error":"busy"}' });
    expect(stored?.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 60_000));
    await s.deliver(); // not due yet
    expect(r.received).toHaveLength(0);
    clock.advance(60_000);
    await s.deliver();
    expect(r.received).toHaveLength(1);
    [stored] = await outbox.list({}, { skip: 0, limit: 1 });
    expect(stored).toMatchObject({ state: 'sent', attempts: 2 });
    expect(await counter('alerts_failed_total')).toBe(1);
    expect(logs.find((l) => l.event === 'alert.delivery_failed')?.fields).toMatchObject({ attempts: 1 });
  });

  it('treats an errcode other than 0 as a failure (WeCom answers HTTP 200 when it refuses)', async () => {
    r.answer({ status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } });
    const s = service();
    s.raise(anAlert());
    await s.idle();
    expect(r.received).toHaveLength(0);
    const [stored] = await outbox.list({}, { skip: 0, limit: 1 });
    expect(stored).toMatchObject({ state: 'pending', lastError: 'errcode 45009: api freq out of limit' });
    clock.advance(60_000);
    await s.deliver();
    expect(r.received).toHaveLength(1);
  });

  it('keeps the robot key out of every error it records or logs when the robot cannot be reached', async () => {
    const closed = robot();
    closed.stop();
    const url = closed.url;
    const s = service('wecom', url);
    s.raise(anAlert());
    await s.idle();
    const [stored] = await outbox.list({}, { skip: 0, limit: 1 });
    expect(stored?.state).toBe('pending');
    expect(stored?.lastError).toBeTruthy();
    const everything = JSON.stringify({ stored, logs });
    expect(everything).not.toContain('693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
  });

  it('posts the generic JSON format, where a 2xx is a delivery', async () => {
    r.answer({ status: 200, body: {} });
    const s = service('json');
    s.raise(anAlert({ kind: 'statement_difference', key: '2026-11-26', severity: 'warning' }));
    await s.idle();
    expect(r.received[0]?.body).toMatchObject({
      kind: 'statement_difference',
      key: '2026-11-26',
      severity: 'warning',
      title: '订单 P1 重复支付',
      facts: { order_id: 1 },
    });
  });

  it('keeps a WeCom message within its 4096 bytes, cutting on a character boundary', async () => {
    const s = service();
    s.raise(anAlert({ text: '重复支付'.repeat(2000) }));
    await s.idle();
    const content = markdown(0);
    expect(new TextEncoder().encode(content).length).toBeLessThanOrEqual(4096);
    expect(content).not.toContain('\uFFFD');
    expect(content.endsWith('\n……')).toBe(true);
  });
});

import type { StoredAlert } from '../../domain/alert';
import type { AlertChannel } from '../../domain/ports';
import { err, ok } from '../../domain/result';

export type WebhookFormat = 'wecom' | 'json';

export interface WebhookOptions {
  /** Carries the robot's key (`…/webhook/send?key=…`): it never appears in an error or a log line. */
  readonly url: string;
  readonly format: WebhookFormat;
  readonly timeoutMs?: number;
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** WeCom refuses markdown content over 4096 bytes. */
const WECOM_MAX_BYTES = 4096;
const SEVERITY = { critical: '严重', warning: '警告' } as const;
const COLOR = { critical: 'warning', warning: 'comment' } as const;

function truncateBytes(text: string, max: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return text;
  // Cut on a character boundary: decoding a cut multi-byte sequence would add a U+FFFD.
  return `${new TextDecoder().decode(bytes.slice(0, max - 8)).replace(/\uFFFD+$/, '')}\n……`;
}

/** WeCom group robot markdown: `{"msgtype":"markdown","markdown":{"content":…}}`. */
export function wecomMessage(a: StoredAlert): object {
  const facts = Object.entries(a.facts).map(([k, v]) => `> ${k}: ${v === null ? '-' : String(v)}`);
  const content = [
    `**<font color="${COLOR[a.severity]}">【${SEVERITY[a.severity]}】</font>${a.title}**`,
    a.text,
    ...facts,
    `> 告警: ${a.id}`,
  ].join('\n');
  return { msgtype: 'markdown', markdown: { content: truncateBytes(content, WECOM_MAX_BYTES) } };
}

/** The generic format: the alert as JSON, for a relay of your own. */
export const jsonMessage = (a: StoredAlert): object => ({
  id: a.id,
  kind: a.kind,
  key: a.key,
  severity: a.severity,
  title: a.title,
  text: a.text,
  facts: a.facts,
  at: a.at.toISOString(),
  raised_at: a.raisedAt.toISOString(),
});

/** Anything that quotes the URL (or its key) is cut out of an error message before it is kept. */
export function redactUrl(message: string, url: string): string {
  let out = message.split(url).join('[webhook]');
  for (const v of new URL(url).searchParams.values())
    if (v.length >= 4) out = out.split(v).join('[REDACTED]');
  return out.replace(/([?&]key=)[^&\s"']+/gi, '$1[REDACTED]');
}

/**
 * Posts alerts to a webhook. A delivery counts only when the receiver says so: a 2xx, and for WeCom
 * also `errcode` 0 — WeCom answers HTTP 200 with `{"errcode":45009,…}` when its rate limit is hit.
 */
export function createWebhookChannel(opts: WebhookOptions): AlertChannel {
  const post = opts.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  return {
    async send(alert) {
      const body = JSON.stringify(opts.format === 'wecom' ? wecomMessage(alert) : jsonMessage(alert));
      try {
        const res = await post(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
        });
        const text = await res.text();
        if (res.status < 200 || res.status > 299)
          return err({ message: redactUrl(`HTTP ${res.status}: ${text.slice(0, 200)}`, opts.url) });
        if (opts.format !== 'wecom') return ok(undefined);
        let answer: { errcode?: unknown; errmsg?: unknown };
        try {
          answer = JSON.parse(text);
        } catch {
          return err({ message: redactUrl(`not JSON: ${text.slice(0, 200)}`, opts.url) });
        }
        if (answer.errcode === 0) return ok(undefined);
        return err({
          message: redactUrl(`errcode ${String(answer.errcode)}: ${String(answer.errmsg)}`, opts.url),
        });
      } catch (e) {
        const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        return err({ message: redactUrl(reason, opts.url) });
      }
    },
  };
}

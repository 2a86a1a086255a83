// The sandbox's side of WeChat message push (brief §6): signs and encrypts a message exactly as WeChat
// does, delivers it with WeChat's retries, and judges the receiver's answer as WeChat would.
import { randomBytes, randomInt } from 'node:crypto';
import { aesKeyOf, decryptPush, encryptPush, pushSignature } from '../wechat/push-crypto';

/** The development push credentials: the API's defaults outside production, and the sandbox's. */
export const DEV_PUSH_TOKEN = 'devwechatpushtoken';
export const DEV_PUSH_AES_KEY = 'ZGV2LW9ubHktd2VjaGF0LXB1c2gtYWVzLWtleS0zMmI';

export interface PushCredentials {
  /** Token of 消息推送配置. */
  readonly token: string;
  /** EncodingAESKey (43 chars). */
  readonly encodingAesKey: string;
  /** The mini program's appid, appended inside every ciphertext. */
  readonly appid: string;
}

export interface EncodeOptions {
  /** 安全模式 (encrypted, msg_signature) or 明文模式 (plain body, signature only). */
  readonly safeMode: boolean;
  /** Unix seconds, as a string (the query parameter). */
  readonly timestamp: string;
  readonly nonce: string;
  /** The 16 random bytes in front of the message (known-answer tests); fresh ones when absent. */
  readonly random16?: Buffer;
}

/** The query and body of one push request (JSON data format). */
export function encodePush(
  message: object,
  creds: PushCredentials,
  opts: EncodeOptions,
): { query: Record<string, string>; body: string } {
  const { timestamp, nonce } = opts;
  const signature = pushSignature([creds.token, timestamp, nonce]);
  const plain = JSON.stringify(message);
  if (!opts.safeMode) return { query: { signature, timestamp, nonce }, body: plain };
  const m = message as Record<string, unknown>;
  const encrypted = encryptPush(aesKeyOf(creds.encodingAesKey), plain, creds.appid, opts.random16);
  const query: Record<string, string> = {
    signature,
    timestamp,
    nonce,
    ...(typeof m.FromUserName === 'string' ? { openid: m.FromUserName } : {}),
    encrypt_type: 'aes',
    msg_signature: pushSignature([creds.token, timestamp, nonce, encrypted]),
  };
  const body = JSON.stringify({
    ToUserName: typeof m.ToUserName === 'string' ? m.ToUserName : '',
    Encrypt: encrypted,
  });
  return { query, body };
}

/**
 * Whether WeChat would take the answer as delivered: HTTP 200 and an empty body, `success`, or
 * `{"ErrCode":0}` — plain, or inside an encrypted reply whose MsgSignature checks out (brief §1.8, §6.3).
 */
export function isAcknowledged(status: number, text: string, creds: PushCredentials): boolean {
  if (status !== 200) return false;
  const body = text.trim();
  if (body === '' || body === 'success') return true;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (typeof v.Encrypt === 'string') {
    const signed = pushSignature([creds.token, String(v.TimeStamp), String(v.Nonce), v.Encrypt]);
    if (signed !== v.MsgSignature) return false;
    const plain = decryptPush(aesKeyOf(creds.encodingAesKey), v.Encrypt);
    if (!plain.ok || plain.appid !== creds.appid) return false;
    if (plain.message.trim() === 'success') return true;
    try {
      v = JSON.parse(plain.message) as Record<string, unknown>;
    } catch {
      return false;
    }
  }
  return v.ErrCode === 0;
}

/** Goods-delivery retry gaps (seconds) of xpay pushes, from the mini-game page (brief §1.8): 15 tries. */
export const PUSH_RETRY_SCHEDULE_SEC = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600,
] as const;

export interface PushFaults {
  /** Sign with a wrong token: the receiver must refuse it. */
  readonly badSignature?: boolean;
  /** Shift the timestamp by this many seconds (stale pushes). */
  readonly skewSeconds?: number;
  /** Put this appid inside the ciphertext instead of ours. */
  readonly wrongAppid?: string;
}

export interface PushAttempt {
  readonly attempt: number;
  /** null when the receiver was unreachable or timed out. */
  readonly status: number | null;
  readonly acknowledged: boolean;
  readonly answer: string | null;
  readonly error: string | null;
  readonly at: string;
}

export interface SendPushOptions {
  readonly safeMode: boolean;
  /** Milliseconds to wait before each redelivery of an unacknowledged push; [] = one try. */
  readonly retryDelaysMs?: readonly number[];
  /** WeChat gives the receiver 5 s. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  readonly faults?: PushFaults;
  /** Told of every attempt as it ends (a sandbox's delivery log). */
  readonly onAttempt?: (attempt: PushAttempt) => void;
  /** Stops further redeliveries (server shutdown, end of a test). */
  readonly signal?: AbortSignal;
}

/**
 * Delivers one push, signed anew per attempt (fresh timestamp and nonce, as a redelivery hours later
 * must still fall in the receiver's window), until the receiver acknowledges it or the retries run out.
 */
export async function sendPush(
  url: string,
  message: object,
  creds: PushCredentials,
  opts: SendPushOptions,
): Promise<{ acknowledged: boolean; attempts: PushAttempt[] }> {
  const fetchFn = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const delays = opts.retryDelaysMs ?? [];
  const faults = opts.faults ?? {};
  const attempts: PushAttempt[] = [];
  for (let n = 1; ; n++) {
    const timestamp = String(Math.floor(now().getTime() / 1000) + (faults.skewSeconds ?? 0));
    const nonce = String(randomInt(100_000_000, 2_000_000_000));
    const signing = {
      ...creds,
      ...(faults.badSignature ? { token: `${creds.token}x` } : {}),
      ...(faults.wrongAppid ? { appid: faults.wrongAppid } : {}),
    };
    const { query, body } = encodePush(message, signing, {
      safeMode: opts.safeMode,
      timestamp,
      nonce,
      random16: randomBytes(16),
    });
    const target = new URL(url);
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    let status: number | null = null;
    let answer: string | null = null;
    let error: string | null = null;
    try {
      const res = await fetchFn(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
      status = res.status;
      answer = await res.text();
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const acknowledged = status !== null && answer !== null && isAcknowledged(status, answer, creds);
    const attempt = { attempt: n, status, acknowledged, answer, error, at: now().toISOString() };
    attempts.push(attempt);
    opts.onAttempt?.(attempt);
    const delay = delays[n - 1];
    if (acknowledged || delay === undefined || opts.signal?.aborted) return { acknowledged, attempts };
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (opts.signal?.aborted) return { acknowledged, attempts };
  }
}

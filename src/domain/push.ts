/**
 * WeChat message push (消息推送): one endpoint receives every event of the mini program (xpay,
 * shipping, subscribe messages…). Verification and decryption are the adapter's; what is pure lives
 * here: which handler a message goes to, the freshness window and the replay key.
 */

/** A decrypted, parsed push (JSON mode): WeChat's own field names, e.g. `MsgType`, `Event`, `OpenId`. */
export type PushMessage = Readonly<Record<string, unknown>>;

/** What a handler made of a message: `ok: false` asks WeChat to deliver it again later. */
export type PushOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Handles one kind of message; must be idempotent (WeChat delivers up to 15 times). */
export type PushHandler = (message: PushMessage) => Promise<PushOutcome>;

/** Handlers by kind: the `Event` of `MsgType: "event"` messages, otherwise the `MsgType`. */
export type PushHandlers = ReadonlyMap<string, PushHandler>;

/** A push whose signature (and, in safe mode, decryption and appid) checked out. */
export interface VerifiedPush {
  readonly message: PushMessage;
  /** The query's `timestamp` (seconds) and `nonce`, and the signature that covered them. */
  readonly timestamp: string;
  readonly nonce: string;
  readonly signature: string;
  /** Arrived encrypted (安全模式): a reply other than `success` must be encrypted too. */
  readonly encrypted: boolean;
}

export type PushRejection =
  | 'missing_parameters'
  | 'bad_signature'
  | 'not_encrypted'
  | 'malformed_body'
  | 'bad_ciphertext'
  | 'wrong_appid';

/** The message-push security of our appid (adapters/wechat/push.ts). */
export interface PushVerifier {
  /** URL verification (GET): the `echostr` to send back when the signature is right, else null. */
  verifyUrl(query: Readonly<Record<string, string | undefined>>): string | null;
  /** A POSTed push: signature checked (msg_signature in safe mode), decrypted, appid checked, JSON parsed. */
  verify(
    query: Readonly<Record<string, string | undefined>>,
    rawBody: string,
  ):
    | { readonly ok: true; readonly push: VerifiedPush }
    | { readonly ok: false; readonly reason: PushRejection };
  /** The body of a reply other than `success`: encrypted and signed when the push was. */
  reply(push: VerifiedPush, plain: string, timestamp: string): string;
}

/** Field lookup that ignores case: the docs say `OpenId`, some SDKs `openid` (brief §1.8). */
export function field(message: PushMessage, name: string): unknown {
  if (name in message) return message[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(message)) if (key.toLowerCase() === lower) return message[key];
  return undefined;
}

/** The handler key of a message: `Event` for events, `MsgType` for anything else; null when neither. */
export function pushKind(message: PushMessage): string | null {
  const type = field(message, 'MsgType');
  const event = field(message, 'Event');
  if (type === 'event' || (type === undefined && typeof event === 'string'))
    return typeof event === 'string' && event !== '' ? event : null;
  return typeof type === 'string' && type !== '' ? type : null;
}

/** How far a push's `timestamp` may be from our clock (WeChat documents none; brief §6.3 policy). */
export const PUSH_WINDOW_MS = 5 * 60_000;

/** True when the query's `timestamp` (whole seconds) is within `windowMs` of `now`. */
export function isFresh(timestamp: string, now: Date, windowMs = PUSH_WINDOW_MS): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Number(timestamp) * 1000 - now.getTime()) <= windowMs;
}

/** One delivery is one (timestamp, nonce, signature); a second arrival of it is a replay. */
export const replayKey = (push: Pick<VerifiedPush, 'timestamp' | 'nonce' | 'signature'>): string =>
  `wxpush:${push.timestamp}:${push.nonce}:${push.signature.toLowerCase()}`;

import type { Clock, OnceKeys } from '../ports';
import {
  field,
  isFresh,
  PUSH_WINDOW_MS,
  type PushHandlers,
  type PushOutcome,
  pushKind,
  replayKey,
  type VerifiedPush,
} from '../push';

export interface PushDeps {
  readonly onceKeys: OnceKeys;
  readonly clock: Clock;
  readonly pushHandlers: PushHandlers;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * What to answer WeChat. `handled` and `ignored` are acknowledged (`success`); `failed` asks for a
 * redelivery; `stale` is refused; `replayed` is a second arrival of one delivery, whose handler is not
 * run again: answered as the first was when that one succeeded, refused while it is still running.
 */
export type PushAnswer =
  | { readonly kind: 'handled' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'stale' }
  | { readonly kind: 'replayed'; readonly firstSucceeded: boolean };

/** Notes left on a delivery's replay record for later arrivals of the same delivery. */
const SUCCEEDED = 'succeeded';
const FAILED = 'failed';

/**
 * A verified push: freshness, then one claim per (timestamp, nonce, signature) — an insert-unique
 * record that expires with the window — then the handler of its kind. A delivery whose handling
 * failed may be delivered again with the same parameters, so its record lets the next arrival through.
 */
export function receivePush(deps: PushDeps) {
  return async (push: VerifiedPush): Promise<PushAnswer> => {
    const kind = pushKind(push.message);
    const about = { kind, msg_type: field(push.message, 'MsgType') };
    const now = deps.clock.now();
    if (!isFresh(push.timestamp, now)) {
      deps.log('wechat_push.stale', { ...about, timestamp: push.timestamp });
      return { kind: 'stale' };
    }
    const key = replayKey(push);
    // Kept until the timestamp leaves the window: after that the freshness check refuses it anyway.
    const until = new Date(Number(push.timestamp) * 1000 + PUSH_WINDOW_MS + 60_000);
    const claim = await deps.onceKeys.claim(key, until);
    if (!claim.first && claim.note !== FAILED) {
      deps.log('wechat_push.replayed', { ...about, first: claim.note ?? 'in_flight' });
      return { kind: 'replayed', firstSucceeded: claim.note === SUCCEEDED };
    }
    const handler = kind === null ? undefined : deps.pushHandlers.get(kind);
    if (!handler) {
      deps.log('wechat_push.unhandled', { ...about, fields: Object.keys(push.message).slice(0, 20) });
      await deps.onceKeys.note(key, SUCCEEDED);
      return { kind: 'ignored' };
    }
    let outcome: PushOutcome;
    try {
      outcome = await handler(push.message);
    } catch (e) {
      deps.log('wechat_push.handler_error', { ...about, error: e instanceof Error ? e.message : String(e) });
      outcome = { ok: false, reason: 'handler error' };
    }
    await deps.onceKeys.note(key, outcome.ok ? SUCCEEDED : FAILED);
    if (outcome.ok) return { kind: 'handled' };
    deps.log('wechat_push.failed', { ...about, reason: outcome.reason });
    return { kind: 'failed', reason: outcome.reason };
  };
}

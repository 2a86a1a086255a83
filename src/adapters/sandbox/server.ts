import { gatewayRoutes } from './gateway';
import { type Handler, json } from './http';
import { loginRoutes } from './login';
import { createNotifier, type Delivery } from './notifier';
import { merchantKey } from './paysign';
import { refundControlRoutes } from './refunds';
import { simulatorRoutes } from './simulator';
import { newState, type SandboxContext } from './state';
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN, type PushCredentials } from './wechat-push';
import { shippingSimulator } from './wechat-shipping';
import { tokenSimulator } from './wechat-token';
import { mountXpay, type XpaySettings } from './xpay/mount';

export interface SandboxOptions {
  /** The mini-program appid the prepays and logins are for (≤32 chars, starts with `wx`). */
  readonly appid: string;
  /** One of the API's GATEWAY_CALLBACK_SECRET list; signs every callback. */
  readonly callbackSecret: string;
  /** Multiplier for callback retry delays (1 = WeChat's schedule). */
  readonly timeScale?: number;
  /** Merchant private key PEM for paySign; a fresh RSA-2048 key when absent. */
  readonly merchantKeyPem?: string;
  /** The sandbox's clock (expiry, prepay TTL, callback timestamps). */
  readonly now?: () => Date;
  /** Used for callback deliveries. */
  readonly fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** access_token lifetime and stable-mode overlap in seconds (WeChat: 7200 and 300). */
  readonly tokenLifetimeSeconds?: number;
  readonly tokenOverlapSeconds?: number;
  /** Message-push credentials shared with the API (WECHAT_PUSH_TOKEN, WECHAT_PUSH_AES_KEY). */
  readonly push?: PushCredentials;
  /** Extra route groups tried after the built-in ones (e.g. the WeChat Pay v3 simulator). */
  readonly routes?: readonly Handler[];
  /** Filled by the login simulator: each user's current session_key (the xpay simulator reads it). */
  readonly sessionKeys?: Map<string, string>;
  /** Mounts the xpay simulator (/xpay/*, /xpaysim/*) with these AppKeys, offerId and push URL. */
  readonly xpay?: XpaySettings;
}

export interface Sandbox {
  readonly fetch: (req: Request) => Promise<Response>;
  readonly appid: string;
  /** PEM of the merchant public key, for anyone who wants to verify paySign themselves. */
  readonly publicKeyPem: string;
  deliveries(): readonly Delivery[];
  /** Cancels pending callback retries. */
  stop(): void;
}

/** The in-memory gateway + WeChat simulator. Serve it with `Bun.serve({ port, fetch: sandbox.fetch })`. */
export function createSandbox(opts: SandboxOptions): Sandbox {
  if (!/^wx[0-9A-Za-z]{1,30}$/.test(opts.appid))
    throw new Error(`sandbox appid must be wx… (≤32 chars): ${opts.appid}`);
  if (!opts.callbackSecret) throw new Error('sandbox callback secret must not be empty');
  const now = opts.now ?? (() => new Date());
  const tokens = tokenSimulator({
    appid: opts.appid,
    lifetimeSeconds: opts.tokenLifetimeSeconds ?? 7200,
    overlapSeconds: opts.tokenOverlapSeconds ?? 300,
    now,
  });
  const ctx: SandboxContext = {
    appid: opts.appid,
    key: merchantKey(opts.merchantKeyPem),
    state: newState(),
    now,
    tokens,
    push: opts.push ?? { token: DEV_PUSH_TOKEN, encodingAesKey: DEV_PUSH_AES_KEY, appid: opts.appid },
  };
  const sessionKeys = opts.sessionKeys ?? new Map<string, string>();
  const xpay = opts.xpay
    ? mountXpay(opts.xpay, {
        timeScale: opts.timeScale ?? 1,
        sessionKeys,
        checkToken: (url) => tokens.check(url),
        push: ctx.push,
      })
    : undefined;
  const notifier = createNotifier({
    secret: opts.callbackSecret,
    timeScale: opts.timeScale ?? 1,
    now,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });

  // Route groups tried in order; a new simulator (e.g. WeChat Pay v3 under ./v3/) is one more entry.
  const handlers: readonly Handler[] = [
    async (req, url) => (req.method === 'GET' && url.pathname === '/health' ? json({ status: 'ok' }) : null),
    loginRoutes(opts.appid, sessionKeys),
    gatewayRoutes(ctx, notifier),
    simulatorRoutes(ctx, notifier),
    refundControlRoutes(ctx, notifier),
    tokens.handle,
    shippingSimulator(tokens, (tx) => {
      for (const t of ctx.state.trades.values()) if (t.transactionId === tx) return t;
      return null;
    }),
    ...(xpay ? [xpay.handle] : []),
    ...(opts.routes ?? []),
  ];

  return {
    appid: opts.appid,
    publicKeyPem: ctx.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    deliveries: () => notifier.deliveries(),
    stop: () => {
      notifier.stop();
      xpay?.stop();
    },
    async fetch(req) {
      const url = new URL(req.url);
      try {
        for (const handle of handlers) {
          const res = await handle(req, url);
          if (res) return res;
        }
        return json({ error: 'not found', path: url.pathname }, 404);
      } catch (e) {
        console.error('sandbox: unhandled error', e);
        return json({ code: 500, message: 'sandbox internal error' }, 500);
      }
    },
  };
}

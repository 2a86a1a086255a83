// A faithful local WeChat Pay v3 for one merchant, as a mountable route group
// `(req, url) => Promise<Response | null>` (null = not ours) and as a standalone `fetch`.
import { createV3Api } from './api';
import { createControl } from './control';
import { type Faults, noFaults } from './faults';
import { createGate, createSigner, type Signer } from './gate';
import {
  generateMerchant,
  generateWechatpayKey,
  type MerchantIdentity,
  type WechatpaySigningKey,
} from './keys';
import { createNotifier, type Notifier } from './notifier';
import { createRefunds } from './refunds';
import { createTrades, type Trades } from './trades';

export interface V3SimulatorOptions {
  /** The registered merchant; a fresh one is generated when absent (read it back from `.merchant`). */
  readonly merchant?: MerchantIdentity;
  /** WeChat's signing keys, the first being the default: a `PUB_KEY_ID_…` key and/or platform certificates. */
  readonly wechatpayKeys?: readonly WechatpaySigningKey[];
  /** `alternate` rotates notification signatures over all keys, as during a public-key migration. */
  readonly notifySigning?: 'default' | 'alternate';
  readonly nowMs?: () => number;
  /** Scales the notification retry schedule (default 1 = real time). */
  readonly timeScale?: number;
  /** A refund reaches its outcome this long after it was accepted (default 0: right after the answer). */
  readonly refundDelayMs?: number;
  /** Real WeChat demands https notify URLs; local runs need http (default true). */
  readonly allowHttpNotify?: boolean;
  readonly serialMismatchAs500?: boolean;
  /** Used for notification delivery (default global fetch). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export interface V3Simulator {
  /** Mountable: answers /v3/* and /v3sim/*, null for anything else. */
  readonly handle: (req: Request, url: URL) => Promise<Response | null>;
  /** Standalone: `Bun.serve({ port: 0, fetch: sim.fetch })`. */
  readonly fetch: (req: Request) => Promise<Response>;
  readonly merchant: MerchantIdentity;
  readonly wechatpayKeys: readonly WechatpaySigningKey[];
  readonly trades: Trades;
  readonly notifier: Notifier;
  faults: Faults;
  stop(): void;
}

export function createV3Simulator(opts: V3SimulatorOptions = {}): V3Simulator {
  const merchant = opts.merchant ?? generateMerchant();
  const keys = opts.wechatpayKeys?.length ? opts.wechatpayKeys : [generateWechatpayKey()];
  const nowMs = opts.nowMs ?? Date.now;
  const signer = createSigner(keys, nowMs);
  const trades = createTrades(merchant, nowMs);
  let turn = 0;
  const notifySigner: Signer =
    opts.notifySigning === 'alternate'
      ? {
          ...signer,
          headers: (body, o) => signer.headers(body, { ...o, serial: keys[turn++ % keys.length]!.serial }),
        }
      : signer;
  const sim = {
    faults: noFaults(),
  } as { faults: Faults };
  const notifier = createNotifier({
    merchant,
    signer: notifySigner,
    faults: () => sim.faults.notify,
    fetch: opts.fetch ?? ((url, init) => fetch(url, init)),
    timeScale: opts.timeScale ?? 1,
  });
  const refunds = createRefunds({
    trades,
    nowMs,
    delayMs: opts.refundDelayMs ?? 0,
    mchid: merchant.mchid,
    allowHttpNotify: opts.allowHttpNotify ?? true,
    planned: () => sim.faults.refund.outcome ?? 'SUCCESS',
    notify: (url, outTradeNo, resource, kind) => void notifier.notify(url, outTradeNo, resource, kind),
  });
  const api = createV3Api({
    gate: createGate({ merchant, nowMs, serialMismatchAs500: opts.serialMismatchAs500 }),
    signer,
    faults: () => sim.faults,
    trades,
    refunds,
    certificates: keys,
    apiV3Key: merchant.apiV3Key,
    allowHttpNotify: opts.allowHttpNotify ?? true,
  });
  const control = createControl({
    merchant,
    publicKeyId: keys[0]!.serial,
    publicKeyPem: keys[0]!.publicPem,
    trades,
    refunds,
    notifier,
    nowMs,
    getFaults: () => sim.faults,
    setFaults: (f) => {
      sim.faults = f;
    },
  });
  const handle = async (req: Request, url: URL): Promise<Response | null> => {
    if (url.pathname.startsWith('/v3/')) return api(req, url);
    if (url.pathname.startsWith('/v3sim/')) return control(req, url);
    return null;
  };
  return Object.assign(sim, {
    handle,
    fetch: async (req: Request) =>
      (await handle(req, new URL(req.url))) ?? new Response('not found', { status: 404 }),
    merchant,
    wechatpayKeys: keys,
    trades,
    notifier,
    stop: () => {
      notifier.stop();
      refunds.stop();
    },
  });
}

// The /v3/* endpoints: gate → fault injection → trade book → signed answer.
import { aeadEncrypt } from '../../payment/wechatpay/crypto';
import { type Endpoint, type Faults, takeHttpFault } from './faults';
import type { GateResult, Signer } from './gate';
import type { WechatpaySigningKey } from './keys';
import type { createRefunds } from './refunds';
import type { Answer, Trades } from './trades';
import { validatePrepay } from './validate';

export interface ApiDeps {
  readonly gate: (req: Request, url: URL, rawBody: string) => GateResult;
  readonly signer: Signer;
  readonly faults: () => Faults;
  readonly trades: Trades;
  readonly refunds: ReturnType<typeof createRefunds>;
  readonly certificates: readonly WechatpaySigningKey[];
  readonly apiV3Key: string;
  readonly allowHttpNotify: boolean;
}

type Route = { endpoint: Endpoint | 'certificates'; run: (body: Record<string, unknown> | null) => Answer };

const TRADE = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/;
const REFUND = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/;

function route(d: ApiDeps, method: string, path: string): Route | undefined {
  const trade = TRADE.exec(path);
  const no = trade ? decodeURIComponent(trade[1]!) : '';
  const refund = REFUND.exec(path);
  if (method === 'POST' && path === '/v3/pay/transactions/jsapi')
    return {
      endpoint: 'prepay',
      run: (b) => {
        const p = validatePrepay(b ?? {}, d.allowHttpNotify);
        return 'code' in p ? { status: 400, body: p } : d.trades.prepay(p);
      },
    };
  if (trade && !trade[2] && method === 'GET') return { endpoint: 'query', run: () => d.trades.query(no) };
  if (trade?.[2] && method === 'POST') return { endpoint: 'close', run: () => d.trades.close(no) };
  if (method === 'POST' && path === '/v3/refund/domestic/refunds')
    return { endpoint: 'refund', run: (b) => d.refunds.create(b ?? {}) };
  if (refund && method === 'GET')
    return { endpoint: 'refund_query', run: () => d.refunds.query(decodeURIComponent(refund[1]!)) };
  if (method === 'GET' && path === '/v3/certificates')
    return { endpoint: 'certificates', run: () => certificates(d) };
  return undefined;
}

/** Public-key-only merchants have no platform certificate (brief §4a). */
function certificates(d: ApiDeps): Answer {
  const certs = d.certificates.filter((k) => k.publicPem.includes('BEGIN CERTIFICATE'));
  if (certs.length === 0)
    return {
      status: 404,
      body: {
        code: 'RESOURCE_NOT_EXISTS',
        message: '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥',
      },
    };
  const data = certs.map((c) => {
    const nonce = Math.random().toString(36).slice(2, 14).padEnd(12, '0');
    const ciphertext = aeadEncrypt(d.apiV3Key, nonce, 'certificate', c.publicPem);
    return {
      serial_no: c.serial,
      encrypt_certificate: {
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'certificate',
        nonce,
        ciphertext,
      },
    };
  });
  return { status: 200, body: { data } };
}

export function createV3Api(d: ApiDeps) {
  return async (req: Request, url: URL): Promise<Response> => {
    const rawBody = await req.text();
    const serial = req.headers.get('wechatpay-serial'); // in a migration WeChat signs with the key asked for
    const r = route(d, req.method, url.pathname);
    if (!r) return d.signer.respond(404, { code: 'NOT_FOUND', message: '请求的资源不存在' }, { serial });
    const gate = d.gate(req, url, rawBody);
    if (!gate.ok) return d.signer.respond(gate.status, gate.body, { serial });
    const fault = r.endpoint === 'certificates' ? undefined : takeHttpFault(d.faults(), r.endpoint);
    if (fault?.kind === 'timeout') await Bun.sleep(fault.holdMs ?? 15_000);
    if (fault?.kind === '500' || fault?.kind === 'timeout')
      return d.signer.respond(500, { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' }, { serial });
    if (fault?.kind === '429')
      return d.signer.respond(429, { code: 'FREQUENCY_LIMITED', message: '频率超限' }, { serial });
    const answer = r.run(gate.body);
    if (fault?.kind === 'lost_response') {
      // Carried out, but the answer is lost on the way: the caller cannot know it happened.
      if (fault.holdMs) await Bun.sleep(fault.holdMs);
      return d.signer.respond(500, { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' }, { serial });
    }
    return d.signer.respond(answer.status, answer.body, {
      serial,
      badSignature: fault?.kind === 'bad_signature',
    });
  };
}

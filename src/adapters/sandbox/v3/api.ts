// The /v3/* endpoints: gate → fault injection → trade book → signed answer.
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
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

const BILL_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const yuan = (fen: number) => (fen / 100).toFixed(2);
/** `2023-07-01 12:01:00`, Beijing time, as the bill prints it. */
const billTime = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

/** The day's trade bill (bill_type=ALL) in WeChat's CSV shape: backtick-prefixed fields, totals last. */
function tradeBill(d: ApiDeps, date: string): string {
  const row = (fields: readonly (string | number)[]) => fields.map((f) => `\`${f}`).join(',');
  const onDay = (ms: number | null): ms is number => ms !== null && billTime(ms).startsWith(date);
  const lines: string[] = [];
  // 27 columns, in BILL_HEADER's order.
  for (const t of d.trades.all()) {
    if (!onDay(t.successAtMs)) continue;
    const head = [
      billTime(t.successAtMs),
      'wx',
      'mch',
      '0',
      '',
      t.transactionId ?? '',
      t.outTradeNo,
      t.openid,
    ];
    const money = [
      'JSAPI',
      'SUCCESS',
      'OTHERS',
      'CNY',
      yuan(t.total),
      '0.00',
      '0',
      '0',
      '0.00',
      '0.00',
      '',
      '',
    ];
    lines.push(row([...head, ...money, t.description, '', '0.00', '0.60%', yuan(t.total), '0.00', '']));
  }
  for (const r of d.refunds.all()) {
    if (r.status !== 'SUCCESS' || !onDay(r.finishedAtMs)) continue;
    const head = [billTime(r.finishedAtMs), 'wx', 'mch', '0', '', r.transactionId, r.outTradeNo, ''];
    const money = [
      'JSAPI',
      'REFUND',
      'OTHERS',
      'CNY',
      '0.00',
      '0.00',
      r.refundId,
      r.outRefundNo,
      yuan(r.refund),
    ];
    const tail = ['0.00', 'ORIGINAL', 'SUCCESS', '', '', '0.00', '0.60%', yuan(r.total), yuan(r.refund), ''];
    lines.push(row([...head, ...money, ...tail]));
  }
  const totals =
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
  return `${[BILL_HEADER, ...lines, totals, row([lines.length, '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])].join('\r\n')}\r\n`;
}

export function createV3Api(d: ApiDeps) {
  /** Generated bills by download token: the file is served (unsigned, gzip) only to a signed GET. */
  const bills = new Map<string, Uint8Array>();
  return async (req: Request, url: URL): Promise<Response> => {
    const rawBody = await req.text();
    const serial = req.headers.get('wechatpay-serial'); // in a migration WeChat signs with the key asked for
    if (
      req.method === 'GET' &&
      (url.pathname === '/v3/bill/tradebill' || url.pathname === '/v3/billdownload/file')
    ) {
      const gate = d.gate(req, url, rawBody);
      if (!gate.ok) return d.signer.respond(gate.status, gate.body, { serial });
      if (url.pathname === '/v3/billdownload/file') {
        const file = bills.get(url.searchParams.get('token') ?? '');
        return file
          ? new Response(file, { headers: { 'content-type': 'application/octet-stream' } })
          : d.signer.respond(404, { code: 'RESOURCE_NOT_EXISTS', message: '账单文件不存在' }, { serial });
      }
      const date = url.searchParams.get('bill_date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        return d.signer.respond(400, { code: 'PARAM_ERROR', message: '参数错误: bill_date' }, { serial });
      const csv = Buffer.from(tradeBill(d, date), 'utf8');
      const token = randomUUID();
      bills.set(token, gzipSync(csv));
      return d.signer.respond(
        200,
        {
          hash_type: 'SHA1',
          hash_value: createHash('sha1').update(csv).digest('hex'),
          download_url: `${url.origin}/v3/billdownload/file?token=${token}`,
        },
        { serial },
      );
    }
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

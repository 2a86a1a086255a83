// WeChat's side of the signature protocol: the request gate of brief §13 and response signing.
import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import {
  parseAuthorization,
  parseVerifierKey,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
  SIGNATURE_TYPE,
} from '../../payment/wechatpay/crypto';
import type { MerchantIdentity, WechatpaySigningKey } from './keys';

export interface SignOptions {
  /** Which of our keys to sign with; the default key when absent or unknown. */
  readonly serial?: string | null;
  readonly skewSeconds?: number;
  readonly signtest?: boolean;
  readonly wrongSerial?: boolean;
  readonly badSignature?: boolean;
}

export interface Signer {
  headers(rawBody: string, opts?: SignOptions): Record<string, string>;
  respond(status: number, body: object | null, opts?: SignOptions): Response;
}

export function createSigner(keys: readonly WechatpaySigningKey[], nowMs: () => number): Signer {
  const bySerial = new Map(
    keys.map((k) => [k.serial.toUpperCase(), createPrivateKey(k.privateKeyPem)] as const),
  );
  const fallback = keys[0]!.serial.toUpperCase();
  const headers = (rawBody: string, o: SignOptions = {}): Record<string, string> => {
    const serial = o.serial && bySerial.has(o.serial.toUpperCase()) ? o.serial.toUpperCase() : fallback;
    const ts = String(Math.floor(nowMs() / 1000) + (o.skewSeconds ?? 0));
    const nonce = randomBytes(16).toString('hex');
    let signature = rsaSign(responseMessage(ts, nonce, rawBody), bySerial.get(serial)!);
    if (o.signtest) signature = `WECHATPAY/SIGNTEST/${randomBytes(24).toString('base64')}`;
    else if (o.badSignature)
      signature = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    return {
      'Content-Type': 'application/json; charset=utf-8',
      'Request-ID': `08${randomBytes(20).toString('hex').toUpperCase()}-${Date.now() % 1e9}`,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Serial': o.wrongSerial ? 'PUB_KEY_ID_0000000000000000000000000000000000' : serial,
      'Wechatpay-Signature-Type': SIGNATURE_TYPE,
      'Wechatpay-Signature': signature,
    };
  };
  return {
    headers,
    // 204s and errors are signed too, as observed on real WeChat.
    respond(status, body, opts) {
      const raw = body === null ? '' : JSON.stringify(body);
      return new Response(status === 204 ? null : raw, { status, headers: headers(raw, opts) });
    },
  };
}

export type GateResult =
  | { readonly ok: true; readonly body: Record<string, unknown> | null }
  | { readonly ok: false; readonly status: number; readonly body: object };

const fail = (status: number, code: string, message: string, detail?: object): GateResult => ({
  ok: false,
  status,
  body: detail ? { code, message, detail } : { code, message },
});

export interface GateOptions {
  readonly merchant: MerchantIdentity;
  readonly nowMs: () => number;
  /** Real WeChat has been seen answering a serial mismatch with 500 SYSTEM_ERROR. */
  readonly serialMismatchAs500?: boolean;
}

export function createGate(o: GateOptions): (req: Request, url: URL, rawBody: string) => GateResult {
  const merchantKey: KeyObject = parseVerifierKey(o.merchant.merchantPublicKeyPem);
  return (req, url, rawBody) => {
    if (!req.headers.get('accept') || !req.headers.get('user-agent'))
      return fail(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent');
    const auth = parseAuthorization(req.headers.get('authorization') ?? '');
    if (!auth)
      return fail(401, 'SIGN_ERROR', 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
    if (auth.mchid !== o.merchant.mchid) return fail(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (auth.serial_no.toUpperCase() !== o.merchant.merchantSerial.toUpperCase())
      return o.serialMismatchAs500
        ? fail(500, 'SYSTEM_ERROR', '系统繁忙，请稍后重试')
        : fail(401, 'SIGN_ERROR', '商户证书序列号有误。请使用签名私钥匹配的证书序列号');
    if (!/^\d+$/.test(auth.timestamp) || Math.abs(o.nowMs() / 1000 - Number(auth.timestamp)) > 300)
      return fail(401, 'SIGN_ERROR', 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟');
    const pathWithQuery = url.pathname + url.search;
    const message = requestMessage(req.method, pathWithQuery, auth.timestamp, auth.nonce_str, rawBody);
    if (!rsaVerify(message, auth.signature, merchantKey))
      return fail(401, 'SIGN_ERROR', '签名错误，请检查后再试', {
        detail: { issue: 'sign not match' },
        field: 'signature',
        location: 'authorization',
        sign_information: {
          method: req.method,
          sign_message_length: Buffer.byteLength(message),
          truncated_sign_message: message.slice(0, 64),
          url: pathWithQuery,
        },
      });
    const queryMchid = url.searchParams.get('mchid');
    if (queryMchid !== null && queryMchid !== auth.mchid)
      return fail(400, 'PARAM_ERROR', 'mchid与Authorization不一致');
    if (rawBody === '') return { ok: true, body: null };
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return fail(400, 'PARAM_ERROR', '请求体格式错误');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return fail(400, 'PARAM_ERROR', '请求体格式错误');
    const b = body as Record<string, unknown>;
    if (b.mchid !== undefined && b.mchid !== auth.mchid)
      return fail(400, 'PARAM_ERROR', 'mchid与Authorization不一致', {
        field: '/mchid',
        value: b.mchid,
        issue: 'mchid mismatch',
        location: 'body',
      });
    if (b.appid !== undefined && b.appid !== o.merchant.appid)
      return fail(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配,请检查后再试');
    return { ok: true, body: b };
  };
}

import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ProviderError, Statements } from '../../../domain/payment';
import { err, ok, type Result } from '../../../domain/result';
import type { Statement, StatementRefund, StatementTrade } from '../../../domain/statement';
import type { ApiClient } from './client';

const unavailable = (message: string) => err<ProviderError>({ kind: 'provider_unavailable', message });

/** `9.90` yuan → 990 fen; anything else is unreadable. */
const fen = (yuan: string | undefined): number | null => {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan ?? '');
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : null;
};

/**
 * The trade bill (交易账单, `bill_type=ALL`): a header line, one line per trade or refund with every
 * field prefixed by a backtick, then the totals after `总交易单数`. Columns are found by name.
 */
export function parseTradeBill(date: string, csv: string): Result<Statement, ProviderError> {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const at = {
    time: col('交易时间'),
    transactionId: col('微信订单号'),
    outTradeNo: col('商户订单号'),
    state: col('交易状态'),
    total: col('订单金额'),
    outRefundNo: col('商户退款单号'),
    refund: col('退款金额'),
    refundStatus: col('退款状态'),
  };
  if (Object.values(at).some((i) => i < 0)) return unavailable(`trade bill ${date}: unexpected header`);
  const trades: StatementTrade[] = [];
  const refunds: StatementRefund[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('总交易单数')) break;
    if (line.trim() === '') continue;
    const f = line.split(',').map((v) => v.replace(/^`/, '').trim());
    const outTradeNo = f[at.outTradeNo] ?? '';
    if (f[at.state] === 'SUCCESS') {
      const amountFen = fen(f[at.total]);
      if (!outTradeNo || amountFen === null) return unavailable(`trade bill ${date}: unreadable trade row`);
      const time = f[at.time] ?? '';
      const paidAt = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(time)
        ? new Date(`${time.replace(' ', 'T')}+08:00`)
        : null;
      trades.push({ outTradeNo, transactionId: f[at.transactionId] || null, amountFen, paidAt });
    } else if (f[at.state] === 'REFUND') {
      if (f[at.refundStatus] !== 'SUCCESS') continue;
      const refundFen = fen(f[at.refund]);
      const outRefundNo = f[at.outRefundNo] ?? '';
      if (!outRefundNo || refundFen === null) return unavailable(`trade bill ${date}: unreadable refund row`);
      refunds.push({ outRefundNo, outTradeNo, refundFen });
    }
  }
  return ok({ date, trades, refunds });
}

/**
 * `GET /v3/bill/tradebill?bill_date=` (signed answer: `hash_type`, `hash_value`, `download_url`), then
 * the file (gzip, unsigned) whose SHA1 must match. A bill not generated yet (`NO_STATEMENT_EXIST`),
 * a hash mismatch or an unreadable row is "unavailable": tried again later, never half-used.
 */
export function createWechatPayStatements(api: ApiClient): Statements {
  return {
    async download(date) {
      const asked = await api.call('GET', `/v3/bill/tradebill?bill_date=${date}&bill_type=ALL&tar_type=GZIP`);
      if (!asked.ok) return asked;
      const j = asked.value.json ?? {};
      if (asked.value.status !== 200)
        return unavailable(`trade bill ${date}: ${String(j.code ?? asked.value.status)}`);
      if (j.hash_type !== 'SHA1' || typeof j.hash_value !== 'string' || typeof j.download_url !== 'string')
        return unavailable(`trade bill ${date}: malformed answer`);
      const file = await api.download(j.download_url);
      if (!file.ok) return file;
      let csv: Buffer;
      try {
        csv = gunzipSync(file.value);
      } catch {
        return unavailable(`trade bill ${date}: not gzip`);
      }
      if (createHash('sha1').update(csv).digest('hex') !== j.hash_value.toLowerCase())
        return unavailable(`trade bill ${date}: SHA1 mismatch`);
      return parseTradeBill(date, csv.toString('utf8'));
    },
  };
}

// A tiny mini-program client: the same HTTP calls a real client makes, so the flow numbers include
// every round-trip a purchase costs.

import { call, type Json, requestPaymentArgs } from '../scripts/client';

export { call, type Json, login } from '../scripts/client';

/** create → pay → wx.requestPayment in the sandbox → poll payment-status until completed. */
export async function purchaseFlow(api: string, sandbox: string, token: string): Promise<void> {
  const created = await call(api, 'POST', '/api/orders/create', { token, body: { product_id: 1 } });
  if (created.status !== 200) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const orderId = created.body.order_id as number;
  const pay = await call(api, 'POST', `/api/orders/pay/${orderId}`, { token });
  if (pay.status !== 200) throw new Error(`pay: ${pay.status} ${JSON.stringify(pay.body)}`);
  const wx = await call(sandbox, 'POST', '/sandbox/request-payment', {
    body: requestPaymentArgs(pay.body.payment_data as Json),
  });
  if (wx.status !== 200) throw new Error(`requestPayment: ${wx.status} ${JSON.stringify(wx.body)}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const st = await call(api, 'GET', `/api/orders/payment-status/${orderId}`, { token });
    if (st.status === 200 && st.body.status === 'completed') return;
    if (st.status !== 200 || (st.body.status !== 'pending' && st.body.status !== 'paid'))
      throw new Error(`payment-status: ${st.status} ${JSON.stringify(st.body)}`);
    if (Date.now() > deadline) throw new Error(`order ${orderId} not completed within 10 s`);
    await Bun.sleep(10);
  }
}

export interface CreditMismatch {
  user: string;
  credits: number;
  expected: number;
}

/** Users whose balance is not 100 credits per completed flow: a lost or doubled grant. */
export async function creditMismatches(
  api: string,
  payers: readonly string[],
  completed: readonly number[],
): Promise<CreditMismatch[]> {
  const balances = await Promise.all(
    payers.map(async (token) => (await call(api, 'GET', '/api/users/me', { token })).body.credits as number),
  );
  return balances
    .map((credits, i) => ({ user: `bench_payer_${i}`, credits, expected: 100 * (completed[i] ?? 0) }))
    .filter((b) => b.credits !== b.expected);
}

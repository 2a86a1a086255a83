// A tiny client from the mini-program's point of view, over real HTTP. Shared by the end-to-end
// tests and the benchmark so both exercise exactly the calls a real client makes.

// biome-ignore lint/suspicious/noExplicitAny: callers read arbitrary JSON shapes and assert on them.
export type Json = Record<string, any>;

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let codes = 0;

/** Logs in as the sandbox user `name` with a fresh code (`name.<n>`), as wx.login() gives one per login. */
export async function login(base: string, name: string): Promise<string> {
  const code = `${name}.${process.pid}x${++codes}`;
  const res = await call(base, 'POST', '/api/auth/login', { body: { code } });
  if (res.status !== 200) throw new Error(`login ${code} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** The object the mini-program hands to wx.requestPayment, built from our pay response. */
export const requestPaymentArgs = (paymentData: Json) => ({
  timeStamp: paymentData.timeStamp,
  nonceStr: paymentData.nonceStr,
  package: paymentData.packageValue,
  signType: paymentData.signType,
  paySign: paymentData.paySign,
});

// Every operator console page and admin API GET against a large store: `bun bench/console-pages.ts`
// (BENCH_CONSOLE_SIZE, default 100000 documents per growing collection). Finds which pages become slow.
//
// The store: bench/dataset.ts's users, orders, settlements, payment claims, status records and ledger
// entries (spread over 30 days by hour; orders: every 5th cancelled, every 997th refunded, every 3rd
// at ¥19.90, as bench/order-list.ts, with the hour directory those orders would have written), plus the
// other collections console pages list — reviews, alerts, payment events, refund attempts and events,
// operator audit entries, shipments — cloned by PostgreSQL from one template each made through our
// adapters, as dataset.ts does. Then the app is composed in-process (`compose(loadConfig(env), env,
// conn)`), an operator logs in through the login form, an admin user through /api/auth/login (the
// sandbox plays WeChat), and every GET is timed through `app.handle`, body read to the end.
// Prints a markdown table sorted by median, slowest first. Writes nothing into the repository.
import { SQL } from 'bun';
import type { Connection } from 'mongoose';
import { prepareDatabase } from '../scripts/search-indexes';
import { connectMongo, mongoRepositories } from '../src/adapters/mongo';
import { HourDirectory } from '../src/adapters/mongo/hour-directory';
import { sandboxOpenid } from '../src/adapters/sandbox/login';
import { loadConfig } from '../src/app/config';
import { compose } from '../src/app/container';
import { hourOf } from '../src/domain/figures';
import { createOperator } from '../src/domain/operators/manage';
import { localDay } from '../src/domain/time';
import { backfillOrderList } from '../src/domain/usecases/backfill';
import { CALLBACK_SECRET, SANDBOX_APPID, startSandbox } from '../tests/sandbox/harness';
import { anOrder } from '../tests/support/builders';
import { alertClones, enterAlertHours, makeAlertTemplates } from './alert-store';
import { type Extra, growExtras, Tables } from './clones';
import { Dataset } from './dataset';
import { varyOrders } from './grown-store';
import { percentile } from './load';
import { cleanup, onCleanup, startDb } from './processes';

const SIZE = Number(process.env.BENCH_CONSOLE_SIZE ?? 100_000);
/** Open orders (pending, paid) of one user, with real order numbers (P + 14 digits + 8). */
const OPEN = Number(process.env.BENCH_CONSOLE_OPEN ?? 50);
const RUNS = 3;
/** Requests slower than this (median) are run once more with their database commands recorded. */
const SLOW_MS = Number(process.env.BENCH_CONSOLE_SLOW_MS ?? 1000);
/** An audit (POST /api/admin/audit) reads the whole store on purpose; one run unless told otherwise. */
const AUDIT_RUNS = Number(process.env.BENCH_CONSOLE_AUDIT_RUNS ?? 1);
const TZ = 'Asia/Shanghai';
const BASE = 'http://bench.local';
const USERNAME = 'benchadmin';
const PASSWORD = 'bench console password';

const lpad = (i: number) => String(i).padStart(12, '0');

function extras(nowHour: number, operatorId: number): Extra[] {
  const hour = `(${nowHour} - (i % 720))`;
  // The same instant as the Dataset gives order i (created_at), so an order's records line up.
  const at = `(${hour}::bigint * 3600000 + (i::bigint * 7919) % 3600000)`;
  const local = `(to_timestamp(${at} / 1000.0) AT TIME ZONE '${TZ}')`;
  const day = `to_char(${local}, 'YYYY-MM-DD')`;
  const orderNo = `'B' || lpad(i::text, 12, '0')`;
  const refundNo = `'R' || lpad(i::text, 12, '0')`;
  const exp = (plusMs: string) => `((${at} + ${plusMs}) / 60000 + 1)`;
  return [
    {
      // Every 50th review still open; the rest resolved an hour later.
      collection: 'reviews',
      variants: [
        {
          id: '0:unresolved',
          where: 'i % 50 = 0',
          fields: { _id: `i || ':unresolved'`, order_id: 'i', order_no: orderNo, created_at: at },
        },
        {
          id: '0:second_payment',
          where: 'i % 50 <> 0',
          fields: {
            _id: `i || ':second_payment'`,
            order_id: 'i',
            order_no: orderNo,
            created_at: at,
            resolved_at: `${at} + 3600000`,
          },
        },
      ],
    },
    {
      // The "all" view's entries (review-list.ts), one per review.
      collection: 'review_list',
      variants: [
        {
          id: '0:unresolved',
          where: 'i % 50 = 0',
          fields: { _id: `i || ':unresolved'`, created_hour: hour, created_at: at },
        },
        {
          id: '0:second_payment',
          where: 'i % 50 <> 0',
          fields: { _id: `i || ':second_payment'`, created_hour: hour, created_at: at },
        },
      ],
    },
    alertClones(nowHour),
    {
      // One event per order; every 100th concerns no known order (listed by day).
      collection: 'payment_events',
      variants: [
        {
          id: 'bench-event-matched',
          where: 'i % 100 <> 0',
          fields: {
            _id: `lpad(i::text, 12, '0') || '-bench'`,
            order_key: orderNo,
            order_no: orderNo,
            day,
            at,
            exp: exp('15552000000'),
          },
        },
        {
          id: 'bench-event-unmatched',
          where: 'i % 100 = 0',
          fields: {
            _id: `lpad(i::text, 12, '0') || '-bench'`,
            order_key: `'unmatched:' || ${day}`,
            day,
            at,
            exp: exp('15552000000'),
          },
        },
      ],
    },
    {
      collection: 'refund_attempts',
      variants: [
        {
          id: '0:1',
          where: 'true',
          fields: {
            _id: `i || ':1'`,
            order_id: 'i',
            out_refund_no: refundNo,
            created_at: at,
            state: `'succeeded'::text`,
          },
        },
      ],
    },
    {
      collection: 'refund_events',
      variants: [
        {
          id: 'R000000000000:final',
          where: 'true',
          fields: {
            _id: `${refundNo} || ':final'`,
            out_refund_no: refundNo,
            refund_id: `'RF' || lpad(i::text, 12, '0')`,
            at: `${at} + 60000`,
          },
        },
      ],
    },
    {
      // Every 10th entry by the operator who logs in (the page's actor filter finds those).
      collection: 'operator_audit',
      variants: [
        {
          id: 'bench-audit-template',
          where: 'true',
          fields: {
            _id: `'bench-audit-' || i`,
            at,
            day,
            hour: `extract(hour from ${local})::int`,
            actor_id: `CASE WHEN i % 10 = 0 THEN ${operatorId} ELSE 1000000 + i % 7 END`,
            actor_username: `CASE WHEN i % 10 = 0 THEN '${USERNAME}' ELSE 'op' || (i % 7) END`,
            target_id: 'i::text',
            target_key: `'order:' || i`,
          },
        },
      ],
    },
    {
      collection: 'shipments',
      variants: [{ id: '0', where: 'true', fields: { _id: 'i', order_no: orderNo, at: `${at} + 120000` } }],
    },
  ];
}

/** Makes one template document per variant through our adapters (so it has exactly their shape). */
async function makeTemplates(conn: Connection, operatorId: number): Promise<void> {
  const repos = mongoRepositories(conn);
  const t = new Date('2026-01-01T00:00:00Z');
  await repos.reviews.open({
    orderId: 0,
    orderNo: 'B000000000000',
    reason: 'unresolved',
    detail: '巡检期限已到，支付状态仍未确定',
    createdAt: t,
  });
  await repos.reviews.open({
    orderId: 0,
    orderNo: 'B000000000000',
    reason: 'second_payment',
    detail: '同一订单收到两笔支付',
    createdAt: t,
  });
  await repos.reviews.resolve(
    '0:second_payment',
    '已与用户核实并人工退款',
    new Date(t.getTime() + 3_600_000),
  );
  await makeAlertTemplates(repos.alertOutbox, t);
  const event = {
    day: '2026-01-01',
    at: t,
    type: 'provider_call' as const,
    action: 'createPayment' as const,
    outcome: 'ok',
    message: null,
    summary: '发起预支付：成功（84 ms）',
    durationMs: 84,
    detail: { request: { amount_fen: 990 }, answer: { packageValue: 'prepay_id=wx27…' } },
    expiresAt: new Date(t.getTime() + 180 * 86_400_000),
  };
  await repos.paymentEvents.record({ ...event, id: 'bench-event-matched', orderNo: 'B000000000000' });
  await repos.paymentEvents.record({
    ...event,
    id: 'bench-event-unmatched',
    orderNo: null,
    type: 'notification',
    action: 'callback',
    outcome: 'rejected',
    summary: '收到支付网关回调：已拒绝——订单不存在',
  });
  await repos.refunds.claim({
    orderId: 0,
    attempt: 1,
    outRefundNo: 'R000000000000',
    refundFen: 990,
    reason: '用户申请退款',
    createdAt: t,
  });
  await repos.refunds.record({
    outRefundNo: 'R000000000000',
    stage: 'final',
    outcome: 'succeeded',
    refundId: 'RF000000000000',
    detail: '',
    source: 'follow',
    at: t,
  });
  await repos.operatorAudit.record({
    id: 'bench-audit-template',
    at: t,
    day: '2026-01-01',
    hour: 8,
    actor: { id: operatorId, username: USERNAME },
    ip: '10.0.0.8',
    action: 'order.sync',
    target: { kind: 'order', id: '0' },
    before: { status: 'paid' },
    after: { status: 'completed', message: '已完成' },
    reason: null,
  });
  await repos.shipments.record({ orderId: 0, orderNo: 'B000000000000', result: 'uploaded', at: t });
}

type Handler = (request: Request) => Promise<Response>;

interface Case {
  name: string;
  path: string;
  api?: boolean;
  runs?: number;
  /** Statuses that are right for this request (default 200). */
  ok?: number[];
}
interface Result {
  name: string;
  ms: number[];
  status: number;
  bytes: number;
  note?: string;
}

async function main() {
  const started = performance.now();
  const db = await startDb();
  const mongoUri = `${db.mongoUri}/bench_console_pages`;
  await prepareDatabase(mongoUri, db.postgresUrl);
  const sandbox = startSandbox();
  onCleanup(() => sandbox.stop());
  // Command monitoring on, for the breakdown of the slow requests at the end (no listener until then).
  const conn = await connectMongo(`${mongoUri}?monitorCommands=true`);
  onCleanup(() => conn.close());
  const nowHour = hourOf(new Date());

  // --- load ---------------------------------------------------------------------------------------
  const loadStarted = performance.now();
  const data = await Dataset.create(conn, db.postgresUrl, SIZE, nowHour);
  console.error(`growing the Dataset collections to ${SIZE}…`);
  const datasetSeconds = await data.growTo(SIZE);
  // The orders a shop's mix, with the hour directory they would have written (as bench/order-list.ts).
  await varyOrders(data, conn, SIZE, nowHour);
  await data.close();
  const repos = mongoRepositories(conn);
  // Orders in flight, with real order numbers: the pending / paid lists and the search by number.
  const now = new Date();
  const openNos: string[] = [];
  for (let i = 0; i < OPEN; i++) {
    for (const status of ['pending', 'paid'] as const) {
      const orderNo = `P${now.toISOString().replace(/\D/g, '').slice(0, 14)}${String(openNos.length).padStart(8, '0')}`;
      openNos.push(orderNo);
      await repos.orders.create(
        anOrder({
          userId: SIZE + 1,
          status,
          orderNo,
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(now.getTime() + 1_800_000),
        }),
      );
    }
  }
  // The credit snapshot a running shop has (the dashboard adds the hours after it), as bench/dashboard.ts.
  await repos.figureStore.saveSnapshot({
    throughHour: nowHour - 36,
    issued: 0,
    spent: 0,
    takenBack: 0,
    outstanding: 0,
    createdAt: now,
  });

  const env = {
    NODE_ENV: 'test',
    TZ,
    MONGODB_URI: mongoUri,
    GATEWAY_URL: sandbox.url,
    WECHAT_API_BASE: sandbox.url,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9',
    GATEWAY_CALLBACK_SECRET: CALLBACK_SECRET,
    RECONCILE_INTERVAL_SECONDS: '0',
    RATE_LIMITS: 'off',
    // The true time of a slow page, not the 15 s deadline's 503.
    REQUEST_TIMEOUT_SECONDS: '0',
    JWT_ACCESS_SECONDS: '86400',
    LOG_LEVEL: 'warn',
    ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'bench-admin'),
  };
  const composed = await compose(loadConfig(env), env, conn);
  const { deps } = composed;
  const handle: Handler = (request) => composed.app.handle(request);
  const acting = { actor: { id: null, username: 'bench' }, ip: 'bench' };
  const created = await createOperator(deps)(acting, {
    username: USERNAME,
    role: 'admin',
    password: PASSWORD,
  });
  if (!created.ok) throw new Error(`operator: ${JSON.stringify(created.error)}`);

  await makeTemplates(conn, created.value.id);
  const sql = new SQL(db.postgresUrl, { max: 1 });
  onCleanup(() => sql.close());
  const tables = new Tables(sql, conn.db!.databaseName);
  console.error(`growing reviews, alerts, payment events, refunds, operator audit, shipments to ${SIZE}…`);
  const extraStarted = performance.now();
  await growExtras(tables, extras(nowHour, created.value.id), SIZE);
  await enterAlertHours(conn, SIZE, nowHour);
  const reviewHours = new HourDirectory(conn, 'review');
  for (let h = 0; h < Math.min(SIZE, 720); h++) await reviewHours.note(['all'], nowHour - h);
  await reviewHours.markComplete();
  const extraSeconds = (performance.now() - extraStarted) / 1000;
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const counts: string[] = [];
  for (const c of [
    'users',
    'orders',
    'ledger',
    'reviews',
    'alerts',
    'payment_events',
    'refund_attempts',
    'refund_events',
    'operator_audit',
    'shipments',
  ]) {
    const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${await tables.of(c)}`);
    counts.push(`${c} ${row.n}`);
  }
  console.error(
    `loaded in ${loadSeconds.toFixed(0)} s (Dataset ${datasetSeconds.toFixed(0)} s, others ${extraSeconds.toFixed(0)} s): ${counts.join(', ')}`,
  );

  // --- log in -------------------------------------------------------------------------------------
  const cookies = new Map<string, string>();
  const send = async (
    path: string,
    init: { form?: Record<string, string>; token?: string; cookies?: boolean } = {},
  ) => {
    const headers = new Headers();
    if (init.cookies !== false && cookies.size)
      headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await handle(new Request(`${BASE}${path}`, { method: body ? 'POST' : 'GET', headers, body }));
    if (init.cookies !== false)
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      }
    return res;
  };
  const loginPage = await (await send('/admin/login')).text();
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(loginPage)?.[1];
  if (!loginCsrf) throw new Error('no _csrf on /admin/login');
  const login = await send('/admin/login', {
    form: { _csrf: loginCsrf, username: USERNAME, password: PASSWORD },
  });
  await login.text();
  if (login.status !== 303 && login.status !== 302) throw new Error(`console login: ${login.status}`);
  const apiLogin = await handle(
    new Request(`${BASE}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'bench-admin.1' }),
    }),
  );
  const token = ((await apiLogin.json()) as { access_token?: string }).access_token;
  if (!token) throw new Error(`api login: ${apiLogin.status}`);

  // --- the hour directory: a new store's backfill finds nothing to enter and marks it complete -----
  const backfillStarted = performance.now();
  // Through the use case the app's start-up job runs (src/app/jobs.ts): it hands the store the repair
  // step `Orders.backfillHours` now takes; the store's own pass is `deps.orders.backfillHours`.
  const backfill = await backfillOrderList(deps, () => false);
  const backfillMs = performance.now() - backfillStarted;
  console.error(`backfillHours: ${JSON.stringify(backfill)} in ${backfillMs.toFixed(0)} ms`);

  // --- what is timed ------------------------------------------------------------------------------
  // A completed ¥9.90 order in the middle of the store (every 5th is cancelled, every 3rd ¥19.90).
  let orderId = Math.floor(SIZE / 2) + 1;
  while (orderId % 5 === 0 || orderId % 3 === 0 || orderId % 997 === 0) orderId++;
  const userId = orderId;
  const transaction = `T${lpad(orderId)}`;
  const day = localDay(new Date((nowHour - 48) * 3_600_000), TZ);
  const realNo = openNos[0]!;
  const products = await deps.products.listAll({ skip: 0, limit: 1 });
  const productId = products[0]?.id ?? 1;
  const statementDate = localDay(new Date(Date.now() - 2 * 86_400_000), TZ);
  const consoleCases: Case[] = [
    { name: 'GET /admin/orders (default)', path: '/admin/orders' },
    { name: 'GET /admin/orders?status=cancelled', path: '/admin/orders?status=cancelled' },
    { name: 'GET /admin/orders?status=refunded', path: '/admin/orders?status=refunded' },
    { name: 'GET /admin/orders?status=pending', path: '/admin/orders?status=pending' },
    { name: 'GET /admin/orders?amount=19.90', path: '/admin/orders?amount=19.90' },
    { name: 'GET /admin/orders?from=to= (one day)', path: `/admin/orders?from=${day}&to=${day}` },
    { name: 'GET /admin/orders?page=51', path: '/admin/orders?page=51' },
    { name: 'GET /admin/orders?status=completed&page=51', path: '/admin/orders?status=completed&page=51' },
    { name: 'GET /admin/orders?order_no=P… (order number)', path: `/admin/orders?order_no=${realNo}` },
    { name: 'GET /admin/orders?order_no=T… (transaction)', path: `/admin/orders?order_no=${transaction}` },
    { name: 'GET /admin/orders?user_id=<id>', path: `/admin/orders?user_id=${userId}` },
    { name: 'GET /admin/orders?user_id=<openid>', path: `/admin/orders?user_id=bench_bg_${userId}` },
    { name: 'GET /admin/orders/export.csv (all, 10,000 rows)', path: '/admin/orders/export.csv' },
    {
      name: 'GET /admin/orders/export.csv?status=refunded',
      path: '/admin/orders/export.csv?status=refunded',
    },
    { name: 'GET /admin/orders/{id} (detail + timeline)', path: `/admin/orders/${orderId}` },
    { name: 'GET /admin/orders/{id}/refund (quote)', path: `/admin/orders/${orderId}/refund` },
    { name: 'GET /admin/users', path: '/admin/users' },
    { name: 'GET /admin/users?q=<id> (303)', path: `/admin/users?q=${userId}`, ok: [303] },
    { name: 'GET /admin/users?q=<openid> (303)', path: `/admin/users?q=bench_bg_${userId}`, ok: [303] },
    { name: 'GET /admin/users/{id}', path: `/admin/users/${userId}` },
    { name: 'GET /admin/users/{id}?page=2', path: `/admin/users/${userId}?page=2` },
    { name: 'GET /admin/users/{id}/ledger.csv', path: `/admin/users/${userId}/ledger.csv` },
    { name: 'GET /admin/products', path: '/admin/products' },
    { name: 'GET /admin/products?page=2', path: '/admin/products?page=2' },
    { name: 'GET /admin/products/new', path: '/admin/products/new' },
    { name: 'GET /admin/products/{id}', path: `/admin/products/${productId}` },
    { name: 'GET /admin/reviews (open)', path: '/admin/reviews' },
    { name: 'GET /admin/reviews?all=1', path: '/admin/reviews?all=1' },
    { name: 'GET /admin/reviews?page=51', path: '/admin/reviews?page=51' },
    { name: 'GET /admin/reviews?all=1&page=51', path: '/admin/reviews?all=1&page=51' },
    { name: 'GET /admin/alerts', path: '/admin/alerts' },
    { name: 'GET /admin/alerts?state=failed', path: '/admin/alerts?state=failed' },
    { name: 'GET /admin/alerts?page=51', path: '/admin/alerts?page=51' },
    { name: 'GET /admin/statements', path: '/admin/statements' },
    { name: 'GET /admin/statements?page=2', path: '/admin/statements?page=2' },
    {
      name: 'GET /admin/statements/{date} (none: 404)',
      path: `/admin/statements/${statementDate}`,
      ok: [404],
    },
    { name: 'GET /admin/audit-log (today)', path: '/admin/audit-log' },
    { name: 'GET /admin/audit-log?day=', path: `/admin/audit-log?day=${day}` },
    { name: 'GET /admin/audit-log?day=&actor=', path: `/admin/audit-log?day=${day}&actor=${USERNAME}` },
    {
      name: 'GET /admin/audit-log?day=&kind=order&target=',
      path: `/admin/audit-log?day=${day}&kind=order&target=${orderId}`,
    },
    { name: 'GET /admin/audit-log?day=&page=3', path: `/admin/audit-log?day=${day}&page=3` },
    { name: 'GET /admin/operators', path: '/admin/operators' },
    { name: 'GET /admin/operators?page=2', path: '/admin/operators?page=2' },
    { name: 'GET /admin/account', path: '/admin/account' },
    { name: 'GET /admin/static/console.css', path: '/admin/static/console.css' },
    { name: 'GET /admin/no-such-page (404)', path: '/admin/no-such-page', ok: [404] },
  ];
  const apiCases: Case[] = [
    { name: 'GET /api/admin/orders/', path: '/api/admin/orders/' },
    { name: 'GET /api/admin/orders/?status=cancelled', path: '/api/admin/orders/?status=cancelled' },
    { name: 'GET /api/admin/orders/?status=paid', path: '/api/admin/orders/?status=paid' },
    { name: 'GET /api/admin/orders/?skip=1000', path: '/api/admin/orders/?skip=1000' },
    { name: 'GET /api/admin/orders/?from&to (one day)', path: `/api/admin/orders/?from=${day}&to=${day}` },
    { name: 'GET /api/admin/orders/?user_id=', path: `/api/admin/orders/?user_id=${userId}` },
    { name: 'GET /api/admin/orders/?order_no=', path: `/api/admin/orders/?order_no=${realNo}` },
    { name: 'GET /api/admin/orders/{id}/refund', path: `/api/admin/orders/${orderId}/refund` },
    { name: 'GET /api/admin/orders/{id}/timeline', path: `/api/admin/orders/${orderId}/timeline` },
    {
      name: 'GET /api/admin/orders/{id}/timeline?limit=2',
      path: `/api/admin/orders/${orderId}/timeline?limit=2`,
    },
    { name: 'GET /api/admin/payment-events/unmatched (today)', path: '/api/admin/payment-events/unmatched' },
    {
      name: 'GET /api/admin/payment-events/unmatched?date=',
      path: `/api/admin/payment-events/unmatched?date=${day}`,
    },
    { name: 'GET /api/admin/products/', path: '/api/admin/products/' },
    { name: 'GET /api/admin/users/{id}', path: `/api/admin/users/${userId}` },
    { name: 'GET /api/admin/users/{id}/transactions', path: `/api/admin/users/${userId}/transactions` },
    { name: 'GET /api/admin/reviews/ (open)', path: '/api/admin/reviews/' },
    { name: 'GET /api/admin/reviews/?open=false', path: '/api/admin/reviews/?open=false' },
    { name: 'GET /api/admin/reviews/?skip=1000', path: '/api/admin/reviews/?skip=1000' },
    { name: 'GET /api/admin/alerts/', path: '/api/admin/alerts/' },
    { name: 'GET /api/admin/alerts/?state=failed', path: '/api/admin/alerts/?state=failed' },
    { name: 'GET /api/admin/alerts/?skip=1000', path: '/api/admin/alerts/?skip=1000' },
    { name: 'GET /api/admin/statements/', path: '/api/admin/statements/' },
    {
      name: 'GET /api/admin/statements/{date} (none: 404)',
      path: `/api/admin/statements/${statementDate}`,
      ok: [404],
    },
  ].map((c) => ({ ...c, api: true }));

  const results: Result[] = [];
  const caseOf = new Map<string, Case>();
  for (const c of [...consoleCases, ...apiCases]) caseOf.set(c.name, c);
  const timeOne = async (c: Case, extraPath = '') => {
    const t = performance.now();
    const res = await send(c.path + extraPath, c.api ? { token, cookies: false } : {});
    const body = await res.arrayBuffer();
    return {
      ms: performance.now() - t,
      status: res.status,
      bytes: body.byteLength,
      text: () => new TextDecoder().decode(body),
    };
  };
  const run = async (c: Case) => {
    const ms: number[] = [];
    let last = { status: 0, bytes: 0 };
    for (let r = 0; r < (c.runs ?? RUNS); r++) {
      const one = await timeOne(c);
      ms.push(one.ms);
      last = one;
      if (!(c.ok ?? [200]).includes(one.status)) {
        console.error(`!! ${c.name}: status ${one.status}: ${one.text().slice(0, 300)}`);
      }
    }
    results.push({ name: c.name, ms, status: last.status, bytes: last.bytes });
    console.error(
      `${c.name}: ${ms.map((x) => x.toFixed(0)).join(' / ')} ms (${last.status}, ${last.bytes} B)`,
    );
  };

  // The dashboard: the very first of this database (the page waits 3 s, then says 正在统计), then,
  // once that computation has stored the hours' sums, a forced recompute (?refresh=1 recomputes a
  // dashboard older than 5 s) and the page as served within its 60 s TTL.
  {
    const first = await timeOne({ name: 'GET /admin', path: '/admin' });
    const computing = first.text().includes('data-testid="computing"');
    results.push({
      name: 'GET /admin (first of the database)',
      ms: [first.ms],
      status: first.status,
      bytes: first.bytes,
      note: computing ? 'answered 正在统计 after the 3 s wait' : undefined,
    });
    console.error(`GET /admin (first): ${first.ms.toFixed(0)} ms, computing=${computing}`);
    const waitStarted = performance.now();
    for (;;) {
      await Bun.sleep(2000);
      const again = await timeOne({ name: 'GET /admin', path: '/admin' });
      if (!again.text().includes('data-testid="computing"')) break;
    }
    console.error(
      `first dashboard computed after ~${((performance.now() - waitStarted) / 1000 + first.ms / 1000).toFixed(0)} s`,
    );
    const refresh: number[] = [];
    let status = 0;
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      await Bun.sleep(5200);
      const one = await timeOne({ name: 'GET /admin?refresh=1', path: '/admin?refresh=1' });
      refresh.push(one.ms);
      status = one.status;
      bytes = one.bytes;
    }
    results.push({ name: 'GET /admin?refresh=1 (recomputed)', ms: refresh, status, bytes });
    console.error(`GET /admin?refresh=1: ${refresh.map((x) => x.toFixed(0)).join(' / ')}`);
  }
  await run({ name: 'GET /admin (within the 60 s TTL)', path: '/admin' });
  for (const c of consoleCases) await run(c);
  for (const c of apiCases) await run(c);
  // The login page, logged out (no cookies).
  {
    const ms: number[] = [];
    let status = 0;
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const res = await send('/admin/login', { cookies: false });
      bytes = (await res.arrayBuffer()).byteLength;
      status = res.status;
      ms.push(performance.now() - t);
    }
    results.push({ name: 'GET /admin/login (logged out)', ms, status, bytes });
  }
  // The audit runs in the background (POST answers 202 at once): timed from the POST to the first
  // GET (polled each second) that no longer shows it running, when its report is stored.
  const auditMs: number[] = [];
  let auditStatus = 0;
  for (let r = 0; r < AUDIT_RUNS; r++) {
    const t = performance.now();
    const started = await handle(
      new Request(`${BASE}/api/admin/audit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    await started.arrayBuffer();
    if (started.status !== 202) console.error(`!! POST /api/admin/audit: status ${started.status}`);
    for (let running = true; running; ) {
      await Bun.sleep(1000);
      const res = await send('/api/admin/audit', { token, cookies: false });
      auditStatus = res.status;
      running = res.ok && ((await res.json()) as { running: boolean }).running;
    }
    auditMs.push(performance.now() - t);
  }
  if (auditMs.length > 0) {
    const name = 'POST /api/admin/audit → report stored (whole-store audit)';
    results.push({ name, ms: auditMs, status: auditStatus, bytes: 0 });
    console.error(`${name}: ${auditMs.map((x) => x.toFixed(0)).join(' / ')} ms`);
  }
  await run({ name: 'GET /api/admin/audit (latest stored report)', path: '/api/admin/audit', api: true });

  // --- what the slow ones send: each request over SLOW_MS once more, its database commands grouped --
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const breakdowns: string[] = [];
  const client = conn.getClient();
  for (const r of results) {
    const c = caseOf.get(r.name);
    if (!c || median(r.ms) < SLOW_MS) continue;
    const groups = new Map<string, { n: number; ms: number; docs: number }>();
    const started = new Map<number, string>();
    const cursors = new Map<string, string>();
    const onStart = (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
      const cmd = e.command;
      const coll = String(cmd[e.commandName] ?? '');
      let key: string;
      if (e.commandName === 'getMore') key = cursors.get(String(cmd.getMore)) ?? `getMore ${cmd.collection}`;
      else {
        const pipeline = cmd.pipeline as Record<string, unknown>[] | undefined;
        const filter =
          cmd.filter ??
          cmd.query ??
          pipeline?.[0]?.$match ??
          (cmd.deletes || cmd.updates ? '(write)' : undefined);
        const json = (v: unknown) => JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v);
        const sort = cmd.sort ? ` sort ${json(cmd.sort)}` : '';
        const paging = `${cmd.skip ? ` skip ${cmd.skip}` : ''}${cmd.limit ? ` limit ${cmd.limit}` : ''}`;
        const what =
          e.commandName === 'aggregate' && pipeline?.some((st) => '$group' in st) ? 'count' : e.commandName;
        // Values of 3+ digits (hours, ids, days) become N, so one query per hour groups as one.
        key = `${what} ${coll} ${filter === undefined ? '' : json(filter)}${sort}${paging}`.replace(
          /\d{3,}/g,
          'N',
        );
      }
      started.set(e.requestId, key);
    };
    const onDone = (e: { requestId: number; duration: number; reply: Record<string, unknown> }) => {
      const key = started.get(e.requestId);
      if (!key) return;
      const cursor = e.reply?.cursor as
        | { id?: unknown; firstBatch?: unknown[]; nextBatch?: unknown[] }
        | undefined;
      if (cursor?.id && String(cursor.id) !== '0') cursors.set(String(cursor.id), key);
      const docs = (cursor?.firstBatch ?? cursor?.nextBatch ?? []).length || Number(e.reply?.n ?? 0);
      const g = groups.get(key) ?? { n: 0, ms: 0, docs: 0 };
      g.n++;
      g.ms += e.duration;
      g.docs += docs;
      groups.set(key, g);
    };
    client.on('commandStarted', onStart as never);
    client.on('commandSucceeded', onDone as never);
    const one = await timeOne(c);
    client.off('commandStarted', onStart as never);
    client.off('commandSucceeded', onDone as never);
    const top = [...groups]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 4)
      .map(
        ([key, g]) =>
          `  - ${g.ms.toFixed(0)} ms in ${g.n} × \`${key.replace(/\s+/g, ' ').slice(0, 220)}\` (${g.docs} docs returned)`,
      );
    const total = [...groups.values()].reduce((a, g) => a + g.ms, 0);
    const count = [...groups.values()].reduce((a, g) => a + g.n, 0);
    breakdowns.push(
      `- **${r.name}**: ${one.ms.toFixed(0)} ms, ${count} commands taking ${total.toFixed(0)} ms:\n${top.join('\n')}`,
    );
  }

  // --- report -------------------------------------------------------------------------------------
  results.sort((a, b) => median(b.ms) - median(a.ms));
  const rows = results
    .map(
      (r) =>
        `| ${r.name} | ${median(r.ms).toFixed(0)} | ${Math.max(...r.ms).toFixed(0)} | ${r.ms.length} | ${r.status} | ${r.bytes.toLocaleString('en')}${r.note ? ` | ${r.note}` : ' |'}`,
    )
    .join('\n');
  console.log(`## Console pages and admin API GETs at ${SIZE.toLocaleString('en')} documents

Run on ${new Date().toISOString()} · \`bun bench/console-pages.ts\` · loaded in ${loadSeconds.toFixed(0)} s (Dataset ${datasetSeconds.toFixed(0)} s, other collections ${extraSeconds.toFixed(0)} s) · backfillHours ${backfillMs.toFixed(0)} ms · took ${((performance.now() - started) / 1000).toFixed(0)} s.
Rows: ${counts.join(', ')}.

| request | median ms | max ms | runs | status | bytes | note |
|---|--:|--:|--:|--:|--:|---|
${rows}

Database commands of the requests over ${SLOW_MS} ms (one more run each, the slowest groups):

${breakdowns.join('\n') || '(none)'}
`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

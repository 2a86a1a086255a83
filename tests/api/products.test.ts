import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { type HttpHarness, httpHarness } from './harness';

const FIELDS = [
  'id',
  'name',
  'description',
  'credits',
  'price',
  'image_url',
  'is_active',
  'sort_order',
  'created_at',
  'updated_at',
];

describe('GET /api/products (SPEC §1.1–1.2)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await httpHarness();
  });
  afterAll(() => h.stop());

  it("lists the seed's two packages with exactly the seed's fields, in order", async () => {
    const res = await h.request('GET', '/api/products/');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
    for (const p of res.body) expect(Object.keys(p)).toEqual(FIELDS);
    expect(res.body[0]).toMatchObject({
      id: 1,
      name: '100积分套餐',
      description: '购买100积分',
      credits: 100,
      price: 9.9,
      is_active: true,
      sort_order: 1,
    });
    expect(res.body[1]).toMatchObject({
      id: 2,
      name: '500积分套餐',
      credits: 500,
      price: 39.9,
      sort_order: 2,
    });
    expect(res.body[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('pages with skip and limit', async () => {
    expect(
      (await h.request('GET', '/api/products/?skip=1&limit=1')).body.map((p: { id: number }) => p.id),
    ).toEqual([2]);
    expect((await h.request('GET', '/api/products/?skip=5')).body).toEqual([]);
  });

  // Canonical decimals only, as the ids: Number() would read 0x2, 1e1, +1, 05 and ' 5' as numbers.
  const BAD_PAGES = [
    'limit=0',
    'limit=101',
    'skip=-1',
    'limit=abc',
    'skip=1.5',
    'limit=0x2',
    'limit=1e1',
    'limit=%2B1',
    'limit=05',
    'limit=%205',
    'skip=1e0',
  ];
  for (const q of BAD_PAGES) {
    it(`rejects ?${q} with 400 {detail}, on the catalog and on my orders`, async () => {
      const res = await h.request('GET', `/api/products/?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/^请求参数错误: (skip|limit) /);
      const { token } = await h.login('bad-page');
      const mine = await h.request('GET', `/api/orders/?${q}`, { token });
      expect(mine.status).toBe(400);
      expect(mine.body.detail).toMatch(/^请求参数错误: (skip|limit) /);
    });
  }

  it('returns one product with the same fields', async () => {
    const res = await h.request('GET', '/api/products/2');
    expect(Object.keys(res.body)).toEqual(FIELDS);
    expect(res.body.price).toBe(39.9);
  });

  it('answers 404 商品不存在 for an unknown or inactive product', async () => {
    await h.deps.products.seed(
      [
        {
          id: 9,
          name: 'x',
          description: '',
          credits: 1,
          priceFen: 1,
          imageUrl: null,
          isActive: false,
          sortOrder: 9,
          xpayProductId: null,
        },
      ],
      new Date(),
    );
    for (const id of [3, 9]) {
      const res = await h.request('GET', `/api/products/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: '商品不存在' });
    }
  });

  // Decimal digits only: not every string Number() reads (one product answered to many paths).
  for (const id of [
    'abc',
    '1.5',
    '-1',
    '0',
    '99999999999999999999',
    '0x2',
    '1e0',
    '+1',
    '1.',
    '%201',
    '01',
    // Past the largest id (2147483647): refused like any malformed one, not looked up.
    '2147483648',
    '9999999999',
  ]) {
    it(`answers 400 for product id ${id}`, async () => {
      const res = await h.request('GET', `/api/products/${id}`);
      expect(res.status).toBe(400);
      expect(typeof res.body.detail).toBe('string');
    });
  }
});

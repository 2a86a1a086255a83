import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import {
  compareItems,
  decodeCursor,
  encodeCursor,
  pageOf,
  positionOf,
  RANK,
  type TimelineItem,
  type TimelinePosition,
} from '../../src/domain/timeline';

const T0 = Date.UTC(2023, 6, 1, 4);
const anItem = (atMs: number, key: string, rank?: number): TimelineItem => ({
  at: new Date(T0 + atMs),
  kind: 'provider_query',
  source: 'payment_events',
  summary: key,
  detail: {},
  key,
  ...(rank === undefined ? {} : { rank }),
});

/** Items with unique keys, many sharing an instant (the hard case for ordering and paging). */
const items = fc
  .uniqueArray(
    fc.record({
      at: fc.integer({ min: 0, max: 5 }),
      key: fc.string({ minLength: 1, maxLength: 6 }),
      rank: fc.option(fc.constantFrom(...Object.values(RANK)), { nil: undefined }),
    }),
    { selector: (i) => i.key, maxLength: 40 },
  )
  .map((xs) => xs.map((x) => anItem(x.at, x.key, x.rank)));

describe('timeline order', () => {
  it('is total and stable: any input order sorts to the same list (property)', () => {
    fc.assert(
      fc.property(items, fc.infiniteStream(fc.double({ noNaN: true })), (xs, noise) => {
        const shuffled = [...xs]
          .map((x) => ({ x, r: noise.next().value }))
          .sort((a, b) => a.r - b.r)
          .map(({ x }) => x);
        expect([...shuffled].sort(compareItems)).toEqual([...xs].sort(compareItems));
      }),
    );
  });

  it('puts cause before effect within one millisecond', () => {
    const at = 7;
    const story = [
      anItem(at, 'status:completed', RANK.statusLate),
      anItem(at, 'ledger:1', RANK.purchase),
      anItem(at, 'status:paid', RANK.statusEarly),
      anItem(at, 'settlement', RANK.settlement),
      anItem(at, 'pe:zz', RANK.providerOrCallback),
      anItem(at, 'order', RANK.order),
    ].sort(compareItems);
    expect(story.map((i) => i.key)).toEqual([
      'order',
      'pe:zz',
      'settlement',
      'status:paid',
      'ledger:1',
      'status:completed',
    ]);
  });

  it('pages from the newest back: every item exactly once, in order (property)', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 7 }), (xs, limit) => {
        const pages: TimelineItem[][] = [];
        let before: TimelinePosition | null = null;
        for (let i = 0; i <= xs.length; i++) {
          const page = pageOf(xs, limit, before);
          pages.unshift([...page.items]);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          if (!page.nextCursor) break;
          before = decodeCursor(page.nextCursor);
          expect(before).not.toBeNull();
        }
        expect(pages.flat()).toEqual([...xs].sort(compareItems));
      }),
    );
  });

  it('reads back every cursor it writes, and refuses anything else', () => {
    fc.assert(
      fc.property(
        items.filter((xs) => xs.length > 0),
        (xs) => {
          const p = positionOf(xs[0]!);
          expect(decodeCursor(encodeCursor(p))).toEqual(p);
        },
      ),
    );
    for (const bad of ['', 'nope', '1.2', '1.x.k', `${'9'.repeat(16)}.1.k`, '1.1.%E0%A4%A'])
      expect(decodeCursor(bad)).toBeNull();
  });
});

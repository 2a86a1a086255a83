/** Money is integer fen everywhere inside; yuan exists only at the JSON edge. */
export type Fen = number;

export const isFen = (n: unknown): n is Fen => Number.isSafeInteger(n) && (n as number) >= 0;

/** 990 → 9.9. Division of an integer by 100 yields the shortest decimal with at most 2 places. */
export const fenToYuan = (fen: Fen): number => fen / 100;

/**
 * 9.9 → 990; rejects anything with more than two decimals, negatives and non-finite numbers,
 * so a gateway's float can never round its way into a match.
 */
export function yuanToFen(yuan: number): Fen | undefined {
  if (typeof yuan !== 'number' || !Number.isFinite(yuan) || yuan < 0) return undefined;
  const fen = Math.round(yuan * 100);
  if (!Number.isSafeInteger(fen) || fenToYuan(fen) !== yuan) return undefined;
  return fen;
}

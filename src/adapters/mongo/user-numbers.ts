import { lastPresent } from './last-present';
import { Recent } from './recent';

/** Users a process remembers a number for: one small entry per active user. */
const USERS_KEPT = 10_000;
/** The longest one take holds a user's turn. */
const TAKE_TURN_MS = 30_000;

/**
 * The last of a user's dense numbers 1..N (each k+1 is only ever written after k was seen), found by
 * equality probes from the last one this process saw: one probe when nothing moved, about 2·log2(d)
 * when another process wrote d more. FerretDB 1.24 answers a sorted or counting read by decoding
 * every one of the user's documents, so neither is used.
 */
export class UserNumbers {
  private readonly seen = new Recent<number, number>(USERS_KEPT);
  /** Per user, the end of the queue of `oneAtATime` calls (removed when the queue empties). */
  private readonly queues = new Map<number, Promise<unknown>>();
  /** `exists(userId, n)`: one equality probe for the user's n-th number. */
  constructor(
    readonly exists: (userId: number, n: number) => Promise<boolean>,
    private readonly turnMs = TAKE_TURN_MS,
  ) {}

  /** The last number this process saw, asking nothing (undefined: it never looked). */
  remembered(userId: number): number | undefined {
    return this.seen.get(userId);
  }

  /** The last number that exists now (0: none); `atLeast`, when given, is known to exist. */
  async last(userId: number, atLeast = 0): Promise<number> {
    const known = Math.max(this.seen.get(userId) ?? 0, atLeast);
    const found = await lastPresent({ n: known, value: known > 0 ? true : null }, async (n) =>
      (await this.exists(userId, n)) ? true : null,
    );
    return this.note(userId, found.n);
  }

  /** Keeps the highest number seen: a slower concurrent probe must not put back a lower one. */
  note(userId: number, n: number): number {
    return this.seen.set(userId, Math.max(n, this.seen.get(userId) ?? 0));
  }

  /**
   * Runs `take` after this process's earlier takes for the user have finished. Concurrent writers that
   * all try the same next number lose to each other over and over (each loss costs a round of probes);
   * within one process they simply wait their turn, so only writers in other processes can clash.
   */
  oneAtATime<T>(userId: number, take: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(userId) ?? Promise.resolve()).then(take);
    // A take that hangs (a database that stopped answering) lets the next one go after `turnMs`:
    // the unique index still decides, they only stop waiting for each other.
    let timer: Timer | undefined;
    const tail = Promise.race([
      result.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, this.turnMs);
      }),
    ]).finally(() => clearTimeout(timer));
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return result;
  }
}

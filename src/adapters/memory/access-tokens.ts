import type { AccessTokenStore, TokenGeneration } from '../../domain/ports';

/** The same keys and rules as the Mongo adapter; several instances may share one. */
export class MemoryAccessTokens implements AccessTokenStore {
  private readonly generations = new Map<string, TokenGeneration>();
  private readonly leases = new Map<string, Date>();

  async latest(appid: string): Promise<TokenGeneration | null> {
    let best: TokenGeneration | null = null;
    for (const g of this.generations.values())
      if (g.appid === appid && (!best || g.generation > best.generation)) best = g;
    return best;
  }

  async save(g: Omit<TokenGeneration, 'invalid'>) {
    const id = `${g.appid}:${g.generation}`;
    const existing = this.generations.get(id);
    if (existing) return { generation: existing, created: false };
    const generation = { ...g, invalid: false };
    this.generations.set(id, generation);
    return { generation, created: true };
  }

  async lease(appid: string, generation: number, now: Date, until: Date): Promise<boolean> {
    for (let n = 0; ; n++) {
      const id = `${appid}:${generation}:${n}`;
      const held = this.leases.get(id);
      if (!held) {
        this.leases.set(id, until);
        return true;
      }
      if (held > now) return false;
    }
  }

  async invalidate(appid: string, generation: number, token: string): Promise<boolean> {
    const id = `${appid}:${generation}`;
    const g = this.generations.get(id);
    if (!g || g.token !== token) return false;
    this.generations.set(id, { ...g, invalid: true });
    return true;
  }

  async purge(now: Date): Promise<void> {
    const day = 24 * 3600_000;
    for (const [id, g] of this.generations)
      if (g.expiresAt.getTime() + day < now.getTime()) this.generations.delete(id);
  }
}

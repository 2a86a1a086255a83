// Collections grown by PostgreSQL for the console benches: templates made through our adapters,
// cloned in SQL (FerretDB stores each document as one jsonb row), as bench/dataset.ts does.
import type { SQL } from 'bun';

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** One variant of a collection's clones: rows `i` where `where` holds get `template` with `fields` set. */
export interface Variant {
  id: string; // the template's _id, as made through the adapter
  where: string;
  fields: Record<string, string>;
  template?: Record<string, unknown>;
}
export interface Extra {
  collection: string;
  variants: Variant[];
}

/** FerretDB's table of each collection, as its metadata names it. */
export class Tables {
  private readonly known = new Map<string, string>();
  constructor(
    readonly sql: SQL,
    readonly schema: string,
  ) {}
  async of(collection: string): Promise<string> {
    const hit = this.known.get(collection);
    if (hit) return hit;
    const rows = await this.sql.unsafe(
      `SELECT _jsonb->>'table' AS t FROM ${ident(this.schema)}."_ferretdb_database_metadata" WHERE _jsonb->>'_id' = $1`,
      [collection],
    );
    const table = rows[0]?.t as string | undefined;
    if (!table) throw new Error(`no FerretDB table for ${collection}`);
    const full = `${ident(this.schema)}.${ident(table)}`;
    this.known.set(collection, full);
    return full;
  }
}

/** Reads each variant's template (by _id), deletes it, and clones it for i in 1..size. */
export async function growExtras(tables: Tables, list: Extra[], size: number): Promise<void> {
  const { sql } = tables;
  for (const extra of list) {
    const table = await tables.of(extra.collection);
    for (const v of extra.variants) {
      const rows = await sql.unsafe(`SELECT _jsonb FROM ${table} WHERE _jsonb->>'_id' = $1`, [v.id]);
      if (rows.length !== 1)
        throw new Error(`${extra.collection}: template ${v.id} found ${rows.length} times`);
      v.template = rows[0]._jsonb;
    }
    for (const v of extra.variants)
      await sql.unsafe(`DELETE FROM ${table} WHERE _jsonb->>'_id' = $1`, [v.id]);
    for (const v of extra.variants) {
      let expr = '$1::jsonb';
      for (const [field, value] of Object.entries(v.fields)) {
        if (!(field in (v.template as object)))
          throw new Error(`${extra.collection}.${field}: not in the template`);
        expr = `jsonb_set(${expr}, '{${field}}', to_jsonb(${value}))`;
      }
      for (let lo = 1; lo <= size; lo += 100_000) {
        const hi = Math.min(size, lo + 99_999);
        await sql.unsafe(
          `INSERT INTO ${table} (_jsonb) SELECT ${expr} FROM generate_series(${lo}, ${hi}) AS i WHERE ${v.where}`,
          [v.template],
        );
      }
    }
    await sql.unsafe(`ANALYZE ${table}`);
  }
}

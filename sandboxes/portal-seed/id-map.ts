/**
 * The two-way map between canonical record ids and the ids a CRM sandbox gave them, so a
 * cross-connector test can map what a connector read back to the canonical record.
 *
 * Kinds are the canonical collections: user, team, pipeline, stage (keyed
 * "<pipelineId>/<stageId>", since stage ids repeat across pipelines), deal, activity, quota.
 * Tables are index-based so a million deals need no per-record map until someone asks
 * for a canonical → external lookup (built once, lazily).
 */
export type IdKind = 'user' | 'team' | 'pipeline' | 'stage' | 'deal' | 'activity' | 'quota';

export interface IdMap {
  toExternal(kind: IdKind, canonicalId: string): string | undefined;
  toCanonical(kind: IdKind, externalId: string): string | undefined;
  /** Every pair of a kind, in canonical order. */
  entries(kind: IdKind): Iterable<readonly [canonical: string, external: string]>;
}

export interface IdTable {
  readonly size: number;
  canonicalAt(index: number): string;
  externalAt(index: number): string;
  /** Index of an external id, or undefined. */
  indexOfExternal(externalId: string): number | undefined;
}

/** An IdTable over parallel arrays, for the small collections (users, stages, quotas). */
export function arrayIdTable(pairs: readonly (readonly [string, string])[]): IdTable {
  const byExternal = new Map<string, number>();
  pairs.forEach(([, external], i) => byExternal.set(external, i));
  return {
    size: pairs.length,
    canonicalAt: (i) => pairs[i]![0],
    externalAt: (i) => pairs[i]![1],
    indexOfExternal: (id) => byExternal.get(id),
  };
}

export class TableIdMap implements IdMap {
  private readonly byCanonical = new Map<IdKind, Map<string, number>>();

  constructor(private readonly tables: Readonly<Record<IdKind, IdTable>>) {}

  toExternal(kind: IdKind, canonicalId: string): string | undefined {
    const table = this.tables[kind];
    let index = this.byCanonical.get(kind);
    if (!index) {
      index = new Map();
      for (let i = 0; i < table.size; i++) index.set(table.canonicalAt(i), i);
      this.byCanonical.set(kind, index);
    }
    const i = index.get(canonicalId);
    return i === undefined ? undefined : table.externalAt(i);
  }

  toCanonical(kind: IdKind, externalId: string): string | undefined {
    const table = this.tables[kind];
    const i = table.indexOfExternal(externalId);
    return i === undefined ? undefined : table.canonicalAt(i);
  }

  *entries(kind: IdKind): Iterable<readonly [string, string]> {
    const table = this.tables[kind];
    for (let i = 0; i < table.size; i++) yield [table.canonicalAt(i), table.externalAt(i)] as const;
  }
}

/**
 * Deal ↔ engagement links of one engagement type, as two parallel index lists with
 * lazily built lookups both ways (seeded portals with a million deals and no
 * activities pay nothing).
 */
export class AssociationLinks {
  private readonly dealIndex: number[] = [];
  private readonly otherIndex: number[] = [];
  private byDeal: Map<number, number[]> | undefined;
  private byOther: Map<number, number[]> | undefined;

  constructor(
    readonly otherType: string,
    /** HubSpot-defined association type ids, e.g. deal→task 215 / task→deal 216. */
    readonly dealToOtherTypeId: number,
    readonly otherToDealTypeId: number,
  ) {}

  add(dealIndex: number, otherIndex: number): void {
    this.dealIndex.push(dealIndex);
    this.otherIndex.push(otherIndex);
    this.byDeal = undefined;
    this.byOther = undefined;
  }

  fromDeal(dealIndex: number): readonly number[] {
    this.byDeal ??= group(this.dealIndex, this.otherIndex);
    return this.byDeal.get(dealIndex) ?? [];
  }

  toDeal(otherIndex: number): readonly number[] {
    this.byOther ??= group(this.otherIndex, this.dealIndex);
    return this.byOther.get(otherIndex) ?? [];
  }
}

function group(keys: readonly number[], values: readonly number[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let k = 0; k < keys.length; k++) {
    const list = out.get(keys[k]!);
    if (list) list.push(values[k]!);
    else out.set(keys[k]!, [values[k]!]);
  }
  return out;
}

/** Association type ids from the SDK's AssociationTypes enum (HUBSPOT_DEFINED). */
export const ENGAGEMENT_ASSOCIATION_TYPES = {
  calls: { dealTo: 205, toDeal: 206 },
  emails: { dealTo: 209, toDeal: 210 },
  meetings: { dealTo: 211, toDeal: 212 },
  tasks: { dealTo: 215, toDeal: 216 },
} as const;
export type EngagementType = keyof typeof ENGAGEMENT_ASSOCIATION_TYPES;
export const ENGAGEMENT_TYPES = Object.keys(ENGAGEMENT_ASSOCIATION_TYPES) as EngagementType[];

import type { UserId } from '../domain/ids.js';
import type { ManagerLink } from '../domain/people.js';
import type { IsoDate } from '../time/iso-date.js';

/** The effective-dated reporting lines, asked "who managed X on date D?". */
export class Hierarchy {
  private readonly links = new Map<UserId, ManagerLink[]>();

  constructor(links: readonly ManagerLink[]) {
    for (const link of links) {
      const list = this.links.get(link.userId) ?? [];
      list.push(link);
      this.links.set(link.userId, list);
    }
    for (const list of this.links.values()) list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  }

  managerOf(userId: UserId, date: IsoDate): UserId | null {
    const list = this.links.get(userId);
    if (!list) return null;
    // The latest link that started on or before the date and has not ended wins.
    for (let i = list.length - 1; i >= 0; i--) {
      const link = list[i]!;
      if (link.from <= date && (link.to === undefined || date < link.to)) return link.managerId;
    }
    return null;
  }

  /** Managers above `userId` on `date`, nearest first, at most `levels` deep; stops at a cycle. */
  chain(userId: UserId, date: IsoDate, levels: number): UserId[] {
    const chain: UserId[] = [];
    let current = userId;
    while (chain.length < levels) {
      const manager = this.managerOf(current, date);
      // A cycle brings back someone already on the chain (or the user); chains are a few levels deep, so no Set.
      if (manager === null || manager === userId || chain.includes(manager)) break;
      chain.push(manager);
      current = manager;
    }
    return chain;
  }

  /**
   * The stretch [from, to) around `date` in which none of `userIds` changes manager
   * (undefined ends are open). A user's manager can change only where one of their links
   * starts or ends, so an answer found for `date` holds throughout it.
   */
  unchangedAround(userIds: readonly UserId[], date: IsoDate): { readonly from: IsoDate | undefined; readonly to: IsoDate | undefined } {
    let from: IsoDate | undefined;
    let to: IsoDate | undefined;
    for (const userId of userIds) {
      for (const link of this.links.get(userId) ?? []) {
        for (const change of link.to === undefined ? [link.from] : [link.from, link.to]) {
          if (change <= date) {
            if (from === undefined || change > from) from = change;
          } else if (to === undefined || change < to) to = change;
        }
      }
    }
    return { from, to };
  }

  /** Everyone who reported (directly or not) to `managerId` on `date`. */
  reportsOf(managerId: UserId, date: IsoDate): UserId[] {
    const reports: UserId[] = [];
    for (const userId of this.links.keys()) {
      if (userId !== managerId && this.chain(userId, date, 50).includes(managerId)) reports.push(userId);
    }
    return reports.sort();
  }
}

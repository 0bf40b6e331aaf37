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
    const seen = new Set<UserId>([userId]);
    let current = userId;
    while (chain.length < levels) {
      const manager = this.managerOf(current, date);
      if (manager === null || seen.has(manager)) break;
      chain.push(manager);
      seen.add(manager);
      current = manager;
    }
    return chain;
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

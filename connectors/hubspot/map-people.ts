import type { ManagerLink, Team, User } from '../../shared/src/domain/people.js';
import type { TeamId, UserId } from '../../shared/src/domain/ids.js';
import type { CurrencyCode } from '../../shared/src/money/currency.js';
import type { IsoDate } from '../../shared/src/time/iso-date.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { compareIds } from './map-activity.js';
import { isoInstant, parseInstant } from './hubspot-values.js';

/** An owner as the SDK returns it (GET /crm/v3/owners). */
export interface HsOwner {
  readonly id: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly email?: string | undefined;
  readonly type: string;
  readonly userId?: number | undefined;
  readonly archived: boolean;
  readonly updatedAt: Date | string;
  readonly teams?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly primary: boolean }> | undefined;
}

export interface PeopleSnapshot {
  readonly users: Versioned<User>[];
  readonly teams: Team[];
  /** The current manager of each user (null: reports to no one). */
  readonly managers: ReadonlyMap<string, string | null>;
  /** HubSpot user id → owner id (goal targets are assigned to users, deals to owners). */
  readonly ownerByUserId: ReadonlyMap<string, string>;
}

/**
 * People and the reporting lines, from owners and their teams.
 *
 * HubSpot has no "manager" field. The convention read here (BEHAVIOR.md, "Owners, teams
 * and managers"): a team's manager is the owner who belongs to it as a NON-PRIMARY member
 * (managers are added to the teams they oversee; their primary team is their own or a
 * leadership team). A person reports to the manager of their primary team, unless that
 * is themselves. Several candidates: the lowest owner id, so every sync agrees.
 */
export function peopleFromOwners(owners: readonly HsOwner[], payCurrency: CurrencyCode): PeopleSnapshot {
  const people = owners.filter((o) => o.type !== 'QUEUE').sort((a, b) => compareIds(a.id, b.id));
  const users: Versioned<User>[] = people.map((o) => ({
    record: {
      id: o.id as UserId,
      name: [o.firstName, o.lastName].filter(Boolean).join(' ') || o.email || `HubSpot owner ${o.id}`,
      email: o.email || undefined,
      active: !o.archived,
      startDate: undefined,
      endDate: undefined,
      payCurrency,
    },
    modifiedAt: isoInstant(parseInstant(o.updatedAt) ?? 0),
  }));
  const teamNames = new Map<string, string>();
  const primaryMembers = new Map<string, string[]>();
  const managerOf = new Map<string, string>();
  for (const o of people) {
    if (o.archived) continue;
    for (const t of o.teams ?? []) {
      teamNames.set(t.id, t.name);
      if (t.primary) primaryMembers.set(t.id, [...(primaryMembers.get(t.id) ?? []), o.id]);
      else if (!managerOf.has(t.id)) managerOf.set(t.id, o.id);
    }
  }
  const teams: Team[] = [...teamNames.entries()]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([id, name]) => ({
      id: id as TeamId,
      name,
      managerId: managerOf.get(id) as UserId | undefined,
      members: (primaryMembers.get(id) ?? []).map((userId) => ({ userId: userId as UserId, from: FAR_PAST, to: undefined })),
    }));
  const managers = new Map<string, string | null>();
  for (const o of people) {
    const primary = o.archived ? undefined : o.teams?.find((t) => t.primary);
    const manager = primary ? managerOf.get(primary.id) : undefined;
    managers.set(o.id, manager && manager !== o.id ? manager : null);
  }
  const ownerByUserId = new Map<string, string>();
  for (const o of people) if (o.userId !== undefined) ownerByUserId.set(String(o.userId), o.id);
  return { users, teams, managers, ownerByUserId };
}

/** Links and memberships first seen on the first sync are taken to have always held. */
export const FAR_PAST = '2000-01-01' as IsoDate;

/**
 * The reporting-line history to store for users whose manager changed: the open link is
 * closed today and a new one starts today, so past periods keep the line they had.
 */
export function managerLinkChanges(current: ReadonlyMap<string, string | null>, stored: readonly ManagerLink[], today: IsoDate): { userIds: string[]; links: ManagerLink[] } {
  const byUser = new Map<string, ManagerLink[]>();
  for (const l of stored) byUser.set(l.userId, [...(byUser.get(l.userId) ?? []), l]);
  const userIds: string[] = [];
  const links: ManagerLink[] = [];
  for (const [userId, managerId] of current) {
    const history = byUser.get(userId) ?? [];
    const open = history.find((l) => l.to === undefined);
    if (open && open.managerId === managerId) continue;
    // A person first seen reporting to no one (the head of sales) gets that as an explicit
    // line, as a Salesforce user with an empty Manager does: "top of the tree" is an answer.
    userIds.push(userId);
    if (history.length === 0) {
      links.push({ userId: userId as UserId, managerId: managerId as UserId | null, from: FAR_PAST, to: undefined });
      continue;
    }
    for (const l of history) {
      if (l !== open) links.push(l);
      else if (l.from < today) links.push({ ...l, to: today });
    }
    links.push({ userId: userId as UserId, managerId: managerId as UserId | null, from: today, to: undefined });
  }
  return { userIds, links };
}

import type { TeamId, UserId } from '../domain/ids.js';
import type { Team } from '../domain/people.js';
import type { Deal } from '../domain/deals.js';
import type { Activity } from '../domain/activities.js';
import type { TenantIndex } from '../engine/tenant-index.js';
import type { IsoDate } from '../time/iso-date.js';
import type { ProblemLog } from './problems.js';

/** Whose KPIs: one person, or a team (its members while they were members). */
export type KpiSubject = { readonly userId: UserId } | { readonly teamId: TeamId };

export interface SubjectScope {
  readonly subject: KpiSubject;
  readonly name: string;
  /** The team record when the subject is a team that exists. */
  readonly team: Team | undefined;
  /** Whether credit earned by `userId` on `date` is the subject's. */
  includes(userId: UserId, date: IsoDate): boolean;
  /** Everyone whose credit can ever be the subject's: a cheap first filter before `includes`. */
  readonly people: ReadonlySet<UserId>;
}

interface PeopleIndex {
  readonly deals: ReadonlyMap<UserId, readonly Deal[]>;
  readonly activities: ReadonlyMap<UserId, readonly Activity[]>;
}

// Built once per tenant index and shared by every subject's KPIs: a subject reads only its people's records.
const peopleIndexes = new WeakMap<TenantIndex, PeopleIndex>();

function peopleIndex(index: TenantIndex): PeopleIndex {
  let built = peopleIndexes.get(index);
  if (!built) {
    const deals = new Map<UserId, Deal[]>();
    const add = <T>(map: Map<UserId, T[]>, user: UserId, item: T): void => {
      const list = map.get(user);
      if (!list) map.set(user, [item]);
      else if (list[list.length - 1] !== item) list.push(item);
    };
    for (const deal of index.data.deals) {
      add(deals, deal.ownerId, deal);
      for (const s of deal.splits) add(deals, s.userId, deal);
    }
    const activities = new Map<UserId, Activity[]>();
    for (const a of index.data.activities) add(activities, a.userId, a);
    built = { deals, activities };
    peopleIndexes.set(index, built);
  }
  return built;
}

/** The deals that can concern the subject (its people own or share them), each once, in data order. */
export function subjectDeals(index: TenantIndex, scope: SubjectScope): readonly Deal[] {
  const byPerson = peopleIndex(index).deals;
  if (scope.people.size === 1) return byPerson.get([...scope.people][0]!) ?? [];
  const seen = new Set<Deal>();
  for (const person of scope.people) for (const deal of byPerson.get(person) ?? []) seen.add(deal);
  // Sorted by id so a team's figures never depend on the order its members are listed in.
  return [...seen].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function subjectActivities(index: TenantIndex, scope: SubjectScope): readonly Activity[] {
  const byPerson = peopleIndex(index).activities;
  return [...scope.people].flatMap((person) => byPerson.get(person) ?? []);
}

/** Memberships run from `from` (inclusive) to `to` (exclusive), like manager links, so a move on day D counts for the new team from D. */
export function wasMemberOn(team: Team, userId: UserId, date: IsoDate): boolean {
  return team.members.some((m) => m.userId === userId && m.from <= date && (m.to === undefined || date < m.to));
}

export function resolveSubject(index: TenantIndex, subject: KpiSubject, problems: ProblemLog): SubjectScope {
  if ('userId' in subject) {
    const user = index.users.get(subject.userId);
    if (!user) {
      problems.add({ code: 'unknown_user', recordId: subject.userId, message: `User ${subject.userId} is not in the data set, so every KPI for them is empty`, fix: 'sync users again, or ask for a user id that exists' });
    }
    return { subject, name: user?.name ?? subject.userId, team: undefined, includes: (userId) => userId === subject.userId, people: new Set([subject.userId]) };
  }
  const team = index.data.teams.find((t) => t.id === subject.teamId);
  if (!team) {
    problems.add({ code: 'unknown_team', recordId: subject.teamId, message: `Team ${subject.teamId} is not in the data set, so every KPI for it is empty`, fix: 'sync teams again, or ask for a team id that exists' });
    return { subject, name: subject.teamId, team: undefined, includes: () => false, people: new Set() };
  }
  return { subject, name: team.name, team, includes: (userId, date) => wasMemberOn(team, userId, date), people: new Set(team.members.map((m) => m.userId)) };
}

import type { TeamId, UserId } from '../domain/ids.js';
import type { Team } from '../domain/people.js';
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
    return { subject, name: user?.name ?? subject.userId, team: undefined, includes: (userId) => userId === subject.userId };
  }
  const team = index.data.teams.find((t) => t.id === subject.teamId);
  if (!team) {
    problems.add({ code: 'unknown_team', recordId: subject.teamId, message: `Team ${subject.teamId} is not in the data set, so every KPI for it is empty`, fix: 'sync teams again, or ask for a team id that exists' });
    return { subject, name: subject.teamId, team: undefined, includes: () => false };
  }
  return { subject, name: team.name, team, includes: (userId, date) => wasMemberOn(team, userId, date) };
}

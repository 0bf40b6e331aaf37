import type { Activity } from '../../shared/src/domain/activities.js';
import type { Versioned } from '../../worker/src/db/records.js';
import { chunks, describeFields, IN_CHUNK, queryAllRows, soqlDateTime, soqlIdList } from './api.js';
import { toEventActivity, toTaskActivity, type SfRow } from './mapping.js';
import { pageWindow, type WindowCursor } from './paged-window.js';
import { commit, loadStreamCursor, type StreamRun } from './stream-run.js';

export interface ActivitiesCursor {
  readonly tasks?: WindowCursor;
  readonly events?: WindowCursor;
}

const TASK_FIELDS = ['Id', 'IsDeleted', 'WhatId', 'OwnerId', 'ActivityDate', 'Status', 'TaskSubtype', 'IsClosed', 'CompletedDateTime', 'CreatedDate', 'SystemModstamp'];
const EVENT_FIELDS = ['Id', 'IsDeleted', 'WhatId', 'OwnerId', 'ActivityDate', 'ActivityDateTime', 'StartDateTime', 'SystemModstamp'];

export function taskSoql(where: string): string {
  return `SELECT ${TASK_FIELDS.join(', ')} FROM Task${where ? ` WHERE ${where}` : ''}`;
}
export function eventSoql(where: string): string {
  return `SELECT ${EVENT_FIELDS.join(', ')} FROM Event${where ? ` WHERE ${where}` : ''}`;
}

export function activitiesFromRows(kind: 'tasks' | 'events', rows: readonly SfRow[], now: Date): Versioned<Activity>[] {
  return rows.filter((r) => r['OwnerId']).map((r) => (kind === 'tasks' ? toTaskActivity(r) : toEventActivity(r, now)));
}

/**
 * Tasks and Events through queryAll, so deleted rows (a deleted Task is a tombstone, a
 * deleted Event a canceled meeting) and archived activities (older than a year, invisible
 * to /query) come back in the same pass as edits.
 */
export async function syncActivities(run: StreamRun): Promise<{ pages: number; records: number }> {
  let cursor = run.full ? {} : await loadStreamCursor<ActivitiesCursor>(run);
  let pages = 0;
  let records = 0;
  for (const kind of ['tasks', 'events'] as const) {
    const object = kind === 'tasks' ? 'Task' : 'Event';
    if (!(await describeFields(run.session, object))) {
      run.deps.logger.warn({ tenantId: run.tenantId, object }, `the integration user cannot read ${object}; activities of that kind are not synced (grant Read on ${object} to include them)`);
      continue;
    }
    const soql = kind === 'tasks' ? taskSoql : eventSoql;
    const result = await pageWindow(
      run.session,
      { soql: (fromMs) => `${soql(fromMs === undefined ? '' : `SystemModstamp > ${soqlDateTime(fromMs)}`)} ORDER BY SystemModstamp, Id`, all: true, lookbackMs: run.config.lookbackMs },
      cursor[kind] ?? {},
      false,
      async (rows, window) => {
        cursor = { ...cursor, [kind]: window };
        await commit(run, cursor, { activities: activitiesFromRows(kind, rows, run.deps.clock.now()) }, window.watermark !== undefined);
      },
    );
    pages += result.pages;
    records += result.records;
  }
  return { pages, records };
}

export async function activitiesByIds(run: StreamRun, kind: 'tasks' | 'events', ids: readonly string[]): Promise<Versioned<Activity>[]> {
  const out: Versioned<Activity>[] = [];
  const soql = kind === 'tasks' ? taskSoql : eventSoql;
  for (const chunk of chunks([...new Set(ids)].sort(), IN_CHUNK)) out.push(...activitiesFromRows(kind, await queryAllRows(run.session, soql(`Id IN ${soqlIdList(chunk)}`), { all: true }), run.deps.clock.now()));
  return out;
}

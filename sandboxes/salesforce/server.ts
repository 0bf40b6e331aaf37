import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeEventBus } from './cdc.js';
import { CometdServer } from './cometd.js';
import { describeGlobal, describeObject } from './describe.js';
import { salesforceId, to18 } from './ids.js';
import { SandboxMutations } from './mutations.js';
import { compileQuery, type QueryPlan } from './query-engine.js';
import { objectNamed } from './schema.js';
import type { IdMap, SeededOrg } from './seed.js';
import { OAuthError, SessionStore, type TokenResponse } from './sessions.js';
import { parseSoql, SoqlError } from './soql.js';
import { coerceInput, formatDateTime, parseDateTime, RecordError, SalesforceOrg, type SObjectRecord } from './store.js';

/**
 * A local Salesforce: the REST, OAuth, Bulk API 2.0 and CometD wire formats jsforce 3 speaks,
 * over one seeded org, with the platform's limits and failure modes switchable for tests.
 * Dev/test only — nothing in production code may know it exists.
 */
export interface SalesforceSandboxOptions {
  readonly org: SalesforceOrg | SeededOrg;
  readonly port?: number;
  readonly host?: string;
  /** The External Client App's consumer key and secret. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Callback URLs registered on the app; default: any http://127.0.0.1 or http://localhost URL. */
  readonly redirectUris?: readonly string[];
  /** PKCE required on the authorization-code flow (the ECA setting "Require PKCE"); default true. */
  readonly requirePkce?: boolean;
  /** Access-token lifetime (the org's session timeout); default 2 hours. */
  readonly tokenTtlSeconds?: number;
  /** Refresh-token rotation: each refresh returns a new refresh token and retires the old one; default false. */
  readonly rotateRefreshTokens?: boolean;
  /** Daily API request allocation (rolling 24 h in a real org); default 100,000. */
  readonly dailyApiLimit?: number;
  /** Cap on API requests served at once; over it requests wait ('queue', default) or fail with REQUEST_LIMIT_EXCEEDED ('reject'). */
  readonly maxConcurrentRequests?: number;
  readonly concurrencyMode?: 'queue' | 'reject';
  /** Added service time per API request, to measure throughput against the concurrency cap. */
  readonly latencyMs?: number;
  /** Longest CometD /meta/connect hold (Salesforce: 110 s). */
  readonly cometdHoldMs?: number;
  /** How many status polls a Bulk 2.0 query job stays InProgress before JobComplete; default 1. */
  readonly bulkPollsUntilComplete?: number;
  /** Bulk 2.0 result rows per page when the client sends no maxRecords; default 50,000. */
  readonly bulkPageSize?: number;
  /** Open query cursors per org; opening one more invalidates the oldest (Salesforce: 10 per user). */
  readonly maxOpenCursors?: number;
  /** getDeleted only reports deletions this recent (Salesforce: 15 days). */
  readonly deletedRetentionDays?: number;
  /** getUpdated/getDeleted refuse a start older than this (Salesforce: 30 days). */
  readonly replicationWindowDays?: number;
  /** CDC event retention for replay (Salesforce: 72 hours). */
  readonly cdcRetentionHours?: number;
  /** Replaces the org's clock (epoch ms). */
  readonly now?: () => number;
}

export interface SandboxStats {
  /** API requests counted against the daily allocation. */
  readonly apiRequests: number;
  readonly requestsByRoute: Readonly<Record<string, number>>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly rejected: number;
  readonly cometdClients: number;
}

export interface SalesforceSandbox {
  readonly url: string;
  readonly port: number;
  readonly orgId: string;
  readonly org: SalesforceOrg;
  readonly idMap: IdMap | undefined;
  readonly integrationUserId: string;
  readonly mutations: SandboxMutations;
  readonly cdc: ChangeEventBus;
  stats(): SandboxStats;
  /** A ready session for tests that don't go through OAuth. */
  issueSession(userId?: string): { accessToken: string; refreshToken: string };
  readonly faults: {
    /** The next `count` API requests (optionally only those whose path matches) fail with `status` (default 503). */
    failNext(count: number, options?: { status?: number; errorCode?: string; message?: string; match?: RegExp }): void;
    /** Every issued access token stops working now (refresh tokens keep working). */
    expireSessions(): void;
    /** Sets the API usage counter (e.g. just under the limit). */
    setApiUsage(used: number): void;
  };
  close(): Promise<void>;
}

const MIN_VERSION = 20;
const MAX_VERSION = 66;
const DAY_MS = 86_400_000;

interface Cursor {
  readonly id: string;
  readonly rows: SObjectRecord[];
  readonly plan: QueryPlan;
}

interface BulkJob {
  readonly id: string;
  readonly operation: 'query' | 'queryAll';
  readonly plan: QueryPlan;
  readonly createdDate: number;
  readonly createdById: string;
  readonly apiVersion: string;
  readonly columnDelimiter: string;
  readonly lineEnding: 'LF' | 'CRLF';
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';
  polls: number;
  rows: SObjectRecord[] | undefined;
  modstamp: number;
}

const DELIMITERS: Readonly<Record<string, string>> = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: readonly string[],
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function apiErrorBody(errorCode: string, message: string, fields?: readonly string[]): unknown {
  return [{ message, errorCode, ...(fields && fields.length > 0 ? { fields } : {}) }];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 20 * 1024 * 1024) throw new HttpError(413, 'REQUEST_TOO_LARGE', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'JSON_PARSER_ERROR', `Unexpected character in request body: ${text.slice(0, 40)}`);
  }
}

function bearer(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  const m = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
  return m?.[1] ?? url.searchParams.get('oauth_token') ?? undefined;
}

export async function startSalesforceSandbox(options: SalesforceSandboxOptions): Promise<SalesforceSandbox> {
  const seeded = options.org instanceof SalesforceOrg ? undefined : options.org;
  const org = seeded ? seeded.org : (options.org as SalesforceOrg);
  const idMap = seeded?.idMap;
  if (options.now) org.now = options.now;
  const now = (): number => org.now();
  const sessions = new SessionStore(org.orgId, now, (options.tokenTtlSeconds ?? 7200) * 1000, options.rotateRefreshTokens ?? false);
  const dailyLimit = options.dailyApiLimit ?? 100_000;
  const maxCursors = options.maxOpenCursors ?? 10;
  const deletedRetentionMs = (options.deletedRetentionDays ?? 15) * DAY_MS;
  const replicationWindowMs = (options.replicationWindowDays ?? 30) * DAY_MS;
  const bulkPolls = options.bulkPollsUntilComplete ?? 1;
  const bulkPageSize = options.bulkPageSize ?? 50_000;
  const holdMs = options.cometdHoldMs ?? 110_000;
  let lastVersion = '64.0';
  const cdc = new ChangeEventBus(org, (options.cdcRetentionHours ?? 72) * 3_600_000, () => lastVersion);
  const cometd = new CometdServer(cdc, (authorization) => sessions.check(/^(?:OAuth|Bearer)\s+(.+)$/i.exec(authorization ?? '')?.[1]).ok, () => holdMs);
  const mutations = new SandboxMutations(org, idMap);

  let apiUsed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let rejected = 0;
  const waiting: (() => void)[] = [];
  const byRoute: Record<string, number> = {};
  const failures: { status: number; errorCode: string; message: string; match: RegExp | undefined }[] = [];
  const cursors = new Map<string, Cursor>();
  let cursorCounter = 0;
  const jobs = new Map<string, BulkJob>();
  let jobCounter = 0;
  let baseUrl = '';

  const redirectAllowed = (uri: string): boolean => {
    if (options.redirectUris) return options.redirectUris.includes(uri);
    return /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(uri);
  };

  // ---- OAuth ---------------------------------------------------------------------------------
  const identityUrl = (userId: string): string => `${baseUrl}/id/${org.orgId}/${userId}`;
  const tokenResponse = (userId: string, accessToken: string, refreshToken: string | undefined, scope: string): TokenResponse => {
    const issuedAt = String(now());
    const id = identityUrl(userId);
    return {
      access_token: accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature: sessions.signature(id, issuedAt, options.clientSecret),
      scope,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  };

  const authorize = (url: URL, res: ServerResponse): void => {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri') ?? '';
    // Salesforce shows an error page (no redirect) when the client or callback is wrong.
    if (p.get('client_id') !== options.clientId) return sendJson(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    if (!redirectAllowed(redirectUri)) return sendJson(res, 400, { error: 'redirect_uri_mismatch', error_description: 'redirect_uri must match configuration' });
    const back = new URL(redirectUri);
    const state = p.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const fail = (error: string, description: string): void => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      res.writeHead(302, { Location: back.toString() });
      res.end();
    };
    if (p.get('response_type') !== 'code') return fail('unsupported_response_type', 'response type not supported');
    const challenge = p.get('code_challenge') ?? undefined;
    const method = p.get('code_challenge_method') ?? 'S256';
    if (options.requirePkce ?? true) {
      if (!challenge) return fail('invalid_request', 'missing required code challenge');
      if (method !== 'S256') return fail('invalid_request', 'invalid code challenge method');
    }
    // The seeded org's integration user "logs in and approves" at once.
    const code = sessions.createCode({ userId: org.integrationUserId, clientId: options.clientId, redirectUri, challenge, scope: p.get('scope') ?? 'api refresh_token' });
    back.searchParams.set('code', code);
    res.writeHead(302, { Location: back.toString() });
    res.end();
  };

  const token = (form: URLSearchParams, res: ServerResponse): void => {
    try {
      if (form.get('client_id') !== options.clientId) throw new OAuthError('invalid_client_id', 'client identifier invalid');
      const secret = form.get('client_secret');
      if (secret !== null && secret !== options.clientSecret) throw new OAuthError('invalid_client', 'invalid client credentials');
      const grantType = form.get('grant_type');
      if (grantType === 'authorization_code') {
        if (secret === null && !(options.requirePkce ?? true)) throw new OAuthError('invalid_client', 'invalid client credentials');
        const r = sessions.exchangeCode(form.get('code') ?? '', options.clientId, form.get('redirect_uri') ?? undefined, form.get('code_verifier') ?? undefined);
        return sendJson(res, 200, tokenResponse(r.userId, r.accessToken, r.refreshToken, r.scope));
      }
      if (grantType === 'refresh_token') {
        const r = sessions.refreshGrant(form.get('refresh_token') ?? '', options.clientId);
        return sendJson(res, 200, tokenResponse(r.userId, r.accessToken, r.refreshToken, r.scope));
      }
      throw new OAuthError('unsupported_grant_type', 'grant type not supported');
    } catch (err) {
      if (err instanceof OAuthError) return sendJson(res, err.status, { error: err.error, error_description: err.description });
      throw err;
    }
  };

  const identity = (req: IncomingMessage, url: URL, res: ServerResponse, userId: string): void => {
    const session = sessions.check(bearer(req, url));
    if (!session.ok) return sendJson(res, 403, 'Bad_OAuth_Token', { 'Content-Type': 'text/plain' });
    const user = org.table('User').byId.get(userId);
    if (!user || session.userId !== userId) return sendJson(res, 404, 'Bad_Id', { 'Content-Type': 'text/plain' });
    const v = lastVersion;
    const rest = `${baseUrl}/services/data/v{version}/`;
    sendJson(res, 200, {
      id: identityUrl(userId), asserted_user: true, user_id: userId, organization_id: org.orgId, username: user['Username'], nick_name: String(user['Email']).split('@')[0],
      display_name: user['Name'], email: user['Email'], email_verified: true, first_name: user['FirstName'], last_name: user['LastName'], timezone: user['TimeZoneSidKey'],
      active: user['IsActive'], user_type: 'STANDARD', language: 'en_US', locale: 'en_US', utcOffset: -28800000,
      last_modified_date: formatDateTime(user['LastModifiedDate'] as number),
      urls: { enterprise: `${baseUrl}/services/Soap/c/{version}/${org.orgId.slice(0, 15)}`, partner: `${baseUrl}/services/Soap/u/{version}/${org.orgId.slice(0, 15)}`, rest, sobjects: `${rest}sobjects/`, search: `${rest}search/`, query: `${rest}query/`, recent: `${rest}recent/`, profile: `${baseUrl}/${userId}` },
      is_app_installed: true, mobile_policy: null, is_lightning_login_user: false, api_version: v,
    });
  };

  // ---- REST API ------------------------------------------------------------------------------
  const openCursor = (rows: SObjectRecord[], plan: QueryPlan): Cursor => {
    const id = salesforceId('01g', ++cursorCounter);
    const cursor = { id, rows, plan };
    cursors.set(id, cursor);
    // Salesforce keeps a few open cursors per user; the oldest is closed to make room.
    while (cursors.size > maxCursors) cursors.delete(cursors.keys().next().value!);
    return cursor;
  };

  const page = (cursor: Cursor, offset: number, batchSize: number, version: string): string => {
    const end = Math.min(cursor.rows.length, offset + batchSize);
    const done = end >= cursor.rows.length;
    const parts: string[] = [];
    for (let i = offset; i < end; i++) parts.push(cursor.plan.json(cursor.rows[i]!, version));
    if (done) cursors.delete(cursor.id);
    const next = done ? '' : `"nextRecordsUrl":"/services/data/v${version}/query/${cursor.id}-${end}",`;
    return `{"totalSize":${cursor.rows.length},"done":${done},${next}"records":[${parts.join(',')}]}`;
  };

  const batchSizeOf = (req: IncomingMessage): number => {
    const header = req.headers['sforce-query-options'];
    const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
    return m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
  };

  const runQuery = (soql: string, scanAll: boolean): { plan: QueryPlan; rows: SObjectRecord[] } => {
    const plan = compileQuery(org, parseSoql(soql));
    return { plan, rows: plan.run(scanAll) };
  };

  const query = (req: IncomingMessage, url: URL, res: ServerResponse, version: string, scanAll: boolean, locator: string | undefined): void => {
    if (locator !== undefined) {
      const m = /^(01g[0-9A-Za-z]{15})-(\d+)$/.exec(locator);
      const cursor = m ? cursors.get(m[1]!) : undefined;
      if (!m || !cursor) throw new HttpError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return sendJson(res, 200, page(cursor, Number(m[2]), batchSizeOf(req), version));
    }
    const soql = url.searchParams.get('q');
    if (soql === null) throw new HttpError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const { plan, rows } = runQuery(soql, scanAll);
    if (plan.count) return sendJson(res, 200, `{"totalSize":${rows.length},"done":true,"records":[]}`);
    const cursor: Cursor = { id: '', rows, plan };
    const batch = batchSizeOf(req);
    if (rows.length <= batch) return sendJson(res, 200, page(cursor, 0, batch, version));
    return sendJson(res, 200, page(openCursor(rows, plan), 0, batch, version));
  };

  const replicationRange = (url: URL): { start: number; end: number } => {
    const startText = url.searchParams.get('start');
    const endText = url.searchParams.get('end');
    if (!startText || !endText) throw new HttpError(400, 'MISSING_ARGUMENT', 'start and end are required');
    const start = parseDateTime(startText);
    const end = parseDateTime(endText);
    if (start === undefined || end === undefined) throw new HttpError(400, 'INVALID_REPLICATION_DATE', `unable to parse dates: ${startText}, ${endText}`);
    // Salesforce ignores seconds: the range is in whole minutes.
    const minute = (ms: number): number => Math.floor(ms / 60_000) * 60_000;
    const s = minute(start);
    const e = minute(Math.min(end, now()));
    if (e < s) throw new HttpError(400, 'INVALID_REPLICATION_DATE', 'EndDate must be after StartDate');
    if (now() - s > replicationWindowMs) throw new HttpError(400, 'INVALID_REPLICATION_DATE', `startDate must be within the last ${Math.round(replicationWindowMs / DAY_MS)} days`);
    return { start: s, end: e };
  };

  const sobjects = async (req: IncomingMessage, url: URL, res: ServerResponse, version: string, rest: string[], userId: string): Promise<void> => {
    if (rest.length === 0) return sendJson(res, 200, describeGlobal(version));
    const def = objectNamed(rest[0]!);
    if (!def || !org.tables.has(def.name)) throw new HttpError(404, 'NOT_FOUND', `The requested resource does not exist`);
    const table = org.table(def.name);
    const method = req.method ?? 'GET';
    const [, second, third] = rest;
    if (second === 'describe' && method === 'GET') return sendJson(res, 200, describeObject(org, def, version));
    if (second === 'updated' && method === 'GET') {
      const { start, end } = replicationRange(url);
      const ids: string[] = [];
      for (const r of table.rows) {
        const stamp = r['SystemModstamp'] as number;
        if (r['IsDeleted'] !== true && stamp >= start && stamp < end) ids.push(r['Id'] as string);
      }
      if (ids.length > 600_000) throw new HttpError(400, 'EXCEEDED_ID_LIMIT', 'too many ids: choose start and end dates closer together');
      return sendJson(res, 200, { ids, latestDateCovered: formatDateTime(end) });
    }
    if (second === 'deleted' && method === 'GET') {
      const { start, end } = replicationRange(url);
      const earliest = Math.max(now() - deletedRetentionMs, org.deleteLogPurgedAt.get(def.name) ?? 0);
      const deletedRecords = (org.deleteLog.get(def.name) ?? [])
        .filter((e) => e.deletedDate >= Math.max(start, earliest) && e.deletedDate < end)
        .map((e) => ({ id: e.id, deletedDate: formatDateTime(e.deletedDate) }));
      if (deletedRecords.length > 600_000) throw new HttpError(400, 'EXCEEDED_ID_LIMIT', 'too many ids: choose start and end dates closer together');
      return sendJson(res, 200, { deletedRecords, earliestDateAvailable: formatDateTime(Math.floor(earliest / 60_000) * 60_000), latestDateCovered: formatDateTime(end) });
    }
    if (second === undefined && method === 'GET') {
      return sendJson(res, 200, { objectDescribe: (describeGlobal(version) as { sobjects: { name: string }[] }).sobjects.find((s) => s.name === def.name), recentItems: [] });
    }
    if (second === undefined && method === 'POST') {
      if (!def.createable) throw new HttpError(400, 'INVALID_TYPE', `Cannot create records of type ${def.name}`);
      const body = parseJson(await readBody(req));
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'JSON_PARSER_ERROR', 'expected a JSON object');
      const record = org.transaction(userId, (tx) => tx.insert(def.name, checkReferences(checkVisible(def.name, body as Record<string, unknown>))));
      return sendJson(res, 201, { id: record['Id'], success: true, errors: [] });
    }
    if (second !== undefined && third === undefined) {
      const record = table.byId.get(second);
      if (!record || (record['IsDeleted'] === true && def.softDeletes)) throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
      if (method === 'GET') {
        const fieldsParam = url.searchParams.get('fields');
        const soql = `SELECT ${fieldsParam ?? def.fields.map((f) => f.name).join(', ')} FROM ${def.name}`;
        const plan = compileQuery(org, parseSoql(soql));
        return sendJson(res, 200, plan.json(record, version));
      }
      if (method === 'PATCH') {
        if (!def.createable) throw new HttpError(400, 'INVALID_TYPE', `Cannot update records of type ${def.name}`);
        const body = parseJson(await readBody(req));
        org.transaction(userId, (tx) => tx.update(def.name, second, checkReferences(checkVisible(def.name, (body ?? {}) as Record<string, unknown>))));
        res.writeHead(204);
        return void res.end();
      }
      if (method === 'DELETE') {
        if (!def.deletable) throw new HttpError(400, 'INVALID_TYPE', `Cannot delete records of type ${def.name}`);
        org.transaction(userId, (tx) => tx.softDelete(def.name, second));
        res.writeHead(204);
        return void res.end();
      }
    }
    throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  /** A field hidden from the API user (org.hideField) is, to its writes, a field that does not exist. */
  const checkVisible = (objectName: string, body: Record<string, unknown>): Record<string, unknown> => {
    for (const key of Object.keys(body)) if (org.isFieldHidden(objectName, key)) throw new RecordError('INVALID_FIELD', `No such column '${key}' on sobject of type ${objectName}`, [key]);
    return body;
  };

  /** Lookups must point at existing records of the right object (INVALID_CROSS_REFERENCE_KEY otherwise). */
  const checkReferences = (body: Record<string, unknown>): Record<string, unknown> => {
    for (const [key, value] of Object.entries(body)) {
      if (!/Id$/.test(key) || key === 'Id' || typeof value !== 'string' || value === '') continue;
      if (!org.find(value)) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [key]);
    }
    return body;
  };

  const composite = async (req: IncomingMessage, res: ServerResponse, rest: string[], userId: string): Promise<void> => {
    if (rest[0] !== 'sobjects') throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (rest[1] !== undefined) {
      // Retrieve many (jsforce retrieve([ids])): POST {ids, fields} or GET ?ids=&fields=; null for ids not found.
      const def = objectNamed(rest[1]);
      if (!def || !org.tables.has(def.name)) throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const url = new URL(req.url ?? '/', baseUrl);
      const input = req.method === 'POST' ? (parseJson(await readBody(req)) as { ids?: string[]; fields?: string[] } | undefined) : { ids: url.searchParams.get('ids')?.split(','), fields: url.searchParams.get('fields')?.split(',') };
      const ids = input?.ids ?? [];
      if (ids.length > 2000) throw new HttpError(400, 'EXCEEDED_ID_LIMIT', 'Maximum number of ids in a retrieve is 2000');
      const fields = input?.fields ?? [];
      if (fields.length === 0) throw new HttpError(400, 'INVALID_FIELD', 'fields is required');
      const plan = compileQuery(org, parseSoql(`SELECT ${fields.join(', ')} FROM ${def.name}`));
      const table = org.table(def.name);
      const parts = ids.map((id) => {
        const record = table.byId.get(to18(id));
        return record && record['IsDeleted'] !== true ? plan.json(record, lastVersion) : 'null';
      });
      return sendJson(res, 200, `[${parts.join(',')}]`);
    }
    if (req.method !== 'POST') throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const body = parseJson(await readBody(req)) as { allOrNone?: boolean; records?: Record<string, unknown>[] } | undefined;
    const records = body?.records ?? [];
    if (records.length > 200) throw new HttpError(400, 'EXCEEDED_ID_LIMIT', 'Maximum number of records in a collection is 200');
    const results: unknown[] = [];
    const write = (): void => {
      // allOrNone: check every record before writing any, so a bad one leaves nothing behind.
      if (body?.allOrNone) {
        for (const r of records) {
          const def = objectNamed((r['attributes'] as { type?: string } | undefined)?.type ?? '');
          if (!def || !def.createable) throw new RecordError('INVALID_TYPE', 'Cannot create records of this type');
          coerceInput(def, checkReferences(r), 'create');
        }
      }
      for (const r of records) {
        const type = (r['attributes'] as { type?: string } | undefined)?.type ?? '';
        const def = objectNamed(type);
        try {
          if (!def || !def.createable) throw new RecordError('INVALID_TYPE', `Cannot create records of type ${type}`);
          const record = org.transaction(userId, (tx) => tx.insert(def.name, checkReferences(r)));
          results.push({ id: record['Id'], success: true, errors: [] });
        } catch (err) {
          if (!(err instanceof RecordError)) throw err;
          if (body?.allOrNone) throw err;
          results.push({ success: false, errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields }] });
        }
      }
    };
    write();
    sendJson(res, 200, results);
  };

  // ---- Bulk API 2.0 query jobs -----------------------------------------------------------------
  const jobInfo = (job: BulkJob, detail: boolean): Record<string, unknown> => ({
    id: job.id, operation: job.operation, object: job.plan.object.name, createdById: job.createdById, createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.modstamp), state: job.state, concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: Number(job.apiVersion),
    ...(detail ? { jobType: 'V2Query', lineEnding: job.lineEnding, columnDelimiter: Object.keys(DELIMITERS).find((k) => DELIMITERS[k] === job.columnDelimiter), numberRecordsProcessed: job.rows?.length ?? 0, retries: 0, totalProcessingTime: job.rows ? 42 : 0, isPkChunkingSupported: true } : { lineEnding: job.lineEnding, columnDelimiter: Object.keys(DELIMITERS).find((k) => DELIMITERS[k] === job.columnDelimiter) }),
  });

  const bulk = async (req: IncomingMessage, url: URL, res: ServerResponse, version: string, rest: string[], userId: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (rest[0] !== 'query') throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const [, jobId, sub] = rest;
    if (jobId === undefined && method === 'POST') {
      const body = parseJson(await readBody(req)) as { operation?: string; query?: string; columnDelimiter?: string; lineEnding?: string } | undefined;
      const operation = body?.operation;
      if (operation !== 'query' && operation !== 'queryAll') throw new HttpError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
      let plan: QueryPlan;
      try {
        plan = compileQuery(org, parseSoql(body?.query ?? ''));
      } catch (err) {
        if (err instanceof SoqlError) throw new HttpError(400, 'INVALIDJOB', err.message.trim());
        throw err;
      }
      if (plan.count) throw new HttpError(400, 'INVALIDJOB', 'InvalidJob : COUNT() is not supported by Bulk API query jobs');
      const delimiter = DELIMITERS[body?.columnDelimiter ?? 'COMMA'];
      if (delimiter === undefined) throw new HttpError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${String(body?.columnDelimiter)}`);
      const job: BulkJob = {
        id: salesforceId('750', ++jobCounter), operation, plan, createdDate: now(), createdById: userId, apiVersion: version, columnDelimiter: delimiter,
        lineEnding: body?.lineEnding === 'CRLF' ? 'CRLF' : 'LF', state: 'UploadComplete', polls: 0, rows: undefined, modstamp: now(),
      };
      jobs.set(job.id, job);
      return sendJson(res, 200, jobInfo(job, false));
    }
    if (jobId === undefined && method === 'GET') {
      return sendJson(res, 200, { done: true, records: [...jobs.values()].map((j) => jobInfo(j, false)), nextRecordsUrl: null });
    }
    const job = jobId !== undefined ? jobs.get(jobId) : undefined;
    if (!job) throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (sub === undefined && method === 'GET') {
      if (job.state === 'UploadComplete' || job.state === 'InProgress') {
        job.polls++;
        if (job.polls > bulkPolls) {
          // The job reads the org when it runs, not when it was created.
          job.rows = job.plan.run(job.operation === 'queryAll');
          job.state = 'JobComplete';
        } else job.state = 'InProgress';
        job.modstamp = now();
      }
      return sendJson(res, 200, jobInfo(job, true));
    }
    if (sub === undefined && method === 'PATCH') {
      const body = parseJson(await readBody(req)) as { state?: string } | undefined;
      if (body?.state !== 'Aborted') throw new HttpError(400, 'INVALIDJOB', 'InvalidJob : state can only be changed to Aborted');
      if (job.state !== 'JobComplete') job.state = 'Aborted';
      return sendJson(res, 200, jobInfo(job, false));
    }
    if (sub === undefined && method === 'DELETE') {
      jobs.delete(job.id);
      res.writeHead(204);
      return void res.end();
    }
    if (sub === 'results' && method === 'GET') {
      if (job.state !== 'JobComplete' || !job.rows) throw new HttpError(400, 'API_ERROR', `Job ${job.id} is not complete: ${job.state}`);
      const locator = url.searchParams.get('locator');
      const maxRecords = Number(url.searchParams.get('maxRecords') ?? bulkPageSize);
      const offset = locator ? Number(Buffer.from(locator, 'base64').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length) throw new HttpError(400, 'INVALIDLOCATOR', `Invalid locator: ${String(locator)}`);
      const end = Math.min(job.rows.length, offset + (Number.isInteger(maxRecords) && maxRecords > 0 ? maxRecords : bulkPageSize));
      const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
      // Every results page is a complete CSV file: the header row comes first on each one.
      let csv = job.plan.csvHeader(job.columnDelimiter) + eol;
      for (let i = offset; i < end; i++) csv += job.plan.csvRow(job.rows[i]!, job.columnDelimiter) + eol;
      const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64') : 'null';
      res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': Buffer.byteLength(csv), 'Sforce-Locator': next, 'Sforce-NumberOfRecords': String(end - offset), 'Sforce-Limit-Info': `api-usage=${apiUsed}/${dailyLimit}` });
      return void res.end(csv);
    }
    throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  const limits = (): unknown => {
    const bulkJobs = jobs.size;
    return {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      ConcurrentSyncReportRuns: { Max: 20, Remaining: 20 },
      DailyApiRequests: { Max: dailyLimit, Remaining: Math.max(0, dailyLimit - apiUsed) },
      DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: Math.max(0, 10000 - bulkJobs) },
      DailyDurableStreamingApiEvents: { Max: 10000, Remaining: Math.max(0, 10000 - cdc.lastReplayId) },
      DataStorageMB: { Max: 5, Remaining: 5 },
      MonthlyPlatformEventsUsageEntitlement: { Max: 0, Remaining: 0 },
    };
  };

  const versions = (): unknown => {
    const out: { label: string; url: string; version: string }[] = [];
    for (let v = MIN_VERSION; v <= MAX_VERSION; v++) out.push({ label: `API v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    return out;
  };

  const resources = (version: string): unknown => {
    const base = `/services/data/v${version}`;
    return { limits: `${base}/limits`, query: `${base}/query`, queryAll: `${base}/queryAll`, sobjects: `${base}/sobjects`, composite: `${base}/composite`, jobs: `${base}/jobs`, identity: `${baseUrl}/id/${org.orgId}/${org.integrationUserId}` };
  };

  // ---- The request pipeline ----------------------------------------------------------------
  const acquire = async (): Promise<boolean> => {
    const cap = options.maxConcurrentRequests;
    if (cap !== undefined && inFlight >= cap) {
      if ((options.concurrencyMode ?? 'queue') === 'reject') return false;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return true;
  };
  const release = (): void => {
    inFlight--;
    waiting.shift()?.();
  };

  const api = async (req: IncomingMessage, url: URL, res: ServerResponse, parts: string[]): Promise<void> => {
    const versionMatch = /^v(\d+)\.0$/.exec(parts[0] ?? '');
    if (!versionMatch || Number(versionMatch[1]) < MIN_VERSION || Number(versionMatch[1]) > MAX_VERSION) throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const version = `${versionMatch[1]}.0`;
    lastVersion = version;
    const failure = failures.find((f) => !f.match || f.match.test(url.pathname));
    if (failure) {
      failures.splice(failures.indexOf(failure), 1);
      throw new HttpError(failure.status, failure.errorCode, failure.message);
    }
    const session = sessions.check(bearer(req, url));
    if (!session.ok) throw new HttpError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsed}/${dailyLimit}`);
    if (apiUsed >= dailyLimit) throw new HttpError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    if (!(await acquire())) {
      rejected++;
      throw new HttpError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
    }
    try {
      apiUsed++;
      const route =
        parts[1] === 'sobjects' && parts[2] !== undefined
          ? `${req.method} sobjects/${parts[2]}${parts[3] !== undefined ? `/${parts[3].length >= 15 ? ':id' : parts[3]}` : ''}`
          : `${req.method} ${parts[1] ?? ''}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsed}/${dailyLimit}`);
      const [, resource, ...rest] = parts;
      const method = req.method ?? 'GET';
      if (resource === undefined && method === 'GET') return sendJson(res, 200, resources(version));
      if ((resource === 'query' || resource === 'queryAll') && method === 'GET') return query(req, url, res, version, resource === 'queryAll', rest[0]);
      if (resource === 'limits' && method === 'GET') return sendJson(res, 200, limits());
      if (resource === 'sobjects') return await sobjects(req, url, res, version, rest, session.userId);
      if (resource === 'composite') return await composite(req, res, rest, session.userId);
      if (resource === 'jobs') return await bulk(req, url, res, version, rest, session.userId);
      throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    } finally {
      release();
    }
  };

  const sandboxApi = async (req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> => {
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'DELETE' ? undefined : (parseJson(await readBody(req)) as Record<string, unknown> | undefined);
    const [what, id, action] = parts;
    const recordJson = (r: SObjectRecord): unknown => ({ id: r['Id'], systemModstamp: formatDateTime(r['SystemModstamp'] as number) });
    if (what === 'opportunities') {
      if (id === undefined && method === 'POST') return sendJson(res, 201, recordJson(mutations.createOpportunity(body ?? {})));
      if (id !== undefined && action === undefined && method === 'PATCH') return sendJson(res, 200, recordJson(mutations.updateOpportunity(id, body ?? {})));
      if (id !== undefined && action === undefined && method === 'DELETE') {
        mutations.deleteOpportunity(id);
        return sendJson(res, 200, { id });
      }
      if (id !== undefined && action === 'undelete' && method === 'POST') {
        mutations.undeleteOpportunity(id);
        return sendJson(res, 200, { id });
      }
      if (id !== undefined && action === 'splits' && method === 'PUT') {
        const splits = (body?.['splits'] ?? []) as { ownerId: string; percent: string; type: 'Revenue' | 'Overlay' }[];
        return sendJson(res, 200, mutations.setSplits(id, splits).map(recordJson));
      }
    }
    if (what === 'records' && id !== undefined) {
      if (action === undefined && method === 'POST') return sendJson(res, 201, recordJson(mutations.insert(id, body ?? {})));
      if (action !== undefined && method === 'PATCH') return sendJson(res, 200, recordJson(mutations.update(id, action, body ?? {})));
      if (action !== undefined && method === 'DELETE') {
        mutations.delete(id, action);
        return sendJson(res, 200, { id: action });
      }
    }
    if (what === 'faults' && method === 'POST') {
      const count = Number(body?.['failNext'] ?? 0);
      handle.faults.failNext(count, { ...(typeof body?.['status'] === 'number' ? { status: body['status'] } : {}) });
      if (body?.['expireSessions'] === true) sessions.expireAll();
      return sendJson(res, 200, { ok: true });
    }
    if (what === 'sessions' && method === 'POST') return sendJson(res, 201, sessions.issue(org.integrationUserId, options.clientId));
    if (what === 'idmap' && method === 'GET') return sendJson(res, 200, idMap ? [...idMap.all()] : []);
    if (what === 'stats' && method === 'GET') return sendJson(res, 200, handle.stats());
    if (what === 'purge-deleted' && method === 'POST') {
      mutations.purgeDeleteLog(typeof body?.['object'] === 'string' ? body['object'] : undefined);
      return sendJson(res, 200, { ok: true });
    }
    throw new HttpError(404, 'NOT_FOUND', 'unknown sandbox endpoint');
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', baseUrl);
    const path = url.pathname.replace(/\/+$/, '');
    const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (parts[0] === 'services' && parts[1] === 'oauth2') {
      if (parts[2] === 'authorize' && method === 'GET') return authorize(url, res);
      if (parts[2] === 'token' && method === 'POST') return token(new URLSearchParams(await readBody(req)), res);
      if (parts[2] === 'revoke') {
        const form = method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
        const ok = sessions.revoke(form.get('token') ?? '');
        if (!ok) return sendJson(res, 400, { error: 'unsupported_token_type', error_description: 'this token type is not supported' });
        res.writeHead(200);
        return void res.end();
      }
      if (parts[2] === 'userinfo') {
        const session = sessions.check(bearer(req, url));
        if (!session.ok) return sendJson(res, 403, 'Bad_OAuth_Token', { 'Content-Type': 'text/plain' });
        return identity(req, url, res, session.userId);
      }
    }
    if (parts[0] === 'id' && parts.length === 3 && method === 'GET') {
      if (parts[1] !== org.orgId) return sendJson(res, 404, 'Bad_Id', { 'Content-Type': 'text/plain' });
      return identity(req, url, res, parts[2]!);
    }
    if (parts[0] === 'services' && parts[1] === 'data') {
      if (parts.length === 2) return sendJson(res, 200, versions());
      return api(req, url, res, parts.slice(2));
    }
    if (parts[0] === 'cometd' && method === 'POST') {
      return cometd.handle(parseJson(await readBody(req)), req.headers.authorization, res);
    }
    if (parts[0] === '__sandbox') return sandboxApi(req, res, parts.slice(1));
    throw new HttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return sendJson(res, err.status, apiErrorBody(err.errorCode, err.message, err.fields));
      if (err instanceof SoqlError) return sendJson(res, 400, apiErrorBody(err.errorCode, err.message));
      if (err instanceof RecordError) return sendJson(res, err.status, apiErrorBody(err.errorCode, err.message, err.fields));
      const message = err instanceof Error ? err.message : String(err);
      sendJson(res, 500, apiErrorBody('UNKNOWN_EXCEPTION', `An unexpected error occurred: ${message}`));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const handle: SalesforceSandbox = {
    url: baseUrl,
    port: address.port,
    orgId: org.orgId,
    org,
    idMap,
    integrationUserId: org.integrationUserId,
    mutations,
    cdc,
    stats: () => ({ apiRequests: apiUsed, requestsByRoute: { ...byRoute }, inFlight, maxInFlight, rejected, cometdClients: cometd.clientCount }),
    issueSession: (userId) => sessions.issue(userId ?? org.integrationUserId, options.clientId),
    faults: {
      failNext(count, failOptions = {}) {
        const status = failOptions.status ?? 503;
        for (let i = 0; i < count; i++) {
          failures.push({
            status,
            errorCode: failOptions.errorCode ?? (status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION'),
            message: failOptions.message ?? (status === 503 ? 'Server temporarily unavailable' : 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)'),
            match: failOptions.match,
          });
        }
      },
      expireSessions: () => sessions.expireAll(),
      setApiUsage(used) {
        apiUsed = used;
      },
    },
    async close() {
      cometd.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}


import { z } from 'zod';
import { ENGAGEMENT_ASSOCIATION_TYPES, ENGAGEMENT_TYPES, type EngagementType } from './associations.js';
import { badRequest, HubspotError, missingScopes, notFound, errorBody } from './errors.js';
import type { HubspotOwner, HubspotPipeline, HubspotPortal } from './portal.js';
import type { PropertyValues, RecordStore } from './record-store.js';
import { searchRequestSchema, type SearchEngine } from './search.js';
import type {
  WireAssociationBatch,
  WireAssociationMulti,
  WireBatchWithErrors,
  WireListPage,
  WireObjectWithAssociations,
  WireOwner,
  WireOwnerPage,
  WireProperty,
  WirePropertyList,
  WirePipeline,
  WirePipelines,
  WireSearchPage,
  WireStandardError,
  WireValueWithTimestamp,
} from './wire.js';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly scopes: readonly string[];
  /** Scheme + host the client called, for paging links. */
  readonly origin: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Pre-serialized JSON, for bodies with exact decimals HubSpot sends as JSON numbers. */
  readonly rawJson?: string;
}

const OBJECT_TYPE_IDS: Readonly<Record<string, string>> = { '0-3': 'deals', '0-48': 'calls', '0-49': 'emails', '0-47': 'meetings', '0-27': 'tasks', deal: 'deals', call: 'calls', email: 'emails', meeting: 'meetings', task: 'tasks', goal_target: 'goal_targets', goals: 'goal_targets' };

export function normalizeObjectType(type: string): string {
  return OBJECT_TYPE_IDS[type.toLowerCase()] ?? type.toLowerCase();
}

/** The scope HubSpot checks for reading (or writing) an object type. Engagements go under contacts (tasks guide). */
function objectScope(type: string, write: boolean): string {
  const base = type === 'deals' ? 'crm.objects.deals' : type === 'goal_targets' ? 'crm.objects.goals' : 'crm.objects.contacts';
  return `${base}.${write ? 'write' : 'read'}`;
}

function requireScope(request: ApiRequest, scope: string): void {
  if (!request.scopes.includes(scope)) throw missingScopes([scope]);
}

function listParam(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

function boolParam(query: URLSearchParams, name: string): boolean {
  return query.get(name) === 'true';
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`Invalid input JSON on line 1: ${what}: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The same request with the next cursor, as HubSpot's paging.next.link. */
function nextLink(request: ApiRequest, after: string): URL {
  const link = new URL(request.path, request.origin);
  request.query.forEach((value, key) => {
    if (key !== 'after') link.searchParams.append(key, value);
  });
  link.searchParams.set('after', after);
  return link;
}

/** The CRM API of one portal. */
export class CrmApi {
  constructor(
    private readonly portal: HubspotPortal,
    private readonly search: SearchEngine,
  ) {}

  /** Routes one authenticated API request; undefined when no route matches. */
  handle(request: ApiRequest): ApiResponse | undefined {
    const { method, path } = request;
    if (method === 'POST' && /^\/crm\/v3\/objects\/deals\/splits\/batch\/read$/.test(path)) return this.dealSplits(request);
    // v3 paths and their date-versioned twins (/crm/objects/2026-03/...).
    const objects = /^\/crm\/(?:v3\/objects|objects\/\d{4}-\d{2})\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(path);
    if (objects) {
      const type = normalizeObjectType(decodeURIComponent(objects[1]!));
      const [second, third] = [objects[2], objects[3]];
      if (method === 'GET' && second === undefined) return this.list(request, type);
      if (method === 'POST' && second === 'search' && third === undefined) return this.doSearch(request, type);
      if (method === 'POST' && second === 'batch' && third === 'read') return this.batchRead(request, type);
      if (method === 'POST' && second === undefined) return this.create(request, type);
      if (method === 'GET' && second !== undefined && third === undefined) return this.getById(request, type, decodeURIComponent(second));
      return undefined;
    }
    const owners = /^\/crm\/v3\/owners\/?(?:([^/]+))?$/.exec(path);
    if (owners && method === 'GET') return owners[1] === undefined ? this.owners(request) : this.owner(request, decodeURIComponent(owners[1]));
    const pipelines = /^\/crm\/v3\/pipelines\/([^/]+)(?:\/([^/]+)(?:\/(stages))?)?$/.exec(path);
    if (pipelines && method === 'GET') return this.pipelines(request, normalizeObjectType(pipelines[1]!), pipelines[2], pipelines[3] !== undefined);
    const properties = /^\/crm\/v3\/properties\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (properties && method === 'GET') return this.properties(request, normalizeObjectType(properties[1]!), properties[2] === undefined ? undefined : decodeURIComponent(properties[2]));
    const batchAssoc = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/.exec(path);
    if (batchAssoc && method === 'POST') return this.associationsBatch(request, normalizeObjectType(batchAssoc[1]!), normalizeObjectType(batchAssoc[2]!));
    const oneAssoc = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/.exec(path);
    if (oneAssoc && method === 'GET') return this.associationsOf(request, normalizeObjectType(oneAssoc[1]!), decodeURIComponent(oneAssoc[2]!), normalizeObjectType(oneAssoc[3]!));
    if (method === 'GET' && /^\/settings\/(?:v3\/currencies|currencies\/\d{4}-\d{2})\/company-currency$/.test(path)) return this.companyCurrency(request);
    const rates = /^\/settings\/(?:v3\/currencies|currencies\/\d{4}-\d{2})\/exchange-rates(\/current)?$/.exec(path);
    if (rates && method === 'GET') return this.exchangeRates(request, rates[1] !== undefined);
    return undefined;
  }

  // ---- Objects ---------------------------------------------------------------------------

  private storeFor(type: string): RecordStore {
    const store = this.portal.store(type);
    if (!store) throw badRequest(`Unable to infer object type from: ${type}`);
    return store;
  }

  private readProperties(store: RecordStore, query: URLSearchParams | readonly string[] | undefined, name = 'properties'): readonly string[] {
    const names = query === undefined ? [] : Array.isArray(query) ? (query as readonly string[]) : listParam(query as URLSearchParams, name);
    // HubSpot always adds the id, creation and last-modified properties to the ones asked for.
    return names.length > 0 ? [...new Set([...names, ...store.systemProperties])] : store.defaultProperties;
  }

  private toWire(store: RecordStore, i: number, properties: readonly string[], withHistory: readonly string[], associations: readonly string[] = []): WireObjectWithAssociations {
    const out: WireObjectWithAssociations = {
      id: store.idAt(i),
      properties: store.properties(i, properties),
      createdAt: iso(store.createdAt(i)),
      updatedAt: iso(store.updatedAt(i)),
      archived: store.isArchived(i),
    };
    if (store.isArchived(i)) out.archivedAt = iso(store.archivedAt(i));
    if (withHistory.length > 0) {
      const history: Record<string, WireValueWithTimestamp[]> = {};
      for (const name of withHistory) {
        if (!store.typeOf(name)) continue;
        history[name] = store.history(i, name).map((h) => ({ value: h.value, timestamp: iso(h.timestampMs), sourceType: h.sourceType }));
      }
      out.propertiesWithHistory = history;
    }
    if (associations.length > 0) {
      const assoc: NonNullable<WireObjectWithAssociations['associations']> = {};
      for (const toType of associations) {
        const linked = this.linked(store.objectType, i, normalizeObjectType(toType));
        if (!linked || linked.ids.length === 0) continue;
        assoc[toType] = { results: linked.ids.map((id) => ({ id, type: linked.label })) };
      }
      if (Object.keys(assoc).length > 0) out.associations = assoc;
    }
    return out;
  }

  private list(request: ApiRequest, type: string): ApiResponse {
    requireScope(request, objectScope(type, false));
    const store = this.storeFor(type);
    const q = request.query;
    // The list endpoint serves at most 100 per page (❓ whether HubSpot caps silently or rejects).
    const limit = Math.min(100, Math.max(1, intParam(q, 'limit', 10)));
    const afterRaw = q.get('after');
    if (afterRaw !== null && afterRaw !== '' && !/^\d+$/.test(afterRaw)) throw badRequest(`after "${afterRaw}" is not a paging cursor this endpoint returned`);
    const archived = boolParam(q, 'archived');
    const properties = this.readProperties(store, q);
    const withHistory = listParam(q, 'propertiesWithHistory');
    const associations = listParam(q, 'associations');
    const results: WireObjectWithAssociations[] = [];
    let i = afterRaw ? store.lowerBound(Number(afterRaw)) : 0;
    for (; i < store.size && results.length < limit; i++) {
      if (store.isArchived(i) !== archived) continue;
      results.push(this.toWire(store, i, properties, withHistory, associations));
    }
    while (i < store.size && store.isArchived(i) !== archived) i++;
    const page: WireListPage = { results };
    if (i < store.size) {
      const after = store.idAt(i);
      const link = nextLink(request, after);
      page.paging = { next: { after, link: link.toString() } };
    }
    return { status: 200, body: page };
  }

  private getById(request: ApiRequest, type: string, id: string): ApiResponse {
    requireScope(request, objectScope(type, false));
    const store = this.storeFor(type);
    const i = store.indexOf(id);
    if (i === undefined || store.isArchived(i) !== boolParam(request.query, 'archived')) throw notFound();
    return { status: 200, body: this.toWire(store, i, this.readProperties(store, request.query), listParam(request.query, 'propertiesWithHistory'), listParam(request.query, 'associations')) };
  }

  private doSearch(request: ApiRequest, type: string): ApiResponse {
    requireScope(request, objectScope(type, false));
    const store = this.storeFor(type);
    const body = parseBody(searchRequestSchema, request.body ?? {}, 'search request');
    const page = this.search.page(store, body);
    const properties = this.readProperties(store, body.properties);
    const out: WireSearchPage = {
      total: page.total,
      results: page.indices.map((i) => {
        const { associations: _unused, ...rest } = this.toWire(store, i, properties, []);
        return rest;
      }),
    };
    if (page.nextAfter !== undefined) out.paging = { next: { after: page.nextAfter } };
    return { status: 200, body: out };
  }

  private batchRead(request: ApiRequest, type: string): ApiResponse {
    requireScope(request, objectScope(type, false));
    const store = this.storeFor(type);
    const body = parseBody(
      z.object({ inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })), properties: z.array(z.string()).default([]), propertiesWithHistory: z.array(z.string()).default([]), idProperty: z.string().optional() }),
      request.body,
      'batch read',
    );
    if (body.inputs.length > 100) throw badRequest(`Too many inputs: ${body.inputs.length}; a batch read takes at most 100.`);
    if (body.idProperty !== undefined && body.idProperty !== 'hs_object_id') throw badRequest(`idProperty ${body.idProperty} is not a unique property of ${type} in this sandbox`);
    const archived = boolParam(request.query, 'archived');
    const startedAt = iso(Date.now());
    const properties = this.readProperties(store, body.properties);
    const missing: string[] = [];
    const results: WireObjectWithAssociations[] = [];
    const seen = new Set<string>();
    for (const { id } of body.inputs) {
      if (seen.has(id)) continue;
      seen.add(id);
      const i = store.indexOf(id);
      if (i === undefined || store.isArchived(i) !== archived) missing.push(id);
      else results.push(this.toWire(store, i, properties, body.propertiesWithHistory));
    }
    const out: WireBatchWithErrors = { status: 'COMPLETE', results, startedAt, completedAt: iso(Date.now()) };
    if (missing.length > 0) {
      const objectName = type.replace(/s$/, '').toUpperCase();
      const error: WireStandardError = {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `Could not get some ${objectName} objects, they may be deleted or not exist. Check that ids are valid.`,
        context: { ids: missing },
        links: {},
        errors: [],
      };
      out.numErrors = 1;
      out.errors = [error];
      return { status: 207, body: out };
    }
    return { status: 200, body: out };
  }

  private create(request: ApiRequest, type: string): ApiResponse {
    if (type !== 'tasks') throw new HubspotError(405, errorBody(`Creating ${type} is not emulated by the sandbox; only tasks can be created through the API.`, 'METHOD_NOT_ALLOWED'));
    requireScope(request, objectScope(type, true));
    const store = this.storeFor(type);
    const body = parseBody(
      z.object({
        properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)),
        associations: z
          .array(z.object({ to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }), types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number().int() })).min(1) }))
          .default([]),
      }),
      request.body,
      'create task',
    );
    const problems: { message: string; code: string; context: Record<string, string[]> }[] = [];
    for (const name of Object.keys(body.properties)) {
      if (!store.typeOf(name) || name === 'hs_object_id' || name === 'hs_lastmodifieddate' || name === 'hs_createdate') problems.push({ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: [name] } });
    }
    const enums: Readonly<Record<string, readonly string[]>> = {
      hs_task_status: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
      hs_task_priority: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
      hs_task_type: ['EMAIL', 'CALL', 'TODO', 'LINKED_IN', 'MEETING'],
    };
    for (const [name, allowed] of Object.entries(enums)) {
      const v = body.properties[name];
      if (v !== undefined && !allowed.includes(v)) problems.push({ message: `${v} was not one of the allowed options: ${allowed.join(', ')}`, code: 'INVALID_OPTION', context: { propertyName: [name] } });
    }
    const owner = body.properties['hubspot_owner_id'];
    if (owner !== undefined && owner !== '' && !this.portal.ownerById(owner)) problems.push({ message: `${owner} is not a valid owner id`, code: 'INVALID_OWNER_ID', context: { propertyName: ['hubspot_owner_id'] } });
    const timestamp = body.properties['hs_timestamp'];
    if (timestamp === undefined || timestamp === '') problems.push({ message: 'hs_timestamp is required', code: 'REQUIRED_PROPERTY', context: { propertyName: ['hs_timestamp'] } });
    if (problems.length > 0) throw badRequest(`Property values were not valid: ${JSON.stringify(problems)}`, { errors: problems.map((p) => ({ message: p.message, code: p.code, context: p.context })) });

    const dealLinks: number[] = [];
    for (const a of body.associations) {
      for (const t of a.types) {
        if (t.associationCategory !== 'HUBSPOT_DEFINED' || t.associationTypeId !== ENGAGEMENT_ASSOCIATION_TYPES.tasks.toDeal) {
          throw badRequest(`association type ${t.associationCategory}/${t.associationTypeId} is not emulated; the sandbox links tasks to deals with HUBSPOT_DEFINED/216`, { subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE' });
        }
      }
      const di = this.portal.deals.indexOf(a.to.id);
      if (di === undefined || this.portal.deals.isArchived(di)) throw badRequest(`One or more associations are invalid: deal ${a.to.id} does not exist`, { subCategory: 'crm.associations.INVALID_OBJECT_IDS', context: { ids: [a.to.id] } });
      dealLinks.push(di);
    }
    const values: PropertyValues = { hs_task_status: 'NOT_STARTED', hs_task_priority: 'NONE', hs_task_type: 'TODO', ...body.properties };
    // hs_timestamp is a datetime: epoch ms or ISO; keep HubSpot's ISO form.
    const ms = /^\d+$/.test(timestamp!) ? Number(timestamp) : Date.parse(timestamp!);
    if (!Number.isFinite(ms)) throw badRequest(`${timestamp} is not a valid datetime for hs_timestamp`);
    values['hs_timestamp'] = iso(ms);
    const now = this.portal.now();
    const i = store.create(values, now);
    for (const di of dealLinks) this.portal.links.tasks.add(di, i);
    const created = this.toWire(store, i, Object.keys(values).concat(store.defaultProperties), []);
    return { status: 201, body: created };
  }

  // ---- Associations ----------------------------------------------------------------------

  /** Records of `toType` linked to record i of `fromType`, with v3's association label. */
  private linked(fromType: string, i: number, toType: string): { ids: string[]; indices: readonly number[]; typeId: number; label: string } | undefined {
    if (fromType === 'deals' && (ENGAGEMENT_TYPES as readonly string[]).includes(toType)) {
      const t = toType as EngagementType;
      const indices = this.portal.links[t].fromDeal(i);
      return { ids: indices.map((k) => this.portal.engagements[t].idAt(k)), indices, typeId: ENGAGEMENT_ASSOCIATION_TYPES[t].dealTo, label: `deal_to_${t.replace(/s$/, '')}` };
    }
    if (toType === 'deals' && (ENGAGEMENT_TYPES as readonly string[]).includes(fromType)) {
      const t = fromType as EngagementType;
      const indices = this.portal.links[t].toDeal(i);
      return { ids: indices.map((k) => this.portal.deals.idAt(k)), indices, typeId: ENGAGEMENT_ASSOCIATION_TYPES[t].toDeal, label: `${t.replace(/s$/, '')}_to_deal` };
    }
    return undefined;
  }

  private associationsBatch(request: ApiRequest, from: string, to: string): ApiResponse {
    requireScope(request, objectScope(from, false));
    requireScope(request, objectScope(to, false));
    const fromStore = this.storeFor(from);
    this.storeFor(to);
    const body = parseBody(z.object({ inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() })) }), request.body, 'associations batch read');
    if (body.inputs.length > 1000) throw badRequest(`Too many inputs: ${body.inputs.length}; at most 1000.`);
    const startedAt = iso(Date.now());
    const results: WireAssociationMulti[] = [];
    const errors: WireStandardError[] = [];
    for (const { id } of body.inputs) {
      const i = fromStore.indexOf(id);
      const linked = i === undefined || fromStore.isArchived(i) ? undefined : this.linked(from, i, to);
      if (!linked || linked.ids.length === 0) {
        errors.push({ status: 'error', category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', message: `No ${to} is associated with ${from.replace(/s$/, '')} ${id}.`, context: { fromObjectId: [id] }, links: {}, errors: [] });
        continue;
      }
      results.push({ from: { id }, to: linked.ids.map((toObjectId) => ({ toObjectId, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: linked.typeId }] })) });
    }
    const out: WireAssociationBatch = { status: 'COMPLETE', results, startedAt, completedAt: iso(Date.now()) };
    if (errors.length > 0) {
      out.numErrors = errors.length;
      out.errors = errors;
      return { status: 207, body: out };
    }
    return { status: 200, body: out };
  }

  private associationsOf(request: ApiRequest, from: string, id: string, to: string): ApiResponse {
    requireScope(request, objectScope(from, false));
    requireScope(request, objectScope(to, false));
    const store = this.storeFor(from);
    const i = store.indexOf(id);
    if (i === undefined || store.isArchived(i)) throw notFound();
    const linked = this.linked(from, i, to);
    const limit = Math.min(500, Math.max(1, intParam(request.query, 'limit', 500)));
    const offset = intParam(request.query, 'after', 0);
    const ids = linked?.ids ?? [];
    const slice = ids.slice(offset, offset + limit);
    const body: { results: WireAssociationMulti['to']; paging?: { next: { after: string } } } = {
      results: slice.map((toObjectId) => ({ toObjectId, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: linked!.typeId }] })),
    };
    if (offset + limit < ids.length) body.paging = { next: { after: String(offset + limit) } };
    return { status: 200, body };
  }

  // ---- Owners and pipelines --------------------------------------------------------------

  private ownerWire(o: HubspotOwner): WireOwner {
    return {
      id: String(o.id),
      email: o.email,
      firstName: o.firstName,
      lastName: o.lastName,
      userId: o.userId,
      userIdIncludingInactive: o.userId,
      createdAt: iso(o.createdMs),
      updatedAt: iso(o.updatedMs),
      archived: o.archived,
      type: 'PERSON',
      teams: o.teams.map((t) => ({ id: t.id, name: t.name, primary: t.primary })),
    };
  }

  private owners(request: ApiRequest): ApiResponse {
    requireScope(request, 'crm.objects.owners.read');
    const q = request.query;
    const limit = Math.min(500, Math.max(1, intParam(q, 'limit', 100)));
    const archived = boolParam(q, 'archived');
    const email = q.get('email');
    const after = q.get('after');
    const list = this.portal.owners.filter((o) => o.archived === archived && (email === null || o.email.toLowerCase() === email.toLowerCase()) && (after === null || o.id >= Number(after)));
    const page: WireOwnerPage = { results: list.slice(0, limit).map((o) => this.ownerWire(o)) };
    const next = list[limit];
    if (next) {
      const link = nextLink(request, String(next.id));
      page.paging = { next: { after: String(next.id), link: link.toString() } };
    }
    return { status: 200, body: page };
  }

  private owner(request: ApiRequest, id: string): ApiResponse {
    requireScope(request, 'crm.objects.owners.read');
    const byUser = request.query.get('idProperty') === 'userId';
    const archived = boolParam(request.query, 'archived');
    const o = this.portal.owners.find((x) => String(byUser ? x.userId : x.id) === id && x.archived === archived);
    if (!o) throw notFound(`Owner ${id} not found`);
    return { status: 200, body: this.ownerWire(o) };
  }

  private pipelines(request: ApiRequest, type: string, pipelineId: string | undefined, stagesOnly: boolean): ApiResponse {
    if (type !== 'deals') throw badRequest(`Pipelines of ${type} are not emulated; the sandbox serves deal pipelines only`);
    requireScope(request, 'crm.objects.deals.read');
    const created = iso(this.portal.createdMs);
    const toWire = (p: HubspotPipeline): WirePipeline => ({
      id: p.id,
      label: p.label,
      displayOrder: p.displayOrder,
      archived: false,
      createdAt: created,
      updatedAt: created,
      stages: p.stages.map((s) => ({
        id: s.id,
        label: s.label,
        displayOrder: s.displayOrder,
        metadata: { isClosed: String(s.isClosed), probability: s.probability },
        archived: false,
        createdAt: created,
        updatedAt: created,
        writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
      })),
    });
    if (pipelineId === undefined) {
      const body: WirePipelines = { results: this.portal.pipelines.map(toWire) };
      return { status: 200, body };
    }
    const p = this.portal.pipelines.find((x) => x.id === pipelineId);
    if (!p) throw notFound(`Pipeline ${pipelineId} not found`);
    const wire = toWire(p);
    return { status: 200, body: stagesOnly ? { results: wire.stages } : wire };
  }

  // ---- Properties --------------------------------------------------------------------------

  private properties(request: ApiRequest, type: string, name: string | undefined): ApiResponse {
    const read = objectScope(type, false);
    const schema = type === 'deals' ? 'crm.schemas.deals.read' : read;
    if (!request.scopes.includes(read) && !request.scopes.includes(schema)) throw missingScopes([read, schema]);
    const store = this.storeFor(type);
    const names = store.propertyNames();
    if (type === 'deals') for (const p of this.portal.pipelines) for (const s of p.stages) names.push(`hs_date_entered_${s.id}`);
    const all = names.map((n) => this.propertyWire(store, n));
    if (name === undefined) {
      const body: WirePropertyList = { results: all };
      return { status: 200, body };
    }
    const one = store.typeOf(name) ? this.propertyWire(store, name) : undefined;
    if (!one) throw notFound(`Unable to find property ${name} on ${type}`);
    return { status: 200, body: one };
  }

  private propertyWire(store: RecordStore, name: string): WireProperty {
    const type = store.typeOf(name) ?? 'string';
    const fieldType = { string: 'text', number: 'number', datetime: 'date', enumeration: 'select', bool: 'booleancheckbox' }[type];
    const calculated = name.startsWith('hs_') && name !== 'hs_timestamp' && !name.startsWith('hs_task_') && !name.startsWith('hs_call_') && !name.startsWith('hs_meeting_') && !name.startsWith('hs_email_');
    let options: WireProperty['options'] = [];
    if (store.objectType === 'deals' && name === 'dealstage') options = this.portal.pipelines.flatMap((p) => p.stages.map((s) => ({ label: s.label, value: s.id, displayOrder: s.displayOrder, hidden: false })));
    if (store.objectType === 'deals' && name === 'pipeline') options = this.portal.pipelines.map((p) => ({ label: p.label, value: p.id, displayOrder: p.displayOrder, hidden: false }));
    if (name === 'deal_currency_code') options = [this.portal.companyCurrency, ...new Set(this.portal.exchangeRates.map((r) => r.fromCurrencyCode))].map((c, k) => ({ label: c, value: c, displayOrder: k, hidden: false }));
    const created = iso(this.portal.createdMs);
    return {
      name,
      label: name.replace(/^hs_/, '').replace(/_/g, ' '),
      description: '',
      groupName: store.objectType === 'deals' ? 'dealinformation' : `${store.objectType.replace(/s$/, '')}information`,
      type,
      fieldType,
      options,
      calculated,
      hubspotDefined: true,
      hidden: false,
      formField: false,
      hasUniqueValue: name === 'hs_object_id',
      showCurrencySymbol: name === 'amount' || name === 'amount_in_home_currency',
      ...(name === 'hubspot_owner_id' ? { referencedObjectType: 'OWNER' } : {}),
      modificationMetadata: { readOnlyValue: calculated, readOnlyDefinition: true, archivable: false },
      createdAt: created,
      updatedAt: created,
      archived: false,
    };
  }

  // ---- Deal splits -------------------------------------------------------------------------

  /**
   * Revenue splits of up to 100 deals: one result per found deal (`splits: []` when the
   * owner has it all); unknown or archived ids come back as a 207 error like other batch
   * reads ❓. A portal without deal splits answers 403 (❓ undocumented; see BEHAVIOR.md).
   */
  private dealSplits(request: ApiRequest): ApiResponse {
    requireScope(request, 'crm.dealsplits.read_write');
    if (!this.portal.dealSplitsEnabled) throw new HubspotError(403, errorBody('Deal splits are not enabled for this account. Turn them on in Settings > Objects > Deals > Deal splits (Sales Hub Enterprise).', 'FEATURE_NOT_ENABLED'));
    const body = parseBody(z.object({ inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })) }), request.body, 'deal splits batch read');
    if (body.inputs.length > 100) throw badRequest(`Too many inputs: ${body.inputs.length}; a batch read takes at most 100.`);
    const startedAt = iso(Date.now());
    const store = this.portal.deals;
    const missing: string[] = [];
    const results: Array<{ id: string; splits: unknown[] }> = [];
    for (const id of new Set(body.inputs.map((x) => x.id))) {
      const i = store.indexOf(id);
      if (i === undefined || store.isArchived(i)) {
        missing.push(id);
        continue;
      }
      const splits = this.portal.splitsOfDeal(i).map((x) => ({ id: x.id, properties: { hs_deal_split_percentage: x.percentage, hubspot_owner_id: x.ownerId }, createdAt: iso(x.createdMs), updatedAt: iso(x.createdMs), archived: false }));
      results.push({ id, splits });
    }
    const out: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: iso(Date.now()) };
    if (missing.length === 0) return { status: 200, body: out };
    out['numErrors'] = 1;
    out['errors'] = [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid.', context: { ids: missing }, links: {}, errors: [] }];
    return { status: 207, body: out };
  }

  // ---- Currencies --------------------------------------------------------------------------

  private companyCurrency(request: ApiRequest): ApiResponse {
    requireScope(request, 'settings.currencies.read');
    return { status: 200, body: { currencyCode: this.portal.companyCurrency, updatedAt: iso(this.portal.createdMs) } };
  }

  /** conversionRate is a JSON number in HubSpot's answer; the exact decimal text is written unrounded. */
  private exchangeRates(request: ApiRequest, currentOnly: boolean): ApiResponse {
    requireScope(request, 'settings.currencies.read');
    const now = Date.now();
    let rates = this.portal.exchangeRates.filter((r) => r.effectiveMs <= now || !currentOnly);
    if (currentOnly) {
      const latest = new Map<string, (typeof rates)[number]>();
      for (const r of rates) if (!latest.has(r.fromCurrencyCode) || latest.get(r.fromCurrencyCode)!.effectiveMs <= r.effectiveMs) latest.set(r.fromCurrencyCode, r);
      rates = [...latest.values()];
    }
    const items = rates.map(
      (r) =>
        `{"id":${JSON.stringify(r.id)},"fromCurrencyCode":${JSON.stringify(r.fromCurrencyCode)},"toCurrencyCode":${JSON.stringify(r.toCurrencyCode)},"conversionRate":${r.conversionRate},"effectiveAt":"${iso(r.effectiveMs)}","createdAt":"${iso(r.effectiveMs)}","updatedAt":"${iso(r.effectiveMs)}","visibleInUI":true}`,
    );
    return { status: 200, rawJson: `{"results":[${items.join(',')}]}` };
  }
}

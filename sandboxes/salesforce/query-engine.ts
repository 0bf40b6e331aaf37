import { to18 } from './ids.js';
import { objectNamed, type FieldDef, type ObjectDef } from './schema.js';
import { positioned, SoqlError, type CompareOp, type Expr, type FieldRef, type Literal, type SoqlQuery } from './soql.js';
import { formatDateTime, type SalesforceOrg, type SObjectRecord, type Value } from './store.js';

/**
 * Runs a parsed SOQL query against an org: resolves every field path against the schema
 * (unknown names fail as Salesforce fails them), filters, sorts and returns the matching
 * records plus writers for the REST JSON and Bulk API CSV forms.
 */
interface ResolvedField {
  readonly ref: FieldRef;
  /** Canonical path ("Owner.Name"), as Salesforce spells it. */
  readonly path: readonly string[];
  readonly field: FieldDef;
  readonly get: (record: SObjectRecord) => Value;
}

export interface QueryPlan {
  readonly object: ObjectDef;
  readonly columns: readonly ResolvedField[];
  readonly count: boolean;
  run(scanAll: boolean): SObjectRecord[];
  /** One record as REST JSON text. */
  json(record: SObjectRecord, apiVersion: string): string;
  csvHeader(delimiter: string): string;
  csvRow(record: SObjectRecord, delimiter: string): string;
}

const NO_SUCH_COLUMN_HINT = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

function invalidField(query: SoqlQuery, pos: number, message: string): SoqlError {
  return new SoqlError('INVALID_FIELD', positioned(query.text, pos, message));
}

function resolve(org: SalesforceOrg, query: SoqlQuery, root: ObjectDef, ref: FieldRef): ResolvedField {
  let def = root;
  const path: string[] = [];
  const hops: FieldDef[] = [];
  const segments = ref.path.length > 1 && ref.path[0]!.toLowerCase() === root.name.toLowerCase() ? ref.path.slice(1) : ref.path;
  for (let i = 0; i < segments.length - 1; i++) {
    const name = segments[i]!;
    const hop = def.fields.find((f) => f.relationshipName?.toLowerCase() === name.toLowerCase());
    const target = hop?.referenceTo?.[0] !== undefined ? objectNamed(hop.referenceTo[0]) : undefined;
    if (!hop || !target) throw invalidField(query, ref.pos, `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    path.push(hop.relationshipName!);
    hops.push(hop);
    def = target;
  }
  const last = segments[segments.length - 1]!;
  const field = def.fieldByName.get(last.toLowerCase());
  if (!field || org.isFieldHidden(def.name, field.name)) throw invalidField(query, ref.pos, `No such column '${last}' on entity '${def.name}'. ${NO_SUCH_COLUMN_HINT}`);
  path.push(field.name);
  const name = field.name;
  const get =
    hops.length === 0
      ? (record: SObjectRecord): Value => record[name] ?? null
      : (record: SObjectRecord): Value => {
          let current: SObjectRecord | undefined = record;
          for (const hop of hops) {
            const id: Value | undefined = current[hop.name];
            current = typeof id === 'string' ? org.find(id)?.record : undefined;
            if (!current) return null;
          }
          return current[name] ?? null;
        };
  return { ref, path, field, get };
}

/** Exact comparison of decimal strings ("-12.5" vs "3"), no floats involved. */
export function compareDecimal(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const sign = negA ? -1 : 1;
  const [ia = '', fa = ''] = (negA ? a.slice(1) : a).split('.');
  const [ib = '', fb = ''] = (negB ? b.slice(1) : b).split('.');
  const intA = ia.replace(/^0+(?=\d)/, '');
  const intB = ib.replace(/^0+(?=\d)/, '');
  if (intA.length !== intB.length) return sign * (intA.length < intB.length ? -1 : 1);
  if (intA !== intB) return sign * (intA < intB ? -1 : 1);
  const width = Math.max(fa.length, fb.length);
  const fracA = fa.padEnd(width, '0');
  const fracB = fb.padEnd(width, '0');
  return fracA === fracB ? 0 : sign * (fracA < fracB ? -1 : 1);
}

function compareValues(field: FieldDef, a: Value, b: Value): number {
  switch (field.type) {
    case 'currency':
    case 'double':
    case 'percent':
      return compareDecimal(String(a), String(b));
    case 'int':
    case 'datetime':
      return (a as number) - (b as number);
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    case 'id':
    case 'reference':
    case 'date':
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    default: {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x === y ? 0 : x < y ? -1 : 1;
    }
  }
}

const DAY = 86_400_000;

/** A date keyword as a half-open range [start, end) of UTC epoch ms. */
function keywordRange(name: string, n: number | undefined, now: number): [number, number] {
  const today = Math.floor(now / DAY) * DAY;
  const d = new Date(today);
  switch (name) {
    case 'TODAY':
      return [today, today + DAY];
    case 'YESTERDAY':
      return [today - DAY, today];
    case 'TOMORROW':
      return [today + DAY, today + 2 * DAY];
    case 'LAST_N_DAYS':
      return [today - (n ?? 0) * DAY, today + DAY];
    case 'NEXT_N_DAYS':
      return [today + DAY, today + (1 + (n ?? 0)) * DAY];
    case 'THIS_MONTH':
      return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
    case 'LAST_MONTH':
      return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)];
    default:
      return [Date.UTC(d.getUTCFullYear(), 0, 1), Date.UTC(d.getUTCFullYear() + 1, 0, 1)];
  }
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

type Test = (value: Value) => boolean;

function compileCompare(org: SalesforceOrg, query: SoqlQuery, field: FieldDef, fieldText: string, op: CompareOp, literal: Literal): Test {
  const typeError = (expected: string): SoqlError => invalidField(query, literal.pos, `value of filter criterion for field '${fieldText}' must be of type ${expected} and should not be enclosed in quotes`);
  if (literal.kind === 'null') {
    if (op === '=') return (v) => v === null;
    if (op === '!=') return (v) => v !== null;
    throw new SoqlError('MALFORMED_QUERY', positioned(query.text, literal.pos, `invalid operator on null: ${op}`));
  }
  const ordered = (cmp: (v: Value) => number): Test => {
    switch (op) {
      case '=':
        return (v) => v !== null && cmp(v) === 0;
      // SOQL, unlike SQL, lets rows with a null value through "!=".
      case '!=':
        return (v) => v === null || cmp(v) !== 0;
      case '<':
        return (v) => v !== null && cmp(v) < 0;
      case '<=':
        return (v) => v !== null && cmp(v) <= 0;
      case '>':
        return (v) => v !== null && cmp(v) > 0;
      default:
        return (v) => v !== null && cmp(v) >= 0;
    }
  };
  const range = (start: Value, end: Value, cmp: (a: Value, b: Value) => number): Test => {
    switch (op) {
      case '=':
        return (v) => v !== null && cmp(v, start) >= 0 && cmp(v, end) < 0;
      case '!=':
        return (v) => v === null || cmp(v, start) < 0 || cmp(v, end) >= 0;
      case '<':
        return (v) => v !== null && cmp(v, start) < 0;
      case '<=':
        return (v) => v !== null && cmp(v, end) < 0;
      case '>':
        return (v) => v !== null && cmp(v, end) >= 0;
      default:
        return (v) => v !== null && cmp(v, start) >= 0;
    }
  };
  switch (field.type) {
    case 'boolean':
      if (literal.kind !== 'boolean') throw typeError('boolean');
      return ordered((v) => (v === literal.value ? 0 : 1));
    case 'currency':
    case 'double':
    case 'percent':
    case 'int':
      if (literal.kind !== 'number') throw typeError(field.type === 'int' ? 'int' : 'double');
      return ordered((v) => compareDecimal(String(v), literal.text));
    case 'date':
      if (literal.kind === 'date') return ordered((v) => ((v as string) === literal.value ? 0 : (v as string) < literal.value ? -1 : 1));
      if (literal.kind === 'dateKeyword') {
        const [s, e] = keywordRange(literal.name, literal.n, org.now());
        return range(isoDay(s), isoDay(e), (a, b) => ((a as string) === (b as string) ? 0 : (a as string) < (b as string) ? -1 : 1));
      }
      throw typeError('date');
    case 'datetime':
      if (literal.kind === 'datetime') return ordered((v) => (v as number) - literal.ms);
      if (literal.kind === 'dateKeyword') {
        const [s, e] = keywordRange(literal.name, literal.n, org.now());
        return range(s, e, (a, b) => (a as number) - (b as number));
      }
      throw typeError('dateTime');
    case 'id':
    case 'reference': {
      if (literal.kind !== 'string') throw typeError('id');
      if (literal.value !== '' && !/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(literal.value)) throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', positioned(query.text, literal.pos, `invalid ID field: ${literal.value}`));
      const id = to18(literal.value);
      return ordered((v) => ((v as string) === id ? 0 : (v as string) < id ? -1 : 1));
    }
    default: {
      if (literal.kind !== 'string') throw typeError('string');
      const lower = literal.value.toLowerCase();
      return ordered((v) => {
        const x = String(v).toLowerCase();
        return x === lower ? 0 : x < lower ? -1 : 1;
      });
    }
  }
}

function likeTest(query: SoqlQuery, field: FieldDef, fieldText: string, pattern: Literal): Test {
  if (!['string', 'picklist', 'textarea', 'email', 'id', 'reference'].includes(field.type)) throw invalidField(query, pattern.pos, `invalid operator on field '${fieldText}': LIKE`);
  if (pattern.kind !== 'string') throw invalidField(query, pattern.pos, `value of filter criterion for field '${fieldText}' must be of type string`);
  const source = pattern.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  const re = new RegExp(`^${source}$`, 'is');
  return (v) => v !== null && re.test(String(v));
}

type Predicate = (record: SObjectRecord) => boolean;

export function compileQuery(org: SalesforceOrg, query: SoqlQuery): QueryPlan {
  const object = objectNamed(query.from.name);
  if (!object || !org.tables.has(object.name)) {
    throw new SoqlError('INVALID_TYPE', positioned(query.text, query.from.pos, `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`));
  }
  const table = org.table(object.name);
  const columns = query.fields.map((f) => resolve(org, query, object, f));
  const seen = new Set<string>();
  for (const c of columns) {
    const key = c.path.join('.').toLowerCase();
    if (seen.has(key)) throw new SoqlError('MALFORMED_QUERY', positioned(query.text, c.ref.pos, `duplicate field selected: ${c.path.join('.')}`));
    seen.add(key);
  }

  const compile = (expr: Expr): Predicate => {
    switch (expr.kind) {
      case 'and': {
        const parts = expr.items.map(compile);
        return (r) => parts.every((p) => p(r));
      }
      case 'or': {
        const parts = expr.items.map(compile);
        return (r) => parts.some((p) => p(r));
      }
      case 'not': {
        const inner = compile(expr.expr);
        return (r) => !inner(r);
      }
      case 'compare': {
        const f = resolve(org, query, object, expr.field);
        const test = compileCompare(org, query, f.field, expr.field.text, expr.op, expr.value);
        return (r) => test(f.get(r));
      }
      case 'in': {
        const f = resolve(org, query, object, expr.field);
        if ((f.field.type === 'id' || f.field.type === 'reference') && expr.values.every((v) => v.kind === 'string')) {
          // Id lists can be long (a connector fetching splits for a page of opportunities): one set lookup per row.
          for (const v of expr.values) compileCompare(org, query, f.field, expr.field.text, '=', v);
          const ids = new Set(expr.values.map((v) => to18((v as { value: string }).value)));
          return expr.negated ? (r) => !ids.has(f.get(r) as string) : (r) => ids.has(f.get(r) as string);
        }
        const tests = expr.values.map((v) => compileCompare(org, query, f.field, expr.field.text, '=', v));
        return expr.negated ? (r) => !tests.some((t) => t(f.get(r))) : (r) => tests.some((t) => t(f.get(r)));
      }
      case 'like': {
        const f = resolve(org, query, object, expr.field);
        const test = likeTest(query, f.field, expr.field.text, expr.pattern);
        return (r) => test(f.get(r));
      }
    }
  };
  const where = query.where ? compile(query.where) : undefined;
  const order = query.orderBy.map((o) => ({ ...o, resolved: resolve(org, query, object, o.field) }));

  const run = (scanAll: boolean): SObjectRecord[] => {
    const soft = object.softDeletes;
    let rows = table.rows.filter((r) => (scanAll || !soft || r['IsDeleted'] !== true) && (!where || where(r)));
    if (order.length > 0) {
      const keyed = rows.map((r) => ({ r, keys: order.map((o) => o.resolved.get(r)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < order.length; i++) {
          const o = order[i]!;
          const x = a.keys[i]!;
          const y = b.keys[i]!;
          if (x === y) continue;
          if (x === null) return o.nullsFirst ? -1 : 1;
          if (y === null) return o.nullsFirst ? 1 : -1;
          const c = compareValues(o.resolved.field, x, y);
          if (c !== 0) return o.descending ? -c : c;
        }
        return 0;
      });
      rows = keyed.map((k) => k.r);
    }
    const offset = query.offset ?? 0;
    const end = query.limit !== undefined ? offset + query.limit : undefined;
    return offset > 0 || end !== undefined ? rows.slice(offset, end) : rows;
  };

  // JSON: fields in SELECT order; a relationship becomes a nested object (with its own
  // attributes) at the place it is first mentioned, null when the lookup is empty.
  interface Node {
    readonly def: ObjectDef;
    readonly items: ({ kind: 'field'; field: FieldDef } | { kind: 'rel'; hop: FieldDef; node: Node })[];
  }
  const rootNode: Node = { def: object, items: [] };
  for (const c of columns) {
    let node = rootNode;
    for (let i = 0; i < c.path.length - 1; i++) {
      const relName = c.path[i]!;
      let item = node.items.find((it) => it.kind === 'rel' && it.hop.relationshipName === relName);
      if (!item) {
        const hop = node.def.fields.find((f) => f.relationshipName === relName)!;
        item = { kind: 'rel', hop, node: { def: objectNamed(hop.referenceTo![0]!)!, items: [] } };
        node.items.push(item);
      }
      node = (item as { node: Node }).node;
    }
    node.items.push({ kind: 'field', field: c.field });
  }
  const jsonValue = (field: FieldDef, v: Value): string => {
    if (v === null) return 'null';
    switch (field.type) {
      case 'datetime':
        return `"${formatDateTime(v as number)}"`;
      case 'currency':
      case 'double':
      case 'percent':
        // Raw decimal text: the JSON number Salesforce sends, without a float on our side.
        return String(v);
      case 'int':
      case 'boolean':
        return String(v);
      default:
        return JSON.stringify(v);
    }
  };
  const writeNode = (node: Node, record: SObjectRecord, version: string): string => {
    const id = record['Id'] as string;
    let out = `{"attributes":{"type":"${node.def.name}","url":"/services/data/v${version}/sobjects/${node.def.name}/${id}"}`;
    for (const item of node.items) {
      if (item.kind === 'field') out += `,"${item.field.name}":${jsonValue(item.field, record[item.field.name] ?? null)}`;
      else {
        const parentId = record[item.hop.name];
        const parent = typeof parentId === 'string' ? org.find(parentId)?.record : undefined;
        out += `,"${item.hop.relationshipName}":${parent ? writeNode(item.node, parent, version) : 'null'}`;
      }
    }
    return `${out}}`;
  };
  const csvValue = (field: FieldDef, v: Value): string => {
    if (v === null) return '';
    if (field.type === 'datetime') return new Date(v as number).toISOString();
    return String(v);
  };
  const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`;

  return {
    object,
    columns,
    count: query.count,
    run,
    json: (record, version) => writeNode(rootNode, record, version),
    csvHeader: (delimiter) => columns.map((c) => quote(c.path.join('.'))).join(delimiter),
    csvRow: (record, delimiter) => columns.map((c) => quote(csvValue(c.field, c.get(record)))).join(delimiter),
  };
}

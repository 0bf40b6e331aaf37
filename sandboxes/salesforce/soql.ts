/**
 * A SOQL subset parser: SELECT fields (dotted relationship paths) or COUNT(), FROM one
 * object, WHERE with AND/OR/NOT and parentheses, = != <> < <= > >= IN NOT IN LIKE,
 * string/number/boolean/null literals, unquoted date and datetime literals and a few date
 * keywords (TODAY, LAST_N_DAYS:n …), ORDER BY (ASC/DESC, NULLS FIRST/LAST), LIMIT, OFFSET.
 * Errors carry Salesforce's error codes and its "ERROR at Row:r:Column:c" message shape.
 */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export type Literal =
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly pos: number }
  | { readonly kind: 'null'; readonly pos: number }
  | { readonly kind: 'date'; readonly value: string; readonly pos: number }
  | { readonly kind: 'datetime'; readonly ms: number; readonly text: string; readonly pos: number }
  | { readonly kind: 'dateKeyword'; readonly name: string; readonly n: number | undefined; readonly pos: number };

export interface FieldRef {
  readonly path: readonly string[];
  readonly text: string;
  readonly pos: number;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Expr[] }
  | { readonly kind: 'not'; readonly expr: Expr }
  | { readonly kind: 'compare'; readonly field: FieldRef; readonly op: CompareOp; readonly value: Literal }
  | { readonly kind: 'in'; readonly field: FieldRef; readonly negated: boolean; readonly values: readonly Literal[] }
  | { readonly kind: 'like'; readonly field: FieldRef; readonly pattern: Literal };

export interface OrderItem {
  readonly field: FieldRef;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SoqlQuery {
  readonly text: string;
  readonly count: boolean;
  readonly fields: readonly FieldRef[];
  readonly from: { readonly name: string; readonly pos: number };
  readonly where: Expr | undefined;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

type Token =
  | { readonly t: 'ident'; readonly v: string; readonly pos: number }
  | { readonly t: 'string'; readonly v: string; readonly pos: number }
  | { readonly t: 'number'; readonly v: string; readonly pos: number }
  | { readonly t: 'date'; readonly v: string; readonly pos: number }
  | { readonly t: 'datetime'; readonly v: string; readonly pos: number }
  | { readonly t: 'punct'; readonly v: string; readonly pos: number }
  | { readonly t: 'end'; readonly v: ''; readonly pos: number };

const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}(?![\dT])/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const OPS = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', ',', ':'];

/** The error message Salesforce puts in front of a query problem: the row, a caret, the position. */
export function positioned(text: string, pos: number, message: string): string {
  const before = text.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', pos);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const column = pos - lineStart + 1;
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const next = text[++j]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        } else value += text[j];
      }
      if (j >= text.length) throw new SoqlError('MALFORMED_QUERY', positioned(text, i, 'line 1:' + i + ' mismatched character \'<EOF>\' expecting \'\'\''));
      tokens.push({ t: 'string', v: value, pos: i });
      i = j + 1;
      continue;
    }
    const dt = match(DATETIME);
    if (dt) {
      tokens.push({ t: 'datetime', v: dt, pos: i });
      i += dt.length;
      continue;
    }
    const d = match(DATE);
    if (d) {
      tokens.push({ t: 'date', v: d, pos: i });
      i += d.length;
      continue;
    }
    const n = match(NUMBER);
    if (n && (c !== '-' || tokens.length === 0 || tokens[tokens.length - 1]!.t === 'punct')) {
      tokens.push({ t: 'number', v: n, pos: i });
      i += n.length;
      continue;
    }
    const id = match(IDENT);
    if (id) {
      tokens.push({ t: 'ident', v: id, pos: i });
      i += id.length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'punct', v: op, pos: i });
      i += op.length;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', positioned(text, i, `unexpected token: '${c}'`));
  }
  tokens.push({ t: 'end', v: '', pos: text.length });
  return tokens;
}

const DATE_KEYWORDS = new Set(['TODAY', 'YESTERDAY', 'TOMORROW', 'THIS_MONTH', 'LAST_MONTH', 'THIS_YEAR', 'LAST_N_DAYS', 'NEXT_N_DAYS']);

export function parseSoql(text: string): SoqlQuery {
  if (text.trim() === '') throw new SoqlError('MALFORMED_QUERY', 'A query string has to be specified');
  const tokens = tokenize(text);
  let k = 0;
  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;
  const fail = (token: Token): never => {
    throw new SoqlError('MALFORMED_QUERY', positioned(text, token.pos, token.t === 'end' ? 'unexpected token: <EOF>' : `unexpected token: '${token.t === 'string' ? `'${token.v}'` : token.v}'`));
  };
  const isKeyword = (token: Token, word: string): boolean => token.t === 'ident' && token.v.toUpperCase() === word;
  const expectKeyword = (word: string): void => {
    const token = next();
    if (!isKeyword(token, word)) fail(token);
  };
  const expectPunct = (p: string): void => {
    const token = next();
    if (token.t !== 'punct' || token.v !== p) fail(token);
  };
  const fieldRef = (): FieldRef => {
    const token = next();
    if (token.t !== 'ident') return fail(token);
    return { path: token.v.split('.'), text: token.v, pos: token.pos };
  };

  expectKeyword('SELECT');
  let count = false;
  const fields: FieldRef[] = [];
  if (isKeyword(peek(), 'COUNT') && tokens[k + 1]?.t === 'punct' && tokens[k + 1]!.v === '(') {
    const at = next();
    next();
    if (peek().t !== 'punct' || peek().v !== ')') throw new SoqlError('MALFORMED_QUERY', positioned(text, at.pos, 'Aggregate functions other than COUNT() are not supported by this sandbox'));
    next();
    count = true;
  } else {
    for (;;) {
      const token = peek();
      if (token.t === 'punct' && token.v === '(') throw new SoqlError('MALFORMED_QUERY', positioned(text, token.pos, 'Relationship subqueries are not supported by this sandbox'));
      const f = fieldRef();
      if (peek().t === 'punct' && peek().v === '(') throw new SoqlError('MALFORMED_QUERY', positioned(text, f.pos, `Function ${f.text}() is not supported by this sandbox`));
      fields.push(f);
      if (peek().t === 'punct' && peek().v === ',') {
        next();
        continue;
      }
      break;
    }
  }
  expectKeyword('FROM');
  const fromToken = next();
  if (fromToken.t !== 'ident') fail(fromToken);
  const from = { name: fromToken.v, pos: fromToken.pos };

  const literal = (): Literal => {
    const token = next();
    switch (token.t) {
      case 'string':
        return { kind: 'string', value: token.v, pos: token.pos };
      case 'number':
        return { kind: 'number', text: token.v, pos: token.pos };
      case 'date':
        return { kind: 'date', value: token.v, pos: token.pos };
      case 'datetime': {
        const iso = token.v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
        const ms = Date.parse(iso);
        if (Number.isNaN(ms)) fail(token);
        return { kind: 'datetime', ms, text: token.v, pos: token.pos };
      }
      case 'ident': {
        const word = token.v.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', pos: token.pos };
        if (word === 'NULL') return { kind: 'null', pos: token.pos };
        if (DATE_KEYWORDS.has(word)) {
          let n: number | undefined;
          if (word.includes('_N_')) {
            expectPunct(':');
            const num = next();
            if (num.t !== 'number' || !/^\d+$/.test(num.v)) return fail(num);
            n = Number(num.v);
          }
          return { kind: 'dateKeyword', name: word, n, pos: token.pos };
        }
        return fail(token);
      }
      default:
        return fail(token);
    }
  };

  const condition = (): Expr => {
    const token = peek();
    if (isKeyword(token, 'NOT')) {
      next();
      return { kind: 'not', expr: condition() };
    }
    if (token.t === 'punct' && token.v === '(') {
      next();
      const inner = expression();
      expectPunct(')');
      return inner;
    }
    const field = fieldRef();
    const op = next();
    if (op.t === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(op.v)) {
      return { kind: 'compare', field, op: (op.v === '<>' ? '!=' : op.v) as CompareOp, value: literal() };
    }
    let negated = false;
    let word = op;
    if (isKeyword(op, 'NOT')) {
      negated = true;
      word = next();
    }
    if (isKeyword(word, 'IN')) {
      expectPunct('(');
      if (isKeyword(peek(), 'SELECT')) throw new SoqlError('MALFORMED_QUERY', positioned(text, peek().pos, 'Semi-join subqueries are not supported by this sandbox'));
      const values: Literal[] = [literal()];
      while (peek().t === 'punct' && peek().v === ',') {
        next();
        values.push(literal());
      }
      expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    if (!negated && isKeyword(word, 'LIKE')) return { kind: 'like', field, pattern: literal() };
    return fail(word);
  };

  const expression = (): Expr => {
    const items: Expr[] = [condition()];
    let connector: 'AND' | 'OR' | undefined;
    for (;;) {
      const token = peek();
      const word = token.t === 'ident' ? token.v.toUpperCase() : '';
      if (word !== 'AND' && word !== 'OR') break;
      // Salesforce refuses to guess precedence: mixing AND and OR needs parentheses.
      if (connector && connector !== word) throw new SoqlError('MALFORMED_QUERY', positioned(text, token.pos, `unexpected token: '${token.v}'`));
      connector = word;
      next();
      items.push(condition());
    }
    return items.length === 1 ? items[0]! : { kind: connector === 'OR' ? 'or' : 'and', items };
  };

  let where: Expr | undefined;
  if (isKeyword(peek(), 'WHERE')) {
    next();
    where = expression();
  }
  const orderBy: OrderItem[] = [];
  if (isKeyword(peek(), 'ORDER')) {
    next();
    expectKeyword('BY');
    for (;;) {
      const field = fieldRef();
      let descending = false;
      if (isKeyword(peek(), 'ASC')) next();
      else if (isKeyword(peek(), 'DESC')) {
        next();
        descending = true;
      }
      let nullsFirst = !descending;
      if (isKeyword(peek(), 'NULLS')) {
        next();
        const which = next();
        if (isKeyword(which, 'FIRST')) nullsFirst = true;
        else if (isKeyword(which, 'LAST')) nullsFirst = false;
        else fail(which);
      }
      orderBy.push({ field, descending, nullsFirst });
      if (peek().t === 'punct' && peek().v === ',') {
        next();
        continue;
      }
      break;
    }
  }
  const integer = (): number => {
    const token = next();
    if (token.t !== 'number' || !/^\d+$/.test(token.v)) return fail(token);
    return Number(token.v);
  };
  let limit: number | undefined;
  let offset: number | undefined;
  if (isKeyword(peek(), 'LIMIT')) {
    next();
    limit = integer();
  }
  if (isKeyword(peek(), 'OFFSET')) {
    next();
    const at = peek();
    offset = integer();
    if (offset > 2000) throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', positioned(text, at.pos, `Maximum SOQL offset allowed is 2000`));
  }
  if (peek().t !== 'end') fail(peek());
  return { text, count, fields, from, where, orderBy, limit, offset };
}

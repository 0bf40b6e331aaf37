import { isNode, LineCounter, parseDocument } from 'yaml';
import { InputError } from '../shared/src/input/input-error.js';

/** `components[0].tiers.table[1].upTo` → ['components', 0, 'tiers', 'table', 1, 'upTo']. */
export function splitPath(path: string): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    const between = path.slice(consumed, m.index);
    if (between !== '' && between !== '.') return undefined;
    parts.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    consumed = re.lastIndex;
  }
  return consumed === path.length && parts.length > 0 ? parts : undefined;
}

/**
 * Adds "(line N)" to each issue path of an error about a YAML or JSON document, so a
 * person can jump to it. Paths that point at a missing field get the line of the nearest
 * enclosing object. Returns the error unchanged when the text cannot be mapped.
 */
export function withSourceLines(error: InputError, text: string): InputError {
  if (text.length > 20_000_000) return error;
  let lineOf: (path: (string | number)[]) => number | undefined;
  try {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    if (doc.errors.length > 0) return error;
    lineOf = (path) => {
      for (let n = path.length; n > 0; n--) {
        const node: unknown = doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
      }
      return undefined;
    };
  } catch {
    return error;
  }
  let changed = false;
  const issues = error.issues.map((issue) => {
    const parts = splitPath(issue.path);
    const line = parts && lineOf(parts);
    if (line === undefined) return issue;
    changed = true;
    return { ...issue, path: `${issue.path} (line ${line})` };
  });
  return changed ? new InputError(error.source, issues) : error;
}

/** A JSON syntax error as an InputError naming the line and column. */
export function jsonSyntaxError(source: string, text: string, error: SyntaxError): InputError {
  const position = /position (\d+)/.exec(error.message)?.[1];
  let where = '';
  if (position !== undefined) {
    const before = text.slice(0, Number(position));
    const line = before.split('\n').length;
    const column = Number(position) - before.lastIndexOf('\n');
    where = `line ${line}, column ${column}`;
  }
  const message = error.message.replace(/\s*\(line \d+ column \d+\)\s*$/, '').replace(/ in JSON at position \d+/, '');
  return new InputError(source, [{ path: where, message: `not valid JSON: ${message}`, fix: 'correct the JSON syntax at that spot (a missing comma or quote, or a trailing comma)' }]);
}

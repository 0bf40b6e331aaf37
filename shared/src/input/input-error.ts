import type { z } from 'zod';

/**
 * A problem with something a person wrote (a plan, a data file, a quota import). Each
 * issue names where (`path`, as a person would write it: `components[1].tiers[0].rate`),
 * what is wrong, and what to do about it. Callers print these; they never print a stack.
 */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(`${source}: ${issues.length} problem(s)\n${issues.map((i) => `  - ${i.path || '(top level)'}: ${i.message}. Fix: ${i.fix}`).join('\n')}`);
    this.name = 'InputError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Turns zod's issues into ours; schemas put the fix in the message after " | fix: ". */
export function issuesFromZod(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): InputIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath([...pathPrefix, ...issue.path]);
    const [message = issue.message, fix] = issue.message.split(' | fix: ');
    if (fix !== undefined) return { path, message, fix };
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`, fix: 'remove them or check the spelling against the documented format' };
    }
    if (issue.code === 'invalid_type') {
      const missing = issue.input === undefined && / received undefined$/.test(issue.message);
      return { path, message, fix: missing ? 'add this required field' : 'give a value of the expected type' };
    }
    if (issue.code === 'invalid_value') {
      return { path, message, fix: `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    return { path, message, fix: 'correct the value as the message says' };
  });
}

export function withFix(message: string, fix: string): string {
  return `${message} | fix: ${fix}`;
}

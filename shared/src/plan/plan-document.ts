import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Dataset } from '../domain/dataset.js';
import { InputError, type InputIssue } from '../input/input-error.js';
import type { Plan } from './plan.js';
import { parsePlan } from './plan.schema.js';

/** Reads plan text (YAML, of which JSON is a subset) into a Plan; syntax errors name the line. */
export function parsePlanText(text: string, source: string): Plan {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0];
      throw new InputError(source, [{ path: line ? `line ${line.line}, column ${line.col}` : '', message: error.message.split('\n')[0] ?? 'not valid YAML', fix: 'correct the YAML syntax (indentation, colons, quotes) at that line' }]);
    }
    throw error;
  }
  return parsePlan(document, source);
}

/** Problems that only show once a plan meets a tenant's data: payees who do not exist. */
export function checkPlansAgainstData(plans: readonly Plan[], data: Dataset): void {
  const users = new Set(data.users.map((u) => u.id as string));
  const pipelines = new Set(data.pipelines.map((p) => p.id as string));
  const ids = new Map<string, number>();
  const issues: InputIssue[] = [];
  for (const plan of plans) {
    const at = (path: string): string => `plan ${plan.id} v${plan.version}: ${path}`;
    const seen = ids.get(`${plan.id}@${plan.version}`);
    if (seen !== undefined) issues.push({ path: at('version'), message: `plan ${plan.id} version ${plan.version} is loaded twice`, fix: 'give the newer document a higher version' });
    ids.set(`${plan.id}@${plan.version}`, plan.version);
    plan.payees.forEach((p, i) => {
      if (!users.has(p.userId)) issues.push({ path: at(`payees[${i}].user`), message: `unknown user "${p.userId}"`, fix: 'use the id of a user in the data file' });
    });
    plan.components.forEach((c, i) => {
      c.filter.pipelines?.forEach((id, j) => {
        if (!pipelines.has(id)) issues.push({ path: at(`components[${i}].filter.pipelines[${j}]`), message: `unknown pipeline "${id}"`, fix: 'use the id of a pipeline in the data file' });
      });
    });
  }
  if (issues.length > 0) throw new InputError('plans', issues);
}

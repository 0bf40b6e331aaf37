import { useRef, useState } from 'react';
import { Alert, Button, DescriptionList, DescriptionListItem, Flex, Text, Tile } from '@hubspot/ui-extensions';
import type { CoachingPromptView, CoachingTaskView } from '../../../../../backend/src/cards/view-models.js';
import { problemOf, type CardApi, type CardProblem } from '../lib/card-api.js';
import { newIdempotencyKey } from '../lib/idempotency-key.js';

type TaskState = { status: 'idle' } | { status: 'sending' } | { status: 'done'; task: CoachingTaskView['task'] } | { status: 'failed'; problem: CardProblem };

function problemText(problem: CardProblem): string {
  if (problem.kind !== 'api') return problem.message;
  return [problem.error.message, problem.error.fix, problem.error.requestId ? `Reference: ${problem.error.requestId}` : undefined].filter(Boolean).join(' ');
}

/**
 * One coaching prompt and its "create task" button. The idempotency key is chosen once per
 * prompt shown and reused when the manager retries after a failure, so a request that reached
 * the backend but whose answer was lost cannot create a second task.
 */
export function CoachingPromptItem({ prompt, api }: { prompt: CoachingPromptView; api: CardApi }) {
  const keyRef = useRef<string | null>(null);
  const [state, setState] = useState<TaskState>({ status: 'idle' });
  const alreadyActioned = prompt.status === 'actioned';

  const createTask = () => {
    keyRef.current ??= newIdempotencyKey();
    setState({ status: 'sending' });
    api.post<CoachingTaskView>(prompt.createTask.href, { idempotencyKey: keyRef.current }, 'coaching-task').then(
      (view) => setState({ status: 'done', task: view.task }),
      (error: unknown) => setState({ status: 'failed', problem: problemOf(error) }),
    );
  };

  const done = state.status === 'done' || alreadyActioned;
  return (
    <Tile compact testId={`prompt-${prompt.id}`}>
      <Flex direction="column" gap="xs">
        <Text format={{ fontWeight: 'demibold' }}>
          {prompt.rep.name}: {prompt.title}
        </Text>
        <Text>{prompt.message}</Text>
        <DescriptionList direction="row">
          <DescriptionListItem label="Commission at stake">
            <Text>{prompt.impact.display}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Expected value">
            <Text>{prompt.score.display}</Text>
          </DescriptionListItem>
          {prompt.evidence.map((item) => (
            <DescriptionListItem key={item.label} label={item.label}>
              <Text>{item.value}</Text>
            </DescriptionListItem>
          ))}
        </DescriptionList>
        <Button variant="secondary" size="sm" disabled={done || state.status === 'sending'} onClick={createTask} testId={`create-task-${prompt.id}`}>
          {done ? 'Task created' : state.status === 'sending' ? 'Creating task…' : `Create a task for ${prompt.rep.name}`}
        </Button>
        {state.status === 'done' ? (
          <Alert title={state.task.created ? 'Task created' : 'Task already exists'} variant="success">
            {state.task.created
              ? `${prompt.rep.name} has a new task in the CRM: "${prompt.title}".`
              : `${prompt.rep.name} already had this task, so nothing new was created.`}
          </Alert>
        ) : null}
        {state.status === 'failed' ? (
          <Alert title="The task was not created" variant="error">
            {problemText(state.problem)} Press the button again to retry; it will not create a duplicate.
          </Alert>
        ) : null}
      </Flex>
    </Tile>
  );
}

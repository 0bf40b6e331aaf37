import { useState } from 'react';
import { Button, Flex, LoadingSpinner, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import type { ExplanationLink, ExplanationView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { useLoadable } from '../lib/use-loadable.js';
import { ProblemView } from './ProblemView.js';

/** "Why is this my number?": opens the lines behind a figure, fetched only when asked for. */
export function ExplainToggle({ link, api }: { link: ExplanationLink; api: CardApi }) {
  const [open, setOpen] = useState(false);
  return (
    <Flex direction="column" gap="xs">
      <Button variant="transparent" size="sm" onClick={() => setOpen((was) => !was)} testId={`explain-${link.figure}`}>
        {open ? `Hide: ${link.label}` : link.label}
      </Button>
      {open ? <Explanation href={link.href} api={api} /> : null}
    </Flex>
  );
}

function Explanation({ href, api }: { href: string; api: CardApi }) {
  const { state, reload } = useLoadable(() => api.get<ExplanationView>(href, 'explanation'), href);
  if (state.status === 'loading') return <LoadingSpinner label="Loading the explanation" size="sm" />;
  if (state.status === 'failed') return <ProblemView problem={state.problem} subject="the explanation" onRetry={reload} />;
  const view = state.data;
  return (
    <Flex direction="column" gap="xs" testId="explanation">
      <Text format={{ fontWeight: 'demibold' }}>
        {view.title}
        {view.total ? `: ${view.total.display}` : ''}
      </Text>
      {view.lines.length === 0 ? (
        <Text>No lines make up this figure yet.</Text>
      ) : (
        <Table bordered density="condensed">
          <TableHead>
            <TableRow>
              <TableHeader>Date</TableHeader>
              <TableHeader>Deal</TableHeader>
              <TableHeader align="right">Amount</TableHeader>
              <TableHeader>How it was worked out</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.lines.map((line) => (
              <TableRow key={line.key}>
                <TableCell>{line.date ?? line.period ?? '—'}</TableCell>
                <TableCell>{line.dealName ?? '—'}</TableCell>
                <TableCell align="right">{line.amount?.display ?? line.credited?.display ?? '—'}</TableCell>
                <TableCell>{line.explanation}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {view.notes.map((note) => (
        <Text key={note} variant="microcopy">
          {note}
        </Text>
      ))}
    </Flex>
  );
}

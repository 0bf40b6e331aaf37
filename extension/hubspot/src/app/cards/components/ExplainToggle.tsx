import { useState } from 'react';
import { Button, Flex, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import type { ExplanationLink, ExplanationView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { LoadFrame } from './CardFrame.js';

/** "Why is this my number?": opens the lines behind a figure, fetched only when asked for. */
export function ExplainToggle({ link, api }: { link: ExplanationLink; api: CardApi }) {
  const [open, setOpen] = useState(false);
  return (
    <Flex direction="column" gap="xs">
      <Button variant="transparent" size="sm" onClick={() => setOpen((was) => !was)} testId={`explain-${link.figure}`}>
        {open ? `Hide: ${link.label}` : link.label}
      </Button>
      {open ? (
        <LoadFrame load={() => api.get<ExplanationView>(link.href, 'explanation')} loadKey={link.href} loading="Loading the explanation" subject="the explanation" inline>
          {(view) => <Explanation view={view} />}
        </LoadFrame>
      ) : null}
    </Flex>
  );
}

function Explanation({ view }: { view: ExplanationView }) {
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

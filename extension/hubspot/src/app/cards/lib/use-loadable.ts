import { useCallback, useEffect, useState } from 'react';
import { problemOf, type CardProblem } from './card-api.js';

export type Loadable<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'failed'; problem: CardProblem };

/**
 * Runs `load` when `key` changes or `reload()` is called. A result that arrives after a newer
 * load started is dropped, so a slow first answer never overwrites a fresh one.
 */
export function useLoadable<T>(load: () => Promise<T>, key: string): { state: Loadable<T>; reload: () => void } {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (data) => {
        if (current) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (current) setState({ status: 'failed', problem: problemOf(error) });
      },
    );
    return () => {
      current = false;
    };
    // `load` is rebuilt on every render; `key` names what it loads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, reload };
}

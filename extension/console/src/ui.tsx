/// <reference lib="dom" />
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api.js';

export { formatMoney, signedMoney } from './money-text.js';

/** A timestamp from the API (ISO 8601, UTC) as the console shows it: date, minutes and the zone. */
export function utcTime(iso: string) {
  return <time dateTime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}

/** The page's h1 takes focus when the page opens, so keyboard and screen-reader users land on it. */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** A refusal or failure from the server, with what to do about it. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{api ? api.message : String(error)}</strong>
        {api?.fix ? <> — {api.fix}</> : null}
      </p>
      {api && api.issues.length > 0 ? (
        <ul>
          {api.issues.map((i, n) => (
            <li key={n}>
              {i.path ? <code>{i.path}</code> : null} {i.message}. Fix: {i.fix}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Loads once on mount (and on `reload()`), keeping the last error. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): { data: T | undefined; error: unknown; reload: () => void; loading: boolean } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // `load` is a new closure each render; what it reads is listed in `deps` by the caller.
  }, [tick, ...deps]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}

/**
 * One admin action at a time: `busy` while it runs (pages disable their buttons with it), and
 * its failure kept for <Problem>, message and fix, until the next action starts. `run` resolves
 * to the action's result, or undefined when it failed. `onError` sees each failure first (the
 * plan editor marks a refusal's field problems on their lines).
 */
export function useAction(onError?: (error: unknown) => void): { busy: boolean; error: unknown; run: <T>(action: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (e) {
      onError?.(e);
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, clear: () => setError(undefined) };
}

/** A polite live region for outcomes ("Q2 locked: 10 statements frozen"). */
export function Status({ children, tone = 'done' }: { children: ReactNode; tone?: 'done' | 'warning' }) {
  return (
    <p role="status" className={tone === 'done' ? 'status' : 'status warning'}>
      {children}
    </p>
  );
}

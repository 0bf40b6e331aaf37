/// <reference lib="dom" />
import { useEffect, useState, type ReactNode } from 'react';
import { ConnectPage } from './pages/ConnectPage.js';
import { DisputesPage } from './pages/DisputesPage.js';
import { PayrollPage } from './pages/PayrollPage.js';
import { PeriodsPage } from './pages/PeriodsPage.js';
import { PlansPage } from './pages/PlansPage.js';
import { QueuePage } from './pages/QueuePage.js';
import { QuotasPage } from './pages/QuotasPage.js';
import { StatementsPage } from './pages/StatementsPage.js';

/** Pages by hash route (#/plans): the backend serves one static index, and links survive a reload. */
const PAGES = [
  { path: 'connect', label: 'Connect CRM', render: () => <ConnectPage /> },
  { path: 'plans', label: 'Plans', render: () => <PlansPage /> },
  { path: 'quotas', label: 'Quotas', render: () => <QuotasPage /> },
  { path: 'periods', label: 'Periods', render: () => <PeriodsPage /> },
  { path: 'statements', label: 'Statements', render: (query: URLSearchParams) => <StatementsPage period={query.get('period') ?? undefined} payee={query.get('payee') ?? undefined} /> },
  { path: 'disputes', label: 'Disputes', render: () => <DisputesPage /> },
  { path: 'payroll', label: 'Payroll export', render: () => <PayrollPage /> },
  { path: 'queue', label: 'Queue health', render: () => <QueuePage /> },
] as const satisfies readonly { path: string; label: string; render: (query: URLSearchParams) => ReactNode }[];

function currentRoute(): { path: string; query: URLSearchParams } {
  const [path = '', query = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  return { path: PAGES.some((p) => p.path === path) ? path : 'connect', query: new URLSearchParams(query) };
}

export function navigate(path: string, query: Record<string, string> = {}): void {
  const q = new URLSearchParams(query).toString();
  window.location.hash = `#/${path}${q ? `?${q}` : ''}`;
}

export function App() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const page = PAGES.find((p) => p.path === route.path)!;
  useEffect(() => {
    document.title = `${page.label} · SPM admin console`;
  }, [page]);
  return (
    <div className="layout">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          // The hash is the router's: move focus without changing it.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <nav aria-label="Console sections">
        <p className="brand">SPM admin</p>
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p.path === route.path ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>{page.render(route.query)}</main>
    </div>
  );
}

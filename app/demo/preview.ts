import { Router, type Request } from 'express';
import { sessionSettings } from '../../extension/backend/src/app.js';
import { issueSession } from '../../extension/backend/src/auth/session.js';
import type { BackendConfig } from '../../extension/backend/src/config.js';
import type { Db } from '../../worker/src/db/database.js';

/**
 * Demo-only pages (mounted by `spm start` in demo mode, never in production):
 *   GET /preview                         a page listing every demo user that renders their rep,
 *                                        deal and manager cards from the real card API
 *   GET /preview/users?tenant=           the users and a few of their deals (JSON)
 *   GET /preview/sign-in?tenant=&user=   signs the browser in as that user (a console session
 *                                        cookie, made with the backend's own issueSession)
 *   GET /demo/console?tenant=            signs in as the tenant's admin and opens the console
 * There is no CRM around the demo to prove who the user is, so these routes stand in for
 * the CRM's login; that is why they exist only in demo mode.
 */
export function demoRouter(deps: { readonly db: Db; readonly backend: BackendConfig }): Router {
  const { db } = deps;
  const settings = sessionSettings(deps.backend);
  const router = Router();
  const q = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : '');

  router.get('/preview', (_req, res) => {
    res.type('html').send(PREVIEW_HTML);
  });

  router.get('/preview/tenants', async (_req, res) => {
    const tenants = await db.selectFrom('tenants').select(['id', 'name', 'source']).where('status', '=', 'active').orderBy('id').execute();
    res.json({ tenants });
  });

  router.get('/preview/users', async (req, res) => {
    const tenantId = q(req, 'tenant');
    const users = await db.selectFrom('users').select(['id', 'name', 'email']).where('tenant_id', '=', tenantId).where('active', '=', true).orderBy('name').execute();
    const managers = new Set((await db.selectFrom('manager_links').select('manager_id').where('tenant_id', '=', tenantId).where('valid_to', 'is', null).execute()).map((l) => l.manager_id));
    const deals = await db.selectFrom('deals').select(['id', 'name', 'owner_id', 'amount', 'currency', 'close_date']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).orderBy('close_date', 'desc').execute();
    const byOwner = new Map<string, typeof deals>();
    for (const d of deals) {
      const list = byOwner.get(d.owner_id) ?? [];
      if (list.length < 5) list.push(d);
      byOwner.set(d.owner_id, list);
    }
    res.json({
      users: users.map((u) => ({ id: u.id, name: u.name, email: u.email, manager: managers.has(u.id), deals: (byOwner.get(u.id) ?? []).map((d) => ({ id: d.id, name: d.name, amount: String(d.amount), currency: d.currency, closeDate: d.close_date })) })),
    });
  });

  router.get('/preview/sign-in', async (req, res) => {
    const tenantId = q(req, 'tenant');
    const userId = q(req, 'user');
    const user = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
    if (!user) {
      res.status(404).json({ error: 'no such demo user' });
      return;
    }
    // Rep and manager roles come from the data (reporting lines); only admin would be granted.
    issueSession(res, settings, { tenantId, userId, roles: [] });
    res.json({ signedIn: { tenantId, userId } });
  });

  router.get('/demo/console', async (req, res) => {
    const tenantId = q(req, 'tenant') || (await db.selectFrom('tenants').select('id').where('status', '=', 'active').orderBy('id').executeTakeFirst())?.id;
    if (!tenantId) {
      res.status(404).type('text').send('No tenant is installed yet.');
      return;
    }
    // The demo admin is the tenant's top manager (the VP): someone with no manager.
    const admin = await db.selectFrom('manager_links').select('user_id').where('tenant_id', '=', tenantId).where('manager_id', 'is', null).orderBy('user_id').executeTakeFirst();
    const anyone = admin ?? (await db.selectFrom('users').select('id as user_id').where('tenant_id', '=', tenantId).orderBy('id').executeTakeFirst());
    issueSession(res, settings, { tenantId, userId: anyone?.user_id ?? 'demo-admin', roles: ['admin'] });
    res.redirect(302, '/console/');
  });

  return router;
}

const PREVIEW_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPM card preview (demo)</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;height:100vh}
nav{width:320px;overflow:auto;border-right:1px solid #ddd;padding:8px;background:#fafafa}
main{flex:1;overflow:auto;padding:12px}
h1{font-size:16px;margin:4px 0 8px}h2{font-size:14px;margin:12px 0 4px}
button{display:block;width:100%;text-align:left;border:0;background:none;padding:3px 4px;cursor:pointer}
button:hover{background:#e8f0fe}.mgr{font-weight:600}
section{border:1px solid #ddd;border-radius:6px;margin:0 0 12px;padding:8px}
.figures{display:flex;flex-wrap:wrap;gap:12px}.list{flex-basis:100%;font-size:13px}.figure{background:#f3f6fa;border-radius:4px;padding:4px 8px}
pre{max-height:320px;overflow:auto;background:#f7f7f7;padding:6px;font-size:12px}
.err{color:#b00020}
</style></head>
<body><nav><h1>Demo users</h1><div id="users">Loading…</div></nav>
<main><h1 id="title">Pick a user on the left</h1><div id="cards"></div></main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
async function json(url, opts) { const r = await fetch(url, Object.assign({credentials:'same-origin'}, opts)); const body = await r.json().catch(() => ({})); return { ok: r.ok, status: r.status, body }; }
function figures(obj) {
  const out = [];
  const lists = [];
  const walk = (o, path) => {
    if (!o || typeof o !== 'object' || out.length > 16) return;
    if (typeof o.display === 'string') { out.push([path, o.display]); return; }
    for (const [k, v] of Object.entries(o)) {
      const p = path ? path + '.' + k : k;
      if (Array.isArray(v)) { if (v.length > 0 && typeof v[0] === 'object') lists.push([p, v]); }
      else walk(v, p);
    }
  };
  walk(obj, '');
  const label = (item) => item.title || item.name || (item.rep && item.rep.name) || (item.person && item.person.name) || item.label || item.explanation || item.id || '';
  return out.map(([k, v]) => '<span class="figure"><b>' + esc(k) + '</b>: ' + esc(v) + '</span>').join('') +
    lists.map(([k, v]) => '<div class="list"><b>' + esc(k) + '</b> (' + v.length + '): ' + v.slice(0, 5).map((i) => esc(label(i))).filter(Boolean).join(' · ') + (v.length > 5 ? ' …' : '') + '</div>').join('');
}
function card(title, res) {
  if (!res.ok) return '<section><h2>' + esc(title) + '</h2><div class="err">HTTP ' + res.status + ': ' + esc((res.body.error && res.body.error.message) || '') + '</div></section>';
  return '<section data-card="' + esc(title) + '"><h2>' + esc(title) + '</h2><div class="figures">' + figures(res.body) + '</div><details><summary>view model</summary><pre>' + esc(JSON.stringify(res.body, null, 2)) + '</pre></details></section>';
}
async function show(tenant, user) {
  $('title').textContent = user.name + ' (' + tenant.name + ')';
  $('cards').innerHTML = 'Loading…';
  await json('/preview/sign-in?tenant=' + encodeURIComponent(tenant.id) + '&user=' + encodeURIComponent(user.id));
  const parts = [card('Rep card', await json('/api/cards/v1/rep'))];
  if (user.deals[0]) parts.push(card('Deal card: ' + user.deals[0].name, await json('/api/cards/v1/deals/' + encodeURIComponent(user.deals[0].id))));
  if (user.manager) parts.push(card('Manager card', await json('/api/cards/v1/manager')));
  $('cards').innerHTML = parts.join('');
}
(async () => {
  const { body } = await json('/preview/tenants');
  const nav = [];
  for (const t of body.tenants) {
    const users = (await json('/preview/users?tenant=' + encodeURIComponent(t.id))).body.users;
    nav.push('<h2>' + esc(t.name) + ' <small>(' + esc(t.source) + ')</small> <a href="/demo/console?tenant=' + encodeURIComponent(t.id) + '">console</a></h2>');
    users.forEach((u, i) => nav.push('<button class="' + (u.manager ? 'mgr' : '') + '" data-deals="' + u.deals.length + '" data-t="' + esc(t.id) + '" data-i="' + i + '">' + esc(u.name) + (u.manager ? ' (manager)' : '') + '</button>'));
    window['users_' + t.id] = { tenant: t, users };
  }
  $('users').innerHTML = nav.join('') || 'No tenant installed yet.';
  $('users').addEventListener('click', (e) => {
    const b = e.target.closest('button'); if (!b) return;
    const group = window['users_' + b.dataset.t]; show(group.tenant, group.users[Number(b.dataset.i)]);
  });
})();
</script></body></html>`;

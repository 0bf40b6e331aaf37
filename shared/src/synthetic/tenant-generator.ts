import type { RawDataset } from '../input/dataset.schema.js';
import { minorUnits, parseCurrency, type CurrencyCode } from '../money/currency.js';
import { COMPANY_PREFIXES, COMPANY_SUFFIXES, FIRST_NAMES, LAST_NAMES, LEAD_SOURCES, PRODUCT_LABELS, PRODUCT_LINES } from './names.js';
import { Prng } from './prng.js';

/**
 * A deterministic synthetic tenant: the raw JSON document `parseDataset` reads (amounts as
 * decimal strings, dates as YYYY-MM-DD), so the same generator can seed CRM sandboxes,
 * the demo and the benchmarks. Pure: no I/O, no clock, no Math.random; the same options
 * give a byte-identical document.
 *
 * Shape of the tenant:
 * - one VP; first-line managers (about one per 8 reps, teams of 6–10) reporting to the VP;
 *   reps reporting to their team's manager; a few solutions engineers (overlay credit)
 *   reporting to the VP. About one team in ten is overseas: paid and quota'd in one of
 *   the other currencies.
 * - two pipelines (new business, renewals) with open stages carrying probabilities and
 *   one won and one lost stage each.
 * - deals: log-normal amounts (5k–200k in the home currency), 60 % won, 25 % lost, the
 *   rest open; close dates across the year, created 10–120 days earlier; a stage
 *   history that ends in the deal's stage; ~5 % revenue splits (totalling exactly 100)
 *   and ~5 % overlay splits; ~10 % in a foreign currency, with monthly FX rates.
 * - quarterly revenue quotas for every rep and manager (and the VP), sized from the
 *   generated bookings so that median rep attainment lands around 90–100 %.
 * - ~5 % of reps start mid-year (start date, effective-dated team and manager links).
 * - optional activities (calls, emails, meetings, tasks) linked to deals.
 */
export interface TenantOptions {
  readonly seed: number;
  readonly reps: number;
  readonly deals: number;
  /** The calendar year deals close in and quotas cover. */
  readonly year: number;
  /** ISO codes; the first is the tenant's home currency. Default USD, EUR, GBP. */
  readonly currencies?: readonly string[];
  /** Average activities per deal; 0 (the default, for big runs) generates none. */
  readonly activitiesPerDeal?: number;
}

type Element<T> = T extends readonly (infer E)[] ? E : never;
export type RawUser = Element<NonNullable<RawDataset['users']>>;
export type RawManagerLink = Element<NonNullable<RawDataset['managers']>>;
export type RawTeam = Element<NonNullable<RawDataset['teams']>>;
export type RawPipeline = Element<NonNullable<RawDataset['pipelines']>>;
export type RawDeal = Element<NonNullable<RawDataset['deals']>>;
export type RawSplit = Element<NonNullable<RawDeal['splits']>>;
export type RawStageChange = Element<NonNullable<RawDeal['stageHistory']>>;
export type RawActivity = Element<NonNullable<RawDataset['activities']>>;
export type RawQuota = Element<NonNullable<RawDataset['quotas']>>;
export type RawFxRate = Element<NonNullable<RawDataset['fxRates']>>;

/** A `RawDataset` with every list present, as the generator always writes them. */
export interface SyntheticTenant extends RawDataset {
  tenant: RawDataset['tenant'];
  calendar: NonNullable<RawDataset['calendar']>;
  users: RawUser[];
  managers: RawManagerLink[];
  teams: RawTeam[];
  pipelines: RawPipeline[];
  deals: RawDeal[];
  activities: RawActivity[];
  quotas: RawQuota[];
  fxRates: RawFxRate[];
}

// ---- Tunables (documented in the header) -------------------------------------------

const TEAM_SIZE_MIN = 6;
const TEAM_SIZE_MAX = 10;
const OVERSEAS_TEAM_EVERY = 10;
const OVERSEAS_DEALS_IN_TEAM_CURRENCY = 0.8;
const FOREIGN_DEAL_SHARE = 0.1;
const REPS_PER_SE = 25;
const MID_YEAR_SHARE = 0.05;
const WON_SHARE = 0.6;
const LOST_SHARE = 0.25;
const RENEWAL_SHARE = 0.15;
const REVENUE_SPLIT_SHARE = 0.05;
const OVERLAY_SPLIT_SHARE = 0.05;
const AMOUNT_MEDIAN = 22_000;
const RENEWAL_MEDIAN = 15_000;
const AMOUNT_SIGMA = 0.8;
const AMOUNT_MIN = 5_000;
const AMOUNT_MAX = 200_000;
const CYCLE_MIN_DAYS = 10;
const CYCLE_MAX_DAYS = 120;
/** Quotas are set so that expected bookings are this fraction of them. */
const TARGET_ATTAINMENT = 0.95;
const QUOTA_NOISE_SIGMA = 0.08;
const REP_PRODUCTIVITY_SIGMA = 0.35;
const FX_MONTHLY_SIGMA = 0.015;
const FX_SOURCE = 'ECB';

/** Approximate US dollars per unit, for FX seeds; currencies not listed start at a made-up rate. */
const USD_PER_UNIT: Readonly<Record<string, number>> = {
  USD: 1, EUR: 1.08, GBP: 1.27, CAD: 0.74, AUD: 0.66, NZD: 0.61, CHF: 1.12, SEK: 0.095, NOK: 0.094, DKK: 0.145,
  PLN: 0.25, CZK: 0.044, HUF: 0.0028, JPY: 0.0067, KRW: 0.00075, INR: 0.012, SGD: 0.74, HKD: 0.128, CNY: 0.14,
  BRL: 0.2, MXN: 0.058, ZAR: 0.054, AED: 0.272, SAR: 0.267, ILS: 0.27, TRY: 0.031, IDR: 0.000064, THB: 0.028,
};

interface StageDef {
  readonly id: string;
  readonly name: string;
  readonly probability: string;
}
interface PipelineDef {
  readonly id: string;
  readonly name: string;
  readonly open: readonly StageDef[];
  readonly won: StageDef;
  readonly lost: StageDef;
}

const PIPELINES: readonly PipelineDef[] = [
  {
    id: 'sales',
    name: 'New business',
    open: [
      { id: 'appointment', name: 'Appointment scheduled', probability: '0.1' },
      { id: 'qualified', name: 'Qualified to buy', probability: '0.2' },
      { id: 'demo', name: 'Presentation scheduled', probability: '0.4' },
      { id: 'proposal', name: 'Proposal sent', probability: '0.6' },
      { id: 'negotiation', name: 'Contract sent', probability: '0.8' },
    ],
    won: { id: 'closed-won', name: 'Closed won', probability: '1' },
    lost: { id: 'closed-lost', name: 'Closed lost', probability: '0' },
  },
  {
    id: 'renewals',
    name: 'Renewals',
    open: [
      { id: 'renewal-due', name: 'Renewal due', probability: '0.5' },
      { id: 'renewal-review', name: 'Usage review', probability: '0.7' },
      { id: 'renewal-negotiation', name: 'Renewal negotiation', probability: '0.9' },
    ],
    won: { id: 'renewed', name: 'Renewed', probability: '1' },
    lost: { id: 'churned', name: 'Churned', probability: '0' },
  },
];

const REVENUE_SPLITS_2: readonly (readonly [string, string])[] = [['50', '50'], ['60', '40'], ['70', '30'], ['80', '20']];
const REVENUE_SPLITS_3: readonly (readonly [string, string, string])[] = [['50', '25', '25'], ['40', '30', '30'], ['34', '33', '33']];
const OVERLAY_PERCENTS: readonly string[] = ['100', '50', '25'];

const DAY_MS = 86_400_000;

function epochDay(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function widthFor(count: number, min: number): number {
  return Math.max(min, String(Math.max(1, count)).length);
}

/** Positive integer of minor units as a decimal string with `digits` decimals ("1250000", 2 → "12500.00"). */
function formatMinor(value: number, digits: number): string {
  if (digits === 0) return String(value);
  const text = String(value).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Rounds to three significant digits, as people set quotas ("312000", not "312456.27"). */
function roundQuota(value: number): number {
  if (!(value > 0)) return 1000;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 2);
  return Math.max(1000, Math.round(value / step) * step);
}

function checkOptions(options: TenantOptions): { home: CurrencyCode; foreign: CurrencyCode[]; activitiesPerDeal: number } {
  const { seed, reps, deals, year } = options;
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`reps must be a positive integer, got ${reps}`);
  if (!Number.isInteger(deals) || deals < 0) throw new RangeError(`deals must be a non-negative integer, got ${deals}`);
  if (!Number.isInteger(year) || year < 1900 || year > 9000) throw new RangeError(`year must be an integer between 1900 and 9000, got ${year}`);
  const activitiesPerDeal = options.activitiesPerDeal ?? 0;
  if (!Number.isFinite(activitiesPerDeal) || activitiesPerDeal < 0) throw new RangeError(`activitiesPerDeal must be zero or positive, got ${activitiesPerDeal}`);
  const codes = (options.currencies ?? ['USD', 'EUR', 'GBP']).map((c) => {
    const code = parseCurrency(c);
    if (!code) throw new RangeError(`"${c}" is not a supported ISO 4217 currency code`);
    return code;
  });
  if (codes.length === 0) throw new RangeError('currencies must name at least the home currency');
  if (new Set(codes).size !== codes.length) throw new RangeError(`currencies lists a code twice: ${codes.join(', ')}`);
  return { home: codes[0]!, foreign: codes.slice(1), activitiesPerDeal };
}

/** Generates a tenant document; see the file header for what it contains. */
export function generateTenant(options: TenantOptions): SyntheticTenant {
  const { home, foreign, activitiesPerDeal } = checkOptions(options);
  const { seed, year } = options;
  const repCount = options.reps;
  const dealCount = options.deals;
  const people = new Prng(seed, 1);
  const fxRandom = new Prng(seed, 2);
  const dealRandom = new Prng(seed, 3);
  const quotaRandom = new Prng(seed, 4);
  const activityRandom = new Prng(seed, 5);

  const yearStart = epochDay(year, 1, 1);
  const nextYearStart = epochDay(year + 1, 1, 1);
  // Every date a deal, stage change or activity can carry, as shared strings.
  const firstDay = yearStart - CYCLE_MAX_DAYS - 1;
  const dates: string[] = [];
  const monthOfDay = new Uint8Array(nextYearStart - firstDay);
  for (let day = firstDay; day < nextYearStart; day++) {
    const text = dayString(day);
    dates.push(text);
    monthOfDay[day - firstDay] = Number(text.slice(5, 7)) - 1;
  }
  const dateOf = (day: number): string => dates[day - firstDay]!;
  const quarterStarts = [1, 4, 7, 10].map((m) => epochDay(year, m, 1));
  const quarterDays = quarterStarts.map((start, q) => (quarterStarts[q + 1] ?? nextYearStart) - start);

  // ---- FX: one rate per foreign currency per month, "1 foreign = rate home" ----------
  const currencyIndex = new Map<string, number>([[home, 0]]);
  foreign.forEach((c, i) => currencyIndex.set(c, i + 1));
  const currencies: CurrencyCode[] = [home, ...foreign];
  const digitsOf = currencies.map((c) => minorUnits(c));
  /** rateByMonth[currency index][month] (home = 1). */
  const rateByMonth: number[][] = [Array.from({ length: 12 }, () => 1)];
  const fxRates: RawFxRate[] = [];
  const usdPerHome = USD_PER_UNIT[home] ?? 1;
  for (const c of foreign) {
    let level = (USD_PER_UNIT[c] ?? 0.05 + fxRandom.next() * 2) / usdPerHome;
    const rates: number[] = [];
    for (let month = 0; month < 12; month++) {
      if (month > 0) level *= Math.exp(FX_MONTHLY_SIGMA * fxRandom.normal());
      const text = level.toPrecision(6);
      rates.push(Number(text));
      fxRates.push({ from: c, to: home, rate: text, date: dateOf(epochDay(year, month + 1, 1)), source: FX_SOURCE });
    }
    rateByMonth.push(rates);
  }

  // ---- Teams and people ---------------------------------------------------------------
  const teamStart: number[] = [];
  const teamSize: number[] = [];
  for (let assigned = 0; assigned < repCount; ) {
    const size = Math.min(people.between(TEAM_SIZE_MIN, TEAM_SIZE_MAX), repCount - assigned);
    teamStart.push(assigned);
    teamSize.push(size);
    assigned += size;
  }
  const teamCount = teamStart.length;
  const repTeam = new Int32Array(repCount);
  for (let t = 0; t < teamCount; t++) for (let i = 0; i < teamSize[t]!; i++) repTeam[teamStart[t]! + i] = t;
  /** Currency index per team: overseas teams work in a foreign currency. */
  const teamCurrency = new Int32Array(teamCount);
  if (foreign.length > 0) {
    for (let t = OVERSEAS_TEAM_EVERY - 1; t < teamCount; t += OVERSEAS_TEAM_EVERY) teamCurrency[t] = 1 + (Math.floor(t / OVERSEAS_TEAM_EVERY) % foreign.length);
  }
  const seCount = Math.max(1, Math.round(repCount / REPS_PER_SE));

  const mgrWidth = widthFor(teamCount, 4);
  const repWidth = widthFor(repCount, 5);
  const seWidth = widthFor(seCount, 3);
  const vpId = 'vp-1';
  const managerIds = Array.from({ length: teamCount }, (_, t) => `mgr-${pad(t + 1, mgrWidth)}`);
  const repIds = Array.from({ length: repCount }, (_, r) => `rep-${pad(r + 1, repWidth)}`);
  const seIds = Array.from({ length: seCount }, (_, s) => `se-${pad(s + 1, seWidth)}`);

  // Reps who start mid-year: a deterministic sample of distinct reps.
  const midYear = repCount >= 4 ? Math.max(1, Math.round(repCount * MID_YEAR_SHARE)) : 0;
  const order = Array.from({ length: repCount }, (_, i) => i);
  for (let i = 0; i < midYear; i++) {
    const j = i + people.int(repCount - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const repStart = new Int32Array(repCount);
  for (let r = 0; r < repCount; r++) repStart[r] = epochDay(year - 5, 1, 1) + people.int(epochDay(year - 1, 12, 31) - epochDay(year - 5, 1, 1));
  for (let i = 0; i < midYear; i++) repStart[order[i]!] = epochDay(year, 2, 1) + people.int(epochDay(year, 10, 31) - epochDay(year, 2, 1));

  const users: RawUser[] = [];
  const managers: RawManagerLink[] = [];
  const startText = (day: number): string => (day >= firstDay ? dateOf(day) : dayString(day));
  const person = (id: string, start: number, payCurrency: CurrencyCode, n: number): void => {
    const first = people.pick(FIRST_NAMES);
    const last = people.pick(LAST_NAMES);
    const startDate = startText(start);
    users.push({ id, name: `${first} ${last}`, email: `${first.toLowerCase()}.${last.toLowerCase()}.${n}@synthetic.example`, active: true, startDate, payCurrency });
  };
  const veteranStart = (yearsBackMin: number, yearsBackMax: number): number => epochDay(year - yearsBackMax, 1, 1) + people.int(epochDay(year - yearsBackMin, 12, 31) - epochDay(year - yearsBackMax, 1, 1));
  const vpStart = veteranStart(3, 10);
  person(vpId, vpStart, home, 1);
  managers.push({ userId: vpId, managerId: null, from: dayString(vpStart) });
  for (let t = 0; t < teamCount; t++) {
    const start = veteranStart(1, 8);
    person(managerIds[t]!, start, currencies[teamCurrency[t]!]!, users.length + 1);
    managers.push({ userId: managerIds[t]!, managerId: vpId, from: dayString(start) });
  }
  for (let r = 0; r < repCount; r++) {
    const t = repTeam[r]!;
    person(repIds[r]!, repStart[r]!, currencies[teamCurrency[t]!]!, users.length + 1);
    managers.push({ userId: repIds[r]!, managerId: managerIds[t]!, from: startText(repStart[r]!) });
  }
  for (let s = 0; s < seCount; s++) {
    const start = veteranStart(1, 6);
    person(seIds[s]!, start, home, users.length + 1);
    managers.push({ userId: seIds[s]!, managerId: vpId, from: dayString(start) });
  }

  const teams: RawTeam[] = [];
  for (let t = 0; t < teamCount; t++) {
    const members: { userId: string; from: string }[] = [];
    for (let i = 0; i < teamSize[t]!; i++) {
      const r = teamStart[t]! + i;
      members.push({ userId: repIds[r]!, from: startText(repStart[r]!) });
    }
    const region = teamCurrency[t] === 0 ? 'Americas' : `International (${currencies[teamCurrency[t]!]})`;
    teams.push({ id: `team-${pad(t + 1, mgrWidth)}`, name: `${region} ${t + 1}`, managerId: managerIds[t]!, members });
  }

  const pipelines: RawPipeline[] = PIPELINES.map((p) => ({
    id: p.id,
    name: p.name,
    stages: [
      ...p.open.map((s) => ({ id: s.id, name: s.name, probability: s.probability, outcome: 'open' as const })),
      { id: p.won.id, name: p.won.name, probability: p.won.probability, outcome: 'won' as const },
      { id: p.lost.id, name: p.lost.name, probability: p.lost.probability, outcome: 'lost' as const },
    ],
  }));

  // ---- Who owns deals: productivity × days employed this year ---------------------------
  const repWeight = new Float64Array(repCount);
  const activeFrom = new Int32Array(repCount);
  const cumulative = new Float64Array(repCount);
  let weightDays = 0;
  let overseasWeightDays = 0;
  for (let r = 0; r < repCount; r++) {
    repWeight[r] = people.logNormal(1, REP_PRODUCTIVITY_SIGMA);
    activeFrom[r] = Math.max(yearStart, repStart[r]!);
    const w = repWeight[r]! * (nextYearStart - activeFrom[r]!);
    weightDays += w;
    if (teamCurrency[repTeam[r]!] !== 0) overseasWeightDays += w;
    cumulative[r] = weightDays;
  }
  const overseasShare = weightDays > 0 ? overseasWeightDays / weightDays : 0;
  // Home-team deals in a foreign currency make up the rest of the ~10 % foreign share.
  const homeTeamForeignShare = foreign.length === 0 ? 0 : Math.min(FOREIGN_DEAL_SHARE, Math.max(0, (FOREIGN_DEAL_SHARE - OVERSEAS_DEALS_IN_TEAM_CURRENCY * overseasShare) / Math.max(1e-9, 1 - overseasShare)));

  // ---- Deals (and their activities) -----------------------------------------------------
  const dealWidth = widthFor(dealCount, 7);
  const activityWidth = widthFor(Math.ceil(dealCount * (2 * activitiesPerDeal + 1)), 7);
  const deals: RawDeal[] = new Array<RawDeal>(dealCount);
  const activities: RawActivity[] = [];
  const times: string[] = [];
  for (let h = 8; h < 20; h++) for (let m = 0; m < 60; m += 15) times.push(`T${pad(h, 2)}:${pad(m, 2)}:00Z`);
  const fullNames = COMPANY_PREFIXES.flatMap((p) => COMPANY_SUFFIXES.map((s) => `${p} ${s}`));
  let wonHome = 0;
  let activityCount = 0;

  for (let i = 0; i < dealCount; i++) {
    // Owner, weighted by productivity × days employed (binary search on the running sum).
    const target = dealRandom.next() * weightDays;
    let lo = 0;
    let hi = repCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    const owner = lo;
    const team = repTeam[owner]!;

    const renewal = dealRandom.chance(RENEWAL_SHARE);
    const pipeline = PIPELINES[renewal ? 1 : 0]!;
    const roll = dealRandom.next();
    const outcome = roll < WON_SHARE ? 2 : roll < WON_SHARE + LOST_SHARE ? 1 : 0; // 2 won, 1 lost, 0 open

    const from = activeFrom[owner]!;
    const closeDay = from + dealRandom.int(nextYearStart - from);
    const createdDay = Math.max(closeDay - dealRandom.between(CYCLE_MIN_DAYS, CYCLE_MAX_DAYS), Math.min(repStart[owner]!, closeDay));

    // Amount: log-normal in the home currency, then in the deal's currency at the month's rate.
    let currency = 0;
    const tc = teamCurrency[team]!;
    if (tc !== 0) {
      if (dealRandom.chance(OVERSEAS_DEALS_IN_TEAM_CURRENCY)) currency = tc;
    } else if (homeTeamForeignShare > 0 && dealRandom.chance(homeTeamForeignShare)) currency = 1 + dealRandom.int(foreign.length);
    const homeValue = Math.min(AMOUNT_MAX, Math.max(AMOUNT_MIN, dealRandom.logNormal(renewal ? RENEWAL_MEDIAN : AMOUNT_MEDIAN, AMOUNT_SIGMA)));
    const rate = rateByMonth[currency]![monthOfDay[closeDay - firstDay]!]!;
    const digits = digitsOf[currency]!;
    const scale = 10 ** digits;
    const value = homeValue / rate;
    // New business in round tens; renewals keep cents (they are prorated in the CRM).
    const minor = renewal ? Math.max(1, Math.round(value * scale)) : Math.max(10, Math.round(value / 10) * 10) * scale;
    if (outcome === 2) wonHome += (minor / scale) * rate;

    // Splits: a revenue split with teammates (totalling exactly 100) and/or an SE overlay.
    const splits: RawSplit[] = [];
    if (dealRandom.chance(REVENUE_SPLIT_SHARE) && teamSize[team]! > 1) {
      const size = teamSize[team]!;
      const first = teamStart[team]!;
      const partner = first + ((owner - first + 1 + dealRandom.int(size - 1)) % size);
      if (repStart[partner]! <= closeDay) {
        if (size > 2 && dealRandom.chance(0.2)) {
          const third = first + ((partner - first + 1 + dealRandom.int(size - 2)) % size);
          const p = dealRandom.pick(REVENUE_SPLITS_3);
          if (third !== owner && repStart[third]! <= closeDay) {
            splits.push({ userId: repIds[owner]!, type: 'revenue', percent: p[0] }, { userId: repIds[partner]!, type: 'revenue', percent: p[1] }, { userId: repIds[third]!, type: 'revenue', percent: p[2] });
          }
        }
        if (splits.length === 0) {
          const p = dealRandom.pick(REVENUE_SPLITS_2);
          splits.push({ userId: repIds[owner]!, type: 'revenue', percent: p[0] }, { userId: repIds[partner]!, type: 'revenue', percent: p[1] });
        }
      }
    }
    if (dealRandom.chance(OVERLAY_SPLIT_SHARE)) splits.push({ userId: seIds[team % seCount]!, type: 'overlay', percent: dealRandom.pick(OVERLAY_PERCENTS) });

    // Stage history: the first open stage entered on creation, some later open stages, then
    // the closing stage on the close date (or, for open deals, ending in the current stage).
    const open = pipeline.open;
    const stageCount = open.length;
    const firstStage = dealRandom.chance(0.8) ? 0 : 1;
    const lastOpen = outcome === 2 ? stageCount - 1 : dealRandom.between(firstStage, stageCount - 1);
    let mask = 1 << firstStage;
    for (let s = firstStage + 1; s <= lastOpen; s++) if (outcome === 0 && s === lastOpen ? true : dealRandom.chance(0.8)) mask |= 1 << s;
    let later = 0;
    for (let s = firstStage + 1; s <= lastOpen; s++) if (mask & (1 << s)) later++;
    const span = closeDay - createdDay;
    const stageHistory: RawStageChange[] = [{ stageId: open[firstStage]!.id, enteredAt: dateOf(createdDay) }];
    let slot = 0;
    let lastChange = createdDay;
    for (let s = firstStage + 1; s <= lastOpen; s++) {
      if (!(mask & (1 << s))) continue;
      slot++;
      lastChange = createdDay + Math.floor((span * (slot + dealRandom.next() * 0.999)) / (later + 1));
      stageHistory.push({ stageId: open[s]!.id, enteredAt: dateOf(lastChange) });
    }
    let stageId = open[lastOpen]!.id;
    if (outcome !== 0) {
      stageId = outcome === 2 ? pipeline.won.id : pipeline.lost.id;
      stageHistory.push({ stageId, enteredAt: dateOf(closeDay) });
      lastChange = closeDay;
    }

    const company = fullNames[dealRandom.int(fullNames.length)]!;
    const product = dealRandom.int(PRODUCT_LINES.length);
    const dealId = `deal-${pad(i + 1, dealWidth)}`;
    deals[i] = {
      id: dealId,
      name: `${company} - ${PRODUCT_LABELS[product]!}${renewal ? ' renewal' : ''}`,
      pipelineId: pipeline.id,
      stageId,
      amount: formatMinor(minor, digits),
      currency: currencies[currency]!,
      closeDate: dateOf(closeDay),
      createdDate: dateOf(createdDay),
      ownerId: repIds[owner]!,
      splits,
      properties: { dealType: renewal ? 'renewal' : dealRandom.chance(0.3) ? 'expansion' : 'new-business', productLine: PRODUCT_LINES[product]!, leadSource: dealRandom.pick(LEAD_SOURCES) },
      stageHistory,
      sourceVersion: `${dateOf(lastChange)}${times[dealRandom.int(times.length)]!}`,
    };

    if (activitiesPerDeal > 0) {
      const count = Math.floor(activityRandom.next() * 2 * activitiesPerDeal + 0.5);
      for (let k = 0; k < count; k++) {
        const day = createdDay + activityRandom.int(span + 1);
        const t = activityRandom.next();
        const type = t < 0.4 ? 'email' : t < 0.7 ? 'call' : t < 0.85 ? 'meeting' : 'task';
        const s = activityRandom.next();
        const status = outcome === 0 ? (s < 0.8 ? 'completed' : s < 0.95 ? 'scheduled' : 'canceled') : s < 0.95 ? 'completed' : 'canceled';
        const userId = activityRandom.chance(0.1) ? seIds[team % seCount]! : repIds[owner]!;
        activityCount++;
        activities.push({ id: `act-${pad(activityCount, activityWidth)}`, type, status, userId, dealId, occurredAt: dateOf(day) });
      }
    }
  }

  // ---- Quotas: expected bookings per productivity-day, over the target attainment ------------
  const perWeightDay = weightDays > 0 ? wonHome / weightDays : 0;
  const quotas: RawQuota[] = [];
  const effectiveFrom = dayString(epochDay(year - 1, 12, 1));
  const managerTotals = new Float64Array(teamCount * 4);
  const quotaTarget = (userId: string, q: number, amount: number, currency: number): void => {
    quotas.push({ id: `quota-${userId}-${year}-Q${q + 1}`, userId, measure: 'revenue', period: `${year}-Q${q + 1}`, target: formatMinor(amount * 10 ** digitsOf[currency]!, digitsOf[currency]!), currency: currencies[currency]!, version: 1, effectiveFrom });
  };
  for (let r = 0; r < repCount; r++) {
    const t = repTeam[r]!;
    const c = teamCurrency[t]!;
    for (let q = 0; q < 4; q++) {
      const expectedHome = (repWeight[r]! * perWeightDay * quarterDays[q]!) / TARGET_ATTAINMENT;
      const amount = roundQuota((expectedHome * quotaRandom.logNormal(1, QUOTA_NOISE_SIGMA)) / rateByMonth[c]![q * 3]!);
      managerTotals[t * 4 + q] = managerTotals[t * 4 + q]! + amount;
      quotaTarget(repIds[r]!, q, amount, c);
    }
  }
  const vpTotals = [0, 0, 0, 0];
  for (let t = 0; t < teamCount; t++) {
    const c = teamCurrency[t]!;
    for (let q = 0; q < 4; q++) {
      const amount = managerTotals[t * 4 + q]!;
      vpTotals[q] = vpTotals[q]! + amount * rateByMonth[c]![q * 3]!;
      quotaTarget(managerIds[t]!, q, amount, c);
    }
  }
  for (let q = 0; q < 4; q++) quotaTarget(vpId, q, roundQuota(vpTotals[q]!), 0);

  return {
    tenant: { id: `synthetic-${seed}`, name: `Synthetic tenant ${seed} (${repCount} reps, ${dealCount} deals, ${year})`, currency: home },
    calendar: { fiscalYearStartMonth: 1, customPeriods: [] },
    users,
    managers,
    teams,
    pipelines,
    deals,
    activities,
    quotas,
    fxRates,
  };
}

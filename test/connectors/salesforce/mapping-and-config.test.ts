import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../shared/src/money/decimal.js';
import { isAllowedLoginUrl, parseSalesforceConfig } from '../../../connectors/salesforce/config.js';
import { classifySalesforceError } from '../../../connectors/salesforce/errors.js';
import { exactDecimal, quotaPeriod, revenueSplitProblem, toDeal, type DealContext } from '../../../connectors/salesforce/mapping.js';
import { parseIdentityUrl } from '../../../connectors/salesforce/install.js';

const env = { SALESFORCE_CLIENT_ID: 'cid', SALESFORCE_REDIRECT_URI: 'https://app.example.com/oauth/salesforce/callback' };

describe('Salesforce connector configuration', () => {
  it('defaults the login host and pins the API version instead of jsforce\'s 50.0', () => {
    const config = parseSalesforceConfig(env);
    expect(config.loginUrl).toBe('https://login.salesforce.com');
    expect(config.apiVersion).toBe('64.0');
    expect(config.clientSecret).toBeUndefined();
  });

  it('names every bad variable and how to fix it', () => {
    expect(() => parseSalesforceConfig({ SALESFORCE_REDIRECT_URI: 'not a url', SALESFORCE_API_VERSION: '41.0' })).toThrow(/SALESFORCE_CLIENT_ID[\s\S]*SALESFORCE_REDIRECT_URI[\s\S]*SALESFORCE_API_VERSION must be 44.0 or later/);
  });

  it('accepts My Domain and sandbox login hosts, refuses foreign ones', () => {
    const config = parseSalesforceConfig(env);
    expect(isAllowedLoginUrl('https://test.salesforce.com', config)).toBe(true);
    expect(isAllowedLoginUrl('https://acme.my.salesforce.com', config)).toBe(true);
    expect(isAllowedLoginUrl('https://acme--uat.sandbox.my.salesforce.com', config)).toBe(true);
    expect(isAllowedLoginUrl('https://evil.example.com', config)).toBe(false);
    expect(isAllowedLoginUrl('http://login.salesforce.com', config)).toBe(false);
  });

  it('reads the org id from the identity URL', () => {
    expect(parseIdentityUrl('https://login.salesforce.com/id/00D5g0000000001AAA/0055g0000000002AAA')).toEqual({ orgId: '00D5g0000000001AAA', userId: '0055g0000000002AAA' });
  });
});

describe('Salesforce errors', () => {
  const err = (errorCode: string, message = 'x') => Object.assign(new Error(message), { errorCode, name: errorCode });
  it('tells the daily limit from the concurrent-request limit', () => {
    expect(classifySalesforceError(err('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'))).toBe('daily-limit');
    expect(classifySalesforceError(err('REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (concurrent API requests) Limit exceeded.'))).toBe('transient');
  });
  it('treats 5xx and 429 as transient, missing fields as a permission problem, a refused refresh as revoked', () => {
    expect(classifySalesforceError(err('ERROR_HTTP_503'))).toBe('transient');
    expect(classifySalesforceError(err('ERROR_HTTP_429'))).toBe('transient');
    expect(classifySalesforceError(err('INVALID_FIELD'))).toBe('missing-access');
    expect(classifySalesforceError(new Error('Unable to refresh session due to: invalid_grant: expired access/refresh token'))).toBe('revoked');
  });
});

describe('Salesforce → canonical mapping', () => {
  const ctx: DealContext = { home: 'USD', multiCurrency: true, stageIdByName: new Map([['Closed Won', '01J000000000001AAA']]), splitTypes: { revenueTypeIds: new Set(['149R']) } };
  const opp = { Id: '0065g000000000AAAA', Name: 'Acme', StageName: 'Closed Won', Amount: 1234567.89, CloseDate: '2026-07-10', OwnerId: 'ana', CurrencyIsoCode: 'EUR', CreatedDate: '2026-06-01T10:00:00.000+0000', SystemModstamp: '2026-07-10T12:00:00.000+0000', Type: 'New Customer' };

  it('keeps the exact decimal of a JSON-number amount', () => {
    expect(exactDecimal(1234567.89, 'a').toString()).toBe('1234567.89');
    expect(exactDecimal('19.99', 'a').toString()).toBe('19.99');
    expect(() => exactDecimal('1,5', 'Amount of 006X')).toThrow(/Amount of 006X is "1,5"/);
  });

  it('reads the default 100 % owner split as "no splits" but keeps overlays', () => {
    const deal = toDeal(opp, [
      { Id: 's1', SplitOwnerId: 'ana', SplitPercentage: 100, SplitTypeId: '149R' },
      { Id: 's2', SplitOwnerId: 'sam', SplitPercentage: 25, SplitTypeId: '149O' },
    ], ctx).record;
    expect(deal.splits.map((s) => [s.userId, s.type, s.percent.toString()])).toEqual([['sam', 'overlay', '25']]);
    expect(deal.currency).toBe('EUR');
    expect(deal.stageId).toBe('01J000000000001AAA');
    expect(deal.properties).toEqual({ dealType: 'new-business' });
  });

  it('keeps revenue splits that total 90 % as they are and reports them', () => {
    const deal = toDeal(opp, [
      { Id: 's1', SplitOwnerId: 'ana', SplitPercentage: 60, SplitTypeId: '149R' },
      { Id: 's2', SplitOwnerId: 'bo', SplitPercentage: 30, SplitTypeId: '149R' },
    ], ctx).record;
    // 60 + 30 = 90: stored unchanged so the engine refuses to pay, and named in the report.
    expect(deal.splits.map((s) => s.percent.toString())).toEqual(['60', '30']);
    expect(revenueSplitProblem(deal)?.total.equals(new Decimal(90))).toBe(true);
  });

  it('reads quota start dates as fiscal quarters or months', () => {
    expect(quotaPeriod('2026-07-01', 1)).toBe('2026-Q3');
    expect(quotaPeriod('2026-08-01', 1)).toBe('2026-08');
    // Fiscal year starting in February, named after its end: Feb 2026 starts FY2027 Q1.
    expect(quotaPeriod('2026-02-01', 2)).toBe('2027-Q1');
  });
});

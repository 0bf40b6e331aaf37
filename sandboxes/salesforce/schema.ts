/**
 * The objects and fields the sandbox org has, in the shape `describe` reports and SOQL
 * checks against. Only the fields an SPM connector plausibly reads are listed; anything else
 * is an unknown column (INVALID_FIELD), exactly as a real org answers for a field that
 * doesn't exist or the integration user can't see.
 */
export type FieldType = 'id' | 'reference' | 'string' | 'picklist' | 'textarea' | 'email' | 'boolean' | 'currency' | 'double' | 'percent' | 'int' | 'date' | 'datetime';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly label: string;
  /** reference fields: target objects and the relationship name used in SOQL paths. */
  readonly referenceTo?: readonly string[];
  readonly relationshipName?: string;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly picklistValues?: readonly string[];
  /** precision/scale for numbers, length for text. */
  readonly precision?: number;
  readonly scale?: number;
  readonly length?: number;
}

export interface ObjectDef {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
  readonly createable: boolean;
  readonly deletable: boolean;
  readonly replicateable: boolean;
  readonly fields: readonly FieldDef[];
  readonly fieldByName: ReadonlyMap<string, FieldDef>;
  /** Whether soft-deleted rows exist (IsDeleted) and queryAll can return them. */
  readonly softDeletes: boolean;
}

interface FieldSpec {
  type: FieldType;
  ref?: string[];
  rel?: string;
  label?: string;
  required?: boolean;
  readonly?: boolean;
  picklist?: string[];
  precision?: number;
  scale?: number;
  length?: number;
}

const SYSTEM_READONLY = new Set(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'IsClosed', 'IsWon', 'ForecastCategory', 'SplitAmount', 'ExpectedRevenue', 'IsArchived']);

function labelOf(name: string): string {
  return name.replace(/Id$/, ' ID').replace(/__c$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').trim();
}

function objectDef(name: string, keyPrefix: string, options: { createable?: boolean; deletable?: boolean; softDeletes?: boolean; labelPlural?: string }, specs: Record<string, FieldSpec>): ObjectDef {
  const fields: FieldDef[] = Object.entries(specs).map(([fieldName, s]) => {
    const readonly = s.readonly ?? (SYSTEM_READONLY.has(fieldName) || s.type === 'id');
    const field: FieldDef = {
      name: fieldName,
      type: s.type,
      label: s.label ?? labelOf(fieldName),
      nillable: !(s.required ?? false) && s.type !== 'boolean' && s.type !== 'id',
      createable: !readonly,
      updateable: !readonly,
      ...(s.ref ? { referenceTo: s.ref, relationshipName: s.rel ?? fieldName.replace(/Id$/, '') } : {}),
      ...(s.picklist ? { picklistValues: s.picklist } : {}),
      ...(s.precision !== undefined ? { precision: s.precision, scale: s.scale ?? 0 } : {}),
      ...(s.length !== undefined ? { length: s.length } : {}),
    };
    return field;
  });
  return {
    name,
    label: labelOf(name),
    labelPlural: options.labelPlural ?? `${labelOf(name)}s`,
    keyPrefix,
    createable: options.createable ?? false,
    deletable: options.deletable ?? false,
    replicateable: true,
    fields,
    fieldByName: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
    softDeletes: options.softDeletes ?? false,
  };
}

const audit: Record<string, FieldSpec> = {
  CreatedDate: { type: 'datetime' },
  CreatedById: { type: 'reference', ref: ['User'], rel: 'CreatedBy' },
  LastModifiedDate: { type: 'datetime' },
  LastModifiedById: { type: 'reference', ref: ['User'], rel: 'LastModifiedBy' },
  SystemModstamp: { type: 'datetime' },
};
const money = (label?: string): FieldSpec => ({ type: 'currency', precision: 18, scale: 2, ...(label ? { label } : {}) });

export const TASK_SUBTYPES = ['Task', 'Email', 'Call', 'ListEmail', 'Cadence', 'LinkedIn'];
export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];
export const OPPORTUNITY_TYPES = ['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'Existing Customer - Renewal'];
export const FORECAST_CATEGORIES = ['Omitted', 'Pipeline', 'BestCase', 'Forecast', 'Closed'];

export const OBJECTS: readonly ObjectDef[] = [
  objectDef('Organization', '00D', {}, {
    Id: { type: 'id' }, Name: { type: 'string' }, OrganizationType: { type: 'picklist' }, IsSandbox: { type: 'boolean' },
    InstanceName: { type: 'string' }, DefaultLocaleSidKey: { type: 'picklist' }, LanguageLocaleKey: { type: 'picklist' },
    TimeZoneSidKey: { type: 'picklist' }, FiscalYearStartMonth: { type: 'int' }, UsesStartDateAsFiscalYearName: { type: 'boolean' },
    DefaultOpportunityAccess: { type: 'picklist' }, ...audit,
  }),
  objectDef('User', '005', {}, {
    Id: { type: 'id' }, Username: { type: 'string', required: true }, Name: { type: 'string', readonly: true }, FirstName: { type: 'string' },
    LastName: { type: 'string', required: true }, Email: { type: 'email', required: true }, IsActive: { type: 'boolean' },
    ManagerId: { type: 'reference', ref: ['User'], rel: 'Manager' }, UserRoleId: { type: 'reference', ref: ['UserRole'], rel: 'UserRole' },
    UserType: { type: 'picklist' }, Title: { type: 'string' }, DefaultCurrencyIsoCode: { type: 'picklist' }, CurrencyIsoCode: { type: 'picklist' },
    TimeZoneSidKey: { type: 'picklist' }, ...audit,
  }),
  objectDef('UserRole', '00E', { labelPlural: 'Roles' }, {
    Id: { type: 'id' }, Name: { type: 'string' }, DeveloperName: { type: 'string' },
    ParentRoleId: { type: 'reference', ref: ['UserRole'], rel: 'ParentRole' }, RollupDescription: { type: 'string' },
    OpportunityAccessForAccountOwner: { type: 'picklist' }, LastModifiedDate: { type: 'datetime' }, LastModifiedById: { type: 'reference', ref: ['User'], rel: 'LastModifiedBy' }, SystemModstamp: { type: 'datetime' },
  }),
  objectDef('RecordType', '012', {}, {
    Id: { type: 'id' }, Name: { type: 'string' }, DeveloperName: { type: 'string' }, SobjectType: { type: 'picklist' },
    IsActive: { type: 'boolean' }, Description: { type: 'string' }, ...audit,
  }),
  objectDef('OpportunityStage', '01J', {}, {
    Id: { type: 'id' }, MasterLabel: { type: 'string' }, ApiName: { type: 'string' }, IsActive: { type: 'boolean' }, SortOrder: { type: 'int' },
    IsClosed: { type: 'boolean', readonly: true }, IsWon: { type: 'boolean', readonly: true }, ForecastCategory: { type: 'picklist', picklist: FORECAST_CATEGORIES },
    ForecastCategoryName: { type: 'picklist' }, DefaultProbability: { type: 'percent', precision: 3, scale: 0 }, Description: { type: 'string' }, ...audit,
  }),
  objectDef('Opportunity', '006', { createable: true, deletable: true, softDeletes: true }, {
    Id: { type: 'id' }, IsDeleted: { type: 'boolean' }, Name: { type: 'string', required: true, length: 120 },
    RecordTypeId: { type: 'reference', ref: ['RecordType'], rel: 'RecordType' }, StageName: { type: 'picklist', required: true },
    Amount: money(), Probability: { type: 'percent', precision: 3, scale: 0 }, ExpectedRevenue: money('Expected Amount'),
    CloseDate: { type: 'date', required: true }, Type: { type: 'picklist', picklist: OPPORTUNITY_TYPES }, LeadSource: { type: 'picklist' },
    IsClosed: { type: 'boolean' }, IsWon: { type: 'boolean' }, ForecastCategory: { type: 'picklist', picklist: FORECAST_CATEGORIES },
    ForecastCategoryName: { type: 'picklist' }, CurrencyIsoCode: { type: 'picklist' },
    OwnerId: { type: 'reference', ref: ['User'], rel: 'Owner' }, Product_Line__c: { type: 'picklist', label: 'Product Line' },
    ...audit, LastActivityDate: { type: 'date' }, LastStageChangeDate: { type: 'datetime' },
    FiscalYear: { type: 'int', readonly: true }, FiscalQuarter: { type: 'int', readonly: true },
  }),
  objectDef('OpportunitySplitType', '149', {}, {
    Id: { type: 'id' }, IsDeleted: { type: 'boolean' }, MasterLabel: { type: 'string' }, DeveloperName: { type: 'string' }, Description: { type: 'string' },
    SplitField: { type: 'picklist' }, SplitDataStatus: { type: 'picklist' }, SplitEntity: { type: 'picklist' }, IsTotalValidated: { type: 'boolean' },
    IsActive: { type: 'boolean' }, ...audit,
  }),
  objectDef('OpportunitySplit', '149', { createable: true, deletable: true, softDeletes: true }, {
    Id: { type: 'id' }, IsDeleted: { type: 'boolean' }, OpportunityId: { type: 'reference', ref: ['Opportunity'], rel: 'Opportunity', required: true },
    SplitOwnerId: { type: 'reference', ref: ['User'], rel: 'SplitOwner', required: true }, SplitPercentage: { type: 'percent', precision: 18, scale: 2 },
    SplitAmount: money(), SplitTypeId: { type: 'reference', ref: ['OpportunitySplitType'], rel: 'SplitType' }, SplitNote: { type: 'string' },
    CurrencyIsoCode: { type: 'picklist' }, HasOpportunityLineItemSplit: { type: 'boolean' }, ...audit,
  }),
  objectDef('Task', '00T', { createable: true, deletable: true, softDeletes: true }, {
    Id: { type: 'id' }, IsDeleted: { type: 'boolean' }, Subject: { type: 'string', length: 255 },
    WhatId: { type: 'reference', ref: ['Opportunity'], rel: 'What' }, WhoId: { type: 'reference', ref: [], rel: 'Who' },
    OwnerId: { type: 'reference', ref: ['User'], rel: 'Owner' }, ActivityDate: { type: 'date' },
    Status: { type: 'picklist', picklist: TASK_STATUSES, required: true }, Priority: { type: 'picklist', picklist: ['High', 'Normal', 'Low'], required: true },
    Type: { type: 'picklist', picklist: ['Call', 'Email', 'Meeting', 'Other'] }, TaskSubtype: { type: 'picklist', picklist: TASK_SUBTYPES },
    IsClosed: { type: 'boolean' }, CompletedDateTime: { type: 'datetime' }, Description: { type: 'textarea' }, CurrencyIsoCode: { type: 'picklist' },
    IsArchived: { type: 'boolean' },
    // The app's managed package adds this external id so task writes are idempotent.
    SPM_Task_Id__c: { type: 'string', label: 'SPM Task Id', length: 255 }, ...audit,
  }),
  objectDef('Event', '00U', { createable: true, deletable: true, softDeletes: true }, {
    Id: { type: 'id' }, IsDeleted: { type: 'boolean' }, Subject: { type: 'string', length: 255 },
    WhatId: { type: 'reference', ref: ['Opportunity'], rel: 'What' }, WhoId: { type: 'reference', ref: [], rel: 'Who' },
    OwnerId: { type: 'reference', ref: ['User'], rel: 'Owner' }, ActivityDate: { type: 'date' }, ActivityDateTime: { type: 'datetime' },
    StartDateTime: { type: 'datetime' }, EndDateTime: { type: 'datetime' }, DurationInMinutes: { type: 'int' },
    Type: { type: 'picklist', picklist: ['Call', 'Email', 'Meeting', 'Other'] }, EventSubtype: { type: 'picklist', picklist: ['Event'] },
    Description: { type: 'textarea' }, CurrencyIsoCode: { type: 'picklist' }, IsArchived: { type: 'boolean' }, ...audit,
  }),
  objectDef('CurrencyType', '02c', {}, {
    Id: { type: 'id' }, IsoCode: { type: 'picklist' }, ConversionRate: { type: 'double', precision: 18, scale: 6 }, DecimalPlaces: { type: 'int' },
    IsActive: { type: 'boolean' }, IsCorporate: { type: 'boolean' }, ...audit,
  }),
  objectDef('DatedConversionRate', '04w', {}, {
    Id: { type: 'id' }, IsoCode: { type: 'picklist' }, ConversionRate: { type: 'double', precision: 18, scale: 6 },
    StartDate: { type: 'date' }, NextStartDate: { type: 'date' }, ...audit,
  }),
  objectDef('ForecastingType', '0Db', {}, {
    Id: { type: 'id' }, DeveloperName: { type: 'string' }, MasterLabel: { type: 'string' }, IsActive: { type: 'boolean' },
    IsAmount: { type: 'boolean' }, IsQuantity: { type: 'boolean' }, RoleType: { type: 'picklist' },
    OpportunitySplitTypeId: { type: 'reference', ref: ['OpportunitySplitType'], rel: 'OpportunitySplitType' }, ...audit,
  }),
  objectDef('ForecastingQuota', '0J9', {}, {
    Id: { type: 'id' }, QuotaOwnerId: { type: 'reference', ref: ['User'], rel: 'QuotaOwner' }, QuotaAmount: money(),
    QuotaQuantity: { type: 'double', precision: 18, scale: 2 }, StartDate: { type: 'date' }, PeriodId: { type: 'string' },
    ForecastingTypeId: { type: 'reference', ref: ['ForecastingType'], rel: 'ForecastingType' }, CurrencyIsoCode: { type: 'picklist' },
    IsAmount: { type: 'boolean' }, IsQuantity: { type: 'boolean' }, ProductFamily: { type: 'picklist' }, Territory2Id: { type: 'reference', ref: [], rel: 'Territory2' },
    ...audit,
  }),
];

const byName = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), o]));

export function objectNamed(name: string): ObjectDef | undefined {
  return byName.get(name.toLowerCase());
}

/** Objects whose changes publish Change Data Capture events (selected on the CDC setup page in a real org). */
export const CDC_OBJECTS: ReadonlySet<string> = new Set(['Opportunity', 'Task', 'Event', 'User']);

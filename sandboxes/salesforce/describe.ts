import { OBJECTS, type FieldDef, type ObjectDef } from './schema.js';
import type { SalesforceOrg } from './store.js';

/**
 * `sobjects/{Type}/describe` and `sobjects` (describeGlobal) bodies. Picklists whose values
 * live in the org (StageName, CurrencyIsoCode) are listed from the org's records, as a real
 * describe does.
 */
const SOAP_TYPE: Readonly<Record<string, string>> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', picklist: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string', boolean: 'xsd:boolean',
  currency: 'xsd:double', double: 'xsd:double', percent: 'xsd:double', int: 'xsd:int', date: 'xsd:date', datetime: 'xsd:dateTime',
};

function dynamicPicklist(org: SalesforceOrg, def: ObjectDef, field: FieldDef): readonly string[] | undefined {
  if (field.name === 'CurrencyIsoCode' || field.name === 'DefaultCurrencyIsoCode' || field.name === 'IsoCode') return org.table('CurrencyType').rows.map((r) => r['IsoCode'] as string);
  if (def.name === 'Opportunity' && field.name === 'StageName') return org.table('OpportunityStage').rows.map((r) => r['ApiName'] as string);
  return field.picklistValues;
}

function urls(def: ObjectDef, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

export function describeObject(org: SalesforceOrg, def: ObjectDef, version: string): unknown {
  return {
    name: def.name,
    label: def.label,
    labelPlural: def.labelPlural,
    keyPrefix: def.keyPrefix,
    custom: false,
    createable: def.createable,
    updateable: def.createable,
    deletable: def.deletable,
    queryable: true,
    retrieveable: true,
    replicateable: def.replicateable,
    searchable: def.createable,
    undeletable: def.softDeletes,
    triggerable: def.createable,
    urls: urls(def, version),
    recordTypeInfos: def.name === 'Opportunity' ? org.table('RecordType').rows.map((r) => ({ active: true, available: true, defaultRecordTypeMapping: false, developerName: r['DeveloperName'], master: false, name: r['Name'], recordTypeId: r['Id'] })) : [],
    childRelationships: def.name === 'Opportunity'
      ? [
          { childSObject: 'OpportunitySplit', field: 'OpportunityId', relationshipName: 'OpportunitySplits', cascadeDelete: true },
          { childSObject: 'Task', field: 'WhatId', relationshipName: 'Tasks', cascadeDelete: true },
          { childSObject: 'Event', field: 'WhatId', relationshipName: 'Events', cascadeDelete: true },
        ]
      : [],
    fields: def.fields.filter((f) => !org.isFieldHidden(def.name, f.name)).map((f) => {
      const picklist = f.type === 'picklist' ? dynamicPicklist(org, def, f) ?? [] : [];
      return {
        name: f.name,
        label: f.label,
        type: f.type,
        soapType: SOAP_TYPE[f.type],
        length: f.length ?? (['string', 'picklist', 'email'].includes(f.type) ? 255 : f.type === 'textarea' ? 32000 : f.type === 'id' || f.type === 'reference' ? 18 : 0),
        precision: f.precision ?? 0,
        scale: f.scale ?? 0,
        digits: f.type === 'int' ? 9 : 0,
        nillable: f.nillable,
        createable: def.createable && f.createable,
        updateable: def.createable && f.updateable,
        filterable: f.type !== 'textarea',
        sortable: f.type !== 'textarea',
        groupable: !['currency', 'double', 'percent', 'datetime', 'textarea'].includes(f.type),
        aggregatable: f.type !== 'textarea',
        custom: f.name.endsWith('__c'),
        calculated: ['ExpectedRevenue', 'SplitAmount', 'FiscalYear', 'FiscalQuarter'].includes(f.name),
        defaultedOnCreate: ['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'OwnerId', 'CurrencyIsoCode'].includes(f.name),
        idLookup: f.name === 'Id',
        externalId: f.name === 'SPM_Task_Id__c',
        unique: f.name === 'SPM_Task_Id__c',
        referenceTo: f.referenceTo ?? [],
        relationshipName: f.relationshipName ?? null,
        polymorphicForeignKey: f.name === 'WhatId' || f.name === 'WhoId',
        restrictedPicklist: f.name === 'StageName' || f.name === 'CurrencyIsoCode',
        picklistValues: picklist.map((value) => ({ active: true, defaultValue: false, label: value, validFor: null, value })),
      };
    }),
  };
}

export function describeGlobal(version: string): unknown {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: OBJECTS.map((def) => ({
      name: def.name, label: def.label, labelPlural: def.labelPlural, keyPrefix: def.keyPrefix, custom: false, queryable: true, createable: def.createable,
      updateable: def.createable, deletable: def.deletable, replicateable: def.replicateable, retrieveable: true, urls: urls(def, version),
    })),
  };
}

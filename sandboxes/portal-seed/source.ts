import { readFileSync } from 'node:fs';
import type { RawDataset } from '../../shared/src/input/dataset.schema.js';
import { generateTenant, type TenantOptions } from '../../shared/src/synthetic/index.js';

/**
 * Where a sandbox portal's records come from. Every CRM sandbox seeds from the same
 * canonical document, so a cross-connector test can sync both CRMs and compare the
 * canonical records each connector reads back.
 */
export type PortalSource =
  | { readonly kind: 'synthetic'; readonly options: TenantOptions }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'dataset'; readonly dataset: RawDataset };

/** The canonical document for a source. Synthetic tenants are deterministic for their options. */
export function loadPortalDataset(source: PortalSource): RawDataset {
  switch (source.kind) {
    case 'synthetic':
      return generateTenant(source.options);
    case 'dataset':
      return source.dataset;
    case 'file': {
      const text = readFileSync(source.path, 'utf8');
      try {
        return JSON.parse(text) as RawDataset;
      } catch (error) {
        throw new Error(`portal seed file ${source.path} is not valid JSON (${(error as Error).message}); export it again with "spm export" or fix the syntax`, { cause: error });
      }
    }
  }
}

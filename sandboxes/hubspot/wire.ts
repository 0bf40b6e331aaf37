/**
 * Response shapes, derived from the SDK's own generated models so that a drift between
 * what the sandbox sends and what `@hubspot/api-client` v14 deserializes fails to compile.
 *
 * The SDK models are the deserialized form: dates are `Date`, enums are TS enums and a few
 * keys are renamed (`from` → `_from`, `in` → `_in`, snake_case OAuth fields → camelCase).
 * `Wire<T>` turns a model back into the JSON HubSpot sends.
 */
import type {
  BatchResponseSimplePublicObject,
  BatchResponseSimplePublicObjectWithErrors,
  CollectionResponseSimplePublicObjectWithAssociationsForwardPaging,
  CollectionResponseWithTotalSimplePublicObjectForwardPaging,
  ModelError,
  SimplePublicObject,
  SimplePublicObjectWithAssociations,
  StandardError,
  ValueWithTimestamp,
} from '@hubspot/api-client/lib/codegen/crm/deals/index.js';
import type { CollectionResponsePropertyNoPaging, Property } from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import type { CollectionResponsePublicOwnerForwardPaging, PublicOwner } from '@hubspot/api-client/lib/codegen/crm/owners/index.js';
import type { CollectionResponsePipelineNoPaging, Pipeline, PipelineStage } from '@hubspot/api-client/lib/codegen/crm/pipelines/index.js';
import type { BatchResponsePublicAssociationMultiWithLabelWithErrors, PublicAssociationMultiWithLabel } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import type { AccessTokenInfoResponse, RefreshTokenInfoResponse, TokenResponseIF } from '@hubspot/api-client/lib/codegen/oauth/index.js';

type RenamedKey<K> = K extends '_from' ? 'from' : K extends '_in' ? 'in' : K;

export type Wire<T> = T extends Date
  ? string
  : T extends string
    ? `${T}`
    : T extends readonly (infer E)[]
      ? Wire<E>[]
      : T extends object
        ? { [K in keyof T as RenamedKey<K>]: Wire<T[K]> }
        : T;

export type WireObject = Wire<SimplePublicObject>;
export type WireObjectWithAssociations = Wire<SimplePublicObjectWithAssociations>;
export type WireListPage = Wire<CollectionResponseSimplePublicObjectWithAssociationsForwardPaging>;
export type WireSearchPage = Wire<CollectionResponseWithTotalSimplePublicObjectForwardPaging>;
export type WireBatch = Wire<BatchResponseSimplePublicObject>;
export type WireBatchWithErrors = Wire<BatchResponseSimplePublicObjectWithErrors>;
export type WireStandardError = Wire<StandardError>;
export type WireValueWithTimestamp = Wire<ValueWithTimestamp>;
export type WireOwner = Wire<PublicOwner>;
export type WireOwnerPage = Wire<CollectionResponsePublicOwnerForwardPaging>;
export type WirePipeline = Wire<Pipeline>;
export type WirePipelineStage = Wire<PipelineStage>;
export type WirePipelines = Wire<CollectionResponsePipelineNoPaging>;
export type WireProperty = Wire<Property>;
export type WirePropertyList = Wire<CollectionResponsePropertyNoPaging>;
export type WireAssociationMulti = Wire<PublicAssociationMultiWithLabel>;
export type WireAssociationBatch = Wire<BatchResponsePublicAssociationMultiWithLabelWithErrors>;

/** HubSpot's error body: the SDK's ModelError plus the `status` every error carries. */
export type WireError = Wire<ModelError> & { status: 'error'; errorType?: string; policyName?: string; groupName?: string; requestId?: string };

// ---- OAuth: snake_case on the wire, camelCase in the SDK models ----------------------

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** Fails to compile unless the snake_case wire type covers the model's required keys with the same value types. */
type MatchesModel<W, M> = { [K in keyof W as K extends string ? Camel<K> : never]: W[K] } extends Pick<M, { [K in keyof M]-?: undefined extends M[K] ? never : K }[keyof M]> ? W : never;

export type WireTokenResponse = MatchesModel<{ access_token: string; refresh_token: string; expires_in: number; token_type: string; id_token?: string }, TokenResponseIF>;
export type WireAccessTokenInfo = MatchesModel<
  { token: string; user: string; hub_domain: string; scopes: string[]; hub_id: number; app_id: number; expires_in: number; user_id: number; token_type: string },
  AccessTokenInfoResponse
>;
export type WireRefreshTokenInfo = MatchesModel<
  { token: string; user: string; hub_domain: string; scopes: string[]; hub_id: number; client_id: string; user_id: number; token_type: string },
  RefreshTokenInfoResponse
>;

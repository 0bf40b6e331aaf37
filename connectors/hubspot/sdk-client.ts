import { Client } from '@hubspot/api-client';
import { captureErrors } from './api-errors.js';

/**
 * An SDK client with the SDK's own retry and limiter switched off. Those live in a
 * process-wide singleton (every `new Client()` replaces the decorators of all clients), so
 * per-portal settings cannot work through them; the gateway limits and retries instead,
 * in one place. Passing neither `limiterOptions` nor retries leaves the decorator list
 * empty for every client this process builds.
 */
export function sdkClient(basePath: string, accessToken?: string): Client {
  return new Client({ ...(accessToken ? { accessToken } : {}), basePath, numberOfApiCallRetries: 0, middleware: [captureErrors()] });
}

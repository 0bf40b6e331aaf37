import express, { type Request, type RequestHandler } from 'express';

const RAW = Symbol('rawBody');
type WithRaw = Request & { [RAW]?: string };

/**
 * JSON bodies, keeping the exact bytes: HubSpot signs the raw body, and re-serialising
 * parsed JSON would change whitespace and key order and break every POST signature.
 */
export function jsonKeepingRawBody(): RequestHandler {
  return express.json({
    limit: '1mb',
    verify: (req, _res, buf) => {
      (req as unknown as WithRaw)[RAW] = buf.toString('utf8');
    },
  });
}

export function rawBodyOf(req: Request): string {
  return (req as WithRaw)[RAW] ?? '';
}

/**
 * The backend origin comes from the HubSpot profile variable API_ORIGIN (hsprofile.*.json),
 * the same variable that fills permittedUrls.fetch, the OAuth redirect and the webhook
 * target, so one value per environment keeps all four in step.
 */
export const API_ORIGIN_VARIABLE = 'API_ORIGIN';

export type OriginResult = { ok: true; origin: string } | { ok: false; problem: string };

export function apiOriginFrom(variables: Readonly<Record<string, unknown>> | undefined): OriginResult {
  const raw = variables?.[API_ORIGIN_VARIABLE];
  if (typeof raw !== 'string' || raw.trim() === '') {
    return {
      ok: false,
      problem: `The app has no ${API_ORIGIN_VARIABLE}: upload the project with a profile (hs project upload --profile <name>) whose variables set ${API_ORIGIN_VARIABLE} to the backend's https origin.`,
    };
  }
  const origin = raw.trim().replace(/\/+$/, '');
  // hubspot.fetch rejects anything but absolute https URLs; say so before the user sees a vague failure.
  if (!/^https:\/\/[^\s/?#]+$/.test(origin)) {
    return { ok: false, problem: `${API_ORIGIN_VARIABLE} is "${raw}", but it must be an https origin such as https://api.example.com (no path).` };
  }
  return { ok: true, origin };
}

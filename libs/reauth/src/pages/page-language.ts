import Negotiator from 'negotiator';
import type { RequestHeaders } from '../core/negotiation';

/** The language a page is written in, and whether `Accept-Language` chose it. */
export interface PageLanguageChoice {
  language: string;
  /** `true` when the request's `Accept-Language` was read: the answer varies with it. */
  negotiated: boolean;
}

/**
 * The offered language that `tag` names (case aside), or else the one of its primary subtag
 * (`de-AT` is `de` when `de-AT` is not offered); `undefined` for anything else.
 */
export function matchLanguage(tag: unknown, offered: readonly string[]): string | undefined {
  if (typeof tag !== 'string' || tag.length > 64) return undefined;
  const wanted = tag.trim().toLowerCase();
  if (wanted === '') return undefined;
  const exact = offered.find((language) => language.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  const primary = wanted.split('-')[0];
  return offered.find((language) => language.toLowerCase() === primary);
}

/**
 * The offered language a request prefers: the app's `resolved` choice when it names one, else
 * the best of `Accept-Language` by `negotiator` (q-values, `*`, `de-CH` falling to `de`), else
 * `offered[0]` (the default language). Never throws: a malformed header is no preference.
 */
export function choosePageLanguage(
  headers: RequestHeaders,
  resolved: string | undefined,
  offered: readonly string[],
): PageLanguageChoice {
  const chosen = matchLanguage(resolved, offered);
  if (chosen !== undefined) return { language: chosen, negotiated: false };
  const header = joinHeader(headers['accept-language']);
  if (header === undefined) return { language: offered[0], negotiated: true };
  let preferred: string | undefined;
  try {
    [preferred] = new Negotiator({ headers: { 'accept-language': header } }).languages([
      ...offered,
    ]);
  } catch {
    preferred = undefined;
  }
  return { language: preferred ?? offered[0], negotiated: true };
}

// As in core/negotiation.ts: a repeated list header is its values joined with commas.
function joinHeader(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === 'string').join(', ');
  }
  return undefined;
}

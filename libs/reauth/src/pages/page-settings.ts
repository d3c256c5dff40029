import { fail } from '../core/option-checks';
import type { ReauthPagesOptions } from '../interfaces/page-options.interface';
import type { ReauthRequest } from '../interfaces';
import { PAGE_MESSAGE_KEYS, REAUTH_PAGE_MESSAGES } from './page-catalogue';
import { matchLanguage } from './page-language';
import type { ReauthPageMessages } from './page-messages';
import { resolvePageTheme, type PageTheme } from './page-theme';

/** {@link ReauthPagesOptions}, checked: what every page is written with. */
export abstract class PageSettings {
  /** The offered languages, the default first. */
  abstract readonly languages: readonly string[];
  /** A complete catalogue for each offered language. */
  abstract readonly messages: ReadonlyMap<string, ReauthPageMessages>;
  abstract readonly language?: (request: ReauthRequest) => string | undefined;
  abstract readonly theme: PageTheme;
}

// A language tag as BCP 47 shapes it (language, then subtags), without checking the registry.
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i;
const KNOWN_KEYS: ReadonlySet<string> = new Set(PAGE_MESSAGE_KEYS);

/** Checks the `pages` option. */
export function resolvePageSettings(value: unknown): PageSettings {
  if (
    value !== undefined &&
    (typeof value !== 'object' || value === null || Array.isArray(value))
  ) {
    fail('pages', 'must be an object');
  }
  const options = (value ?? {}) as ReauthPagesOptions;
  if (options.language !== undefined && typeof options.language !== 'function') {
    fail('pages.language', 'must be a function');
  }
  const messages = resolveMessages(options.messages);
  const available = [...messages.keys()];
  const offered =
    options.languages === undefined ? available : offeredLanguages(options.languages, available);
  const wanted = options.defaultLanguage;
  const defaultLanguage =
    wanted === undefined
      ? (offered.find((language) => language === 'en') ?? offered[0])
      : offered.find(
          (language) =>
            typeof wanted === 'string' && language.toLowerCase() === wanted.toLowerCase(),
        );
  if (defaultLanguage === undefined) {
    fail('pages.defaultLanguage', `must be one of the offered languages (${offered.join(', ')})`);
  }
  const languages = [
    defaultLanguage,
    ...offered.filter((language) => language !== defaultLanguage),
  ];
  return Object.freeze({
    languages: Object.freeze(languages),
    messages: new Map(languages.map((language) => [language, messages.get(language)!])),
    language: options.language,
    theme: resolvePageTheme(options.theme),
  });
}

/** The shipped catalogues with the app's texts over them, and the app's own languages. */
function resolveMessages(value: unknown): Map<string, ReauthPageMessages> {
  const catalogues = new Map<string, ReauthPageMessages>(Object.entries(REAUTH_PAGE_MESSAGES));
  if (value === undefined) return catalogues;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('pages.messages', 'must be an object of texts by language tag');
  }
  for (const [tag, texts] of Object.entries(value)) {
    const option = `pages.messages.${tag}`;
    if (!LANGUAGE_TAG.test(tag)) fail(option, 'is not a language tag such as "pt-BR"');
    if (typeof texts !== 'object' || texts === null || Array.isArray(texts)) {
      fail(option, 'must be an object of texts by key');
    }
    for (const [key, text] of Object.entries(texts as object)) {
      if (!KNOWN_KEYS.has(key)) {
        fail(`${option}["${key}"]`, 'is not a text of the pages (see REAUTH_PAGE_MESSAGES.en)');
      }
      if (typeof text !== 'string' || text.trim() === '') {
        fail(`${option}["${key}"]`, 'must be a non-empty string');
      }
    }
    const language = matchLanguage(tag, [...catalogues.keys()]);
    const base =
      language?.toLowerCase() === tag.toLowerCase() ? catalogues.get(language) : undefined;
    if (base === undefined) {
      const missing = PAGE_MESSAGE_KEYS.filter((key) => !(key in texts));
      if (missing.length > 0) {
        fail(
          option,
          `adds a language, so it needs every text; missing ${missing.length}: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`,
        );
      }
    }
    catalogues.set(
      base === undefined ? tag : language!,
      Object.freeze({ ...base, ...(texts as Partial<ReauthPageMessages>) }) as ReauthPageMessages,
    );
  }
  return catalogues;
}

function offeredLanguages(value: unknown, available: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail('pages.languages', 'must be a non-empty array of language tags');
  }
  const offered = value.map((tag: unknown, i) => {
    const language =
      typeof tag === 'string' &&
      available.find((known) => known.toLowerCase() === tag.toLowerCase());
    if (!language) {
      fail(
        `pages.languages[${i}]`,
        `(${JSON.stringify(tag)}) must be a shipped language or one added in pages.messages (${available.join(', ')})`,
      );
    }
    return language;
  });
  return [...new Set(offered)];
}

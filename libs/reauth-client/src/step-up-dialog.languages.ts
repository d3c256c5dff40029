import { DEFAULT_STEP_UP_DIALOG_TEXTS, type StepUpDialogTexts } from './step-up-dialog.texts.js';
import { GERMAN_STEP_UP_DIALOG_TEXTS } from './step-up-dialog.texts.de.js';
import { SPANISH_STEP_UP_DIALOG_TEXTS } from './step-up-dialog.texts.es.js';
import { FRENCH_STEP_UP_DIALOG_TEXTS } from './step-up-dialog.texts.fr.js';

/** A language the default dialog ships in. */
export type StepUpDialogLanguage = 'en' | 'de' | 'fr' | 'es';

/**
 * The default dialog's texts in each shipped language. Start a new language from `en` (every
 * key is required) and give it to `stepUpDialog({ languages })`.
 *
 * @example
 * ```ts
 * const labels = STEP_UP_DIALOG_LANGUAGES.de; // { title: 'Bestätigen Sie, dass Sie es sind', ... }
 * ```
 */
export const STEP_UP_DIALOG_LANGUAGES: Readonly<
  Record<StepUpDialogLanguage, Readonly<StepUpDialogTexts>>
> = Object.freeze({
  en: DEFAULT_STEP_UP_DIALOG_TEXTS,
  de: GERMAN_STEP_UP_DIALOG_TEXTS,
  fr: FRENCH_STEP_UP_DIALOG_TEXTS,
  es: SPANISH_STEP_UP_DIALOG_TEXTS,
});

/**
 * The first of `wanted` (language tags, best first) that `offered` has, case aside, exactly or
 * by its primary subtag (`fr-CA` is `fr`); `'en'` when none is. Blank and non-string entries
 * are skipped.
 */
export function chooseDialogLanguage(
  wanted: readonly unknown[],
  offered: readonly string[],
): string {
  for (const tag of wanted) {
    if (typeof tag !== 'string' || tag.trim() === '' || tag.length > 64) continue;
    const lower = tag.trim().toLowerCase();
    const match =
      offered.find((language) => language.toLowerCase() === lower) ??
      offered.find((language) => language.toLowerCase() === lower.split('-')[0]);
    if (match !== undefined) return match;
  }
  return 'en';
}

/** What the page says about its language: its `lang`, then the browser's preferences. */
export function pageLanguages(doc: Document | undefined): string[] {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  return [doc?.documentElement?.lang, ...(nav?.languages ?? [nav?.language])].filter(
    (tag): tag is string => typeof tag === 'string',
  );
}

/**
 * The texts of the dialog: the catalogue of `language` (else of the page's language, else of the
 * browser's, else English), with `texts` over it. A language the app added is completed from
 * English, so a text it forgot is never blank.
 */
export function dialogTexts(options: {
  language?: string;
  languages?: Readonly<Record<string, StepUpDialogTexts>>;
  texts?: Partial<StepUpDialogTexts>;
  doc?: Document;
}): { language: string; texts: StepUpDialogTexts } {
  const catalogues: Record<string, Readonly<StepUpDialogTexts>> = {
    ...STEP_UP_DIALOG_LANGUAGES,
    ...options.languages,
  };
  const language = chooseDialogLanguage(
    [options.language, ...pageLanguages(options.doc)],
    Object.keys(catalogues),
  );
  return {
    language,
    texts: { ...DEFAULT_STEP_UP_DIALOG_TEXTS, ...catalogues[language], ...options.texts },
  };
}

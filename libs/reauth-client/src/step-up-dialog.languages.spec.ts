import {
  chooseDialogLanguage,
  dialogTexts,
  STEP_UP_DIALOG_LANGUAGES,
} from './step-up-dialog.languages';
import { DEFAULT_STEP_UP_DIALOG_TEXTS, type StepUpDialogTexts } from './step-up-dialog.texts';

const OFFERED = Object.keys(STEP_UP_DIALOG_LANGUAGES);

/** A document whose root element has `lang`. */
const pageIn = (lang: string) => ({ documentElement: { lang } }) as unknown as Document;

describe('STEP_UP_DIALOG_LANGUAGES', () => {
  const keys = Object.keys(DEFAULT_STEP_UP_DIALOG_TEXTS).sort();

  it.each(Object.entries(STEP_UP_DIALOG_LANGUAGES))(
    '%s has exactly the English keys, each translated',
    (language, texts) => {
      expect(Object.keys(texts).sort()).toEqual(keys);
      for (const key of keys as (keyof StepUpDialogTexts)[]) {
        expect(texts[key].trim()).not.toBe('');
        if (language !== 'en') expect(texts[key]).not.toBe(DEFAULT_STEP_UP_DIALOG_TEXTS[key]);
      }
      expect(Object.isFrozen(texts)).toBe(true);
    },
  );
});

describe('chooseDialogLanguage', () => {
  it.each<[unknown[], string]>([
    [['de'], 'de'],
    [['fr-CA'], 'fr'],
    [['ES-mx'], 'es'],
    [['ja', 'de-AT', 'fr'], 'de'],
    [['', '  ', 'fr'], 'fr'],
    [['ja', 'zh-TW'], 'en'],
    [[], 'en'],
    [[undefined, null, 42, {}, 'x'.repeat(100)], 'en'],
    [['<script>'], 'en'],
  ])('%j → %s', (wanted, expected) => {
    expect(chooseDialogLanguage(wanted, OFFERED)).toBe(expected);
  });
});

describe('dialogTexts', () => {
  it('takes the option first, then the page’s lang', () => {
    expect(dialogTexts({ language: 'fr', doc: pageIn('de') }).language).toBe('fr');
    expect(dialogTexts({ doc: pageIn('de-CH') })).toEqual({
      language: 'de',
      texts: STEP_UP_DIALOG_LANGUAGES.de,
    });
    expect(dialogTexts({ language: 'ja', doc: pageIn('es') }).language).toBe('es');
    expect(dialogTexts({ doc: pageIn('') }).language).toBe('en');
  });

  it('lays the app’s texts over the language’s', () => {
    const { texts } = dialogTexts({ language: 'de', texts: { title: 'Überweisung bestätigen' } });
    expect(texts.title).toBe('Überweisung bestätigen');
    expect(texts.cancel).toBe('Abbrechen');
  });

  it('offers an added language, completed from English', () => {
    const italian = { ...DEFAULT_STEP_UP_DIALOG_TEXTS, title: 'Conferma che sei tu' };
    const partial = { title: 'Conferma' } as unknown as StepUpDialogTexts;
    expect(dialogTexts({ languages: { it: italian }, doc: pageIn('it-IT') })).toEqual({
      language: 'it',
      texts: italian,
    });
    const completed = dialogTexts({ language: 'it', languages: { it: partial } }).texts;
    expect(completed.title).toBe('Conferma');
    expect(completed.cancel).toBe('Cancel');
  });
});

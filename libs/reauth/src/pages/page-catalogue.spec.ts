import { CALLBACK_FAILURES } from '../flow/callback-failures';
import { ENGLISH_PAGE_MESSAGES } from './page-messages.en';
import {
  callbackKeys,
  forbiddenKeys,
  PAGE_MESSAGE_KEYS,
  REAUTH_PAGE_MESSAGES,
} from './page-catalogue';

describe('REAUTH_PAGE_MESSAGES', () => {
  const english = Object.keys(ENGLISH_PAGE_MESSAGES).sort();

  it('ships English, German, French and Spanish', () => {
    expect(Object.keys(REAUTH_PAGE_MESSAGES)).toEqual(['en', 'de', 'fr', 'es']);
  });

  it.each(Object.entries(REAUTH_PAGE_MESSAGES))(
    '%s has exactly the English keys, each a text of its own',
    (language, messages) => {
      expect(Object.keys(messages).sort()).toEqual(english);
      for (const key of PAGE_MESSAGE_KEYS) {
        expect(typeof messages[key]).toBe('string');
        expect(messages[key].trim()).not.toBe('');
        expect(messages[key]).not.toMatch(/[<>]/);
      }
      // A translation, not a copy: most texts differ from the English ones.
      const same = PAGE_MESSAGE_KEYS.filter((key) => messages[key] === ENGLISH_PAGE_MESSAGES[key]);
      expect(same.length).toBe(language === 'en' ? PAGE_MESSAGE_KEYS.length : 0);
    },
  );

  it('has the texts of every callback failure, the same in English as the failure table', () => {
    for (const [code, failure] of Object.entries(CALLBACK_FAILURES)) {
      const keys = callbackKeys(code as keyof typeof CALLBACK_FAILURES);
      expect(ENGLISH_PAGE_MESSAGES[keys.title]).toBe(failure.title);
      expect(ENGLISH_PAGE_MESSAGES[keys.message]).toBe(failure.message);
    }
  });

  it('has the texts of every refusal', () => {
    for (const reason of ['cross_site_request', 'impersonation_not_allowed'] as const) {
      const keys = forbiddenKeys(reason);
      expect(PAGE_MESSAGE_KEYS).toEqual(expect.arrayContaining([keys.title, keys.message]));
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(REAUTH_PAGE_MESSAGES)).toBe(true);
    for (const messages of Object.values(REAUTH_PAGE_MESSAGES)) {
      expect(Object.isFrozen(messages)).toBe(true);
    }
  });
});

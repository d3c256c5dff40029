import { PAGE_MESSAGE_KEYS, REAUTH_PAGE_MESSAGES } from './page-catalogue';
import { resolvePageSettings } from './page-settings';

describe('resolvePageSettings', () => {
  it('offers the shipped languages, English first, without options', () => {
    const settings = resolvePageSettings(undefined);
    expect(settings.languages).toEqual(['en', 'de', 'fr', 'es']);
    expect(settings.messages.get('de')).toBe(REAUTH_PAGE_MESSAGES.de);
    expect(settings.language).toBeUndefined();
  });

  it('replaces texts of a shipped language, and keeps the others', () => {
    const settings = resolvePageSettings({
      messages: { de: { 'link.leave': 'Zur Übersicht' } },
    });
    expect(settings.messages.get('de')!['link.leave']).toBe('Zur Übersicht');
    expect(settings.messages.get('de')!['link.retry']).toBe('Erneut versuchen');
    expect(REAUTH_PAGE_MESSAGES.de['link.leave']).toBe('Zur Startseite');
  });

  it('adds a language with every text', () => {
    const portuguese = Object.fromEntries(
      Object.entries(REAUTH_PAGE_MESSAGES.es).map(([key, text]) => [key, `pt: ${text}`]),
    );
    const settings = resolvePageSettings({ messages: { 'pt-BR': portuguese } });
    expect(settings.languages).toEqual(['en', 'de', 'fr', 'es', 'pt-BR']);
    expect(settings.messages.get('pt-BR')!['link.continue']).toBe('pt: Continuar');
  });

  it('offers the languages asked for, the default first', () => {
    const settings = resolvePageSettings({ languages: ['de', 'EN', 'de'], defaultLanguage: 'de' });
    expect(settings.languages).toEqual(['de', 'en']);
    expect(resolvePageSettings({ languages: ['fr', 'es'] }).languages).toEqual(['fr', 'es']);
  });

  it('keeps the app’s resolver', () => {
    const language = () => 'fr';
    expect(resolvePageSettings({ language }).language).toBe(language);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'de', 'ReauthModule: pages must be an object'],
    ['a resolver that is not a function', { language: 'de' }, 'pages.language must be a function'],
    ['messages not an object', { messages: [] }, 'pages.messages must be an object'],
    [
      'a malformed language tag',
      { messages: { 'de_DE!': {} } },
      'pages.messages.de_DE! is not a language tag',
    ],
    [
      'texts that are not an object',
      { messages: { de: 'Weiter' } },
      'pages.messages.de must be an object of texts by key',
    ],
    [
      'an unknown key',
      { messages: { de: { 'link.home': 'Start' } } },
      'pages.messages.de["link.home"] is not a text of the pages',
    ],
    [
      'a text that is not a string',
      { messages: { fr: { 'link.retry': 42 } } },
      'pages.messages.fr["link.retry"] must be a non-empty string',
    ],
    [
      'an empty text',
      { messages: { fr: { 'link.retry': ' ' } } },
      'pages.messages.fr["link.retry"] must be a non-empty string',
    ],
    [
      'a new language with missing texts',
      { messages: { it: { 'link.continue': 'Continua' } } },
      `pages.messages.it adds a language, so it needs every text; missing ${PAGE_MESSAGE_KEYS.length - 1}: link.retry, link.leave, link.reauthenticate, ...`,
    ],
    [
      'a language not offered',
      { languages: ['en', 'it'] },
      'pages.languages[1] ("it") must be a shipped language or one added in pages.messages (en, de, fr, es)',
    ],
    ['an empty list', { languages: [] }, 'pages.languages must be a non-empty array'],
    [
      'a default that is not offered',
      { languages: ['de', 'fr'], defaultLanguage: 'en' },
      'pages.defaultLanguage must be one of the offered languages (de, fr)',
    ],
    [
      'a default that is not a string',
      { defaultLanguage: 1 },
      'pages.defaultLanguage must be one of the offered languages',
    ],
  ])('refuses %s with a TypeError naming the option', (_label, options, message) => {
    expect(() => resolvePageSettings(options)).toThrow(TypeError);
    expect(() => resolvePageSettings(options)).toThrow(message);
  });
});

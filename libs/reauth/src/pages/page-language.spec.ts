import { choosePageLanguage, matchLanguage } from './page-language';

const OFFERED = ['en', 'de', 'fr', 'es'];

describe('choosePageLanguage', () => {
  it.each([
    ['de', 'de'],
    ['de-CH,de;q=0.9,en;q=0.8', 'de'],
    ['fr-CA', 'fr'],
    ['DE', 'de'],
    ['fr;q=0.5,de;q=0.8', 'de'],
    ['es;q=0.9, fr', 'fr'],
    ['zh, fr;q=0.1', 'fr'],
    ['de;q=0, *', 'en'],
    ['de;q=0, fr;q=0, *', 'en'],
    ['*', 'en'],
    ['ja, zh-TW', 'en'],
    ['en;q=0', 'en'],
    ['', 'en'],
    ['   ', 'en'],
    ['€€€;;;,,', 'en'],
    ['fr-CA;q=abc', 'en'],
    ['q=1', 'en'],
    ['de;q=2', 'de'], // an out-of-range q-value is read leniently, as negotiator does
    ['x'.repeat(10_000), 'en'],
  ])('Accept-Language %j → %s', (header, expected) => {
    expect(choosePageLanguage({ 'accept-language': header }, undefined, OFFERED)).toEqual({
      language: expected,
      negotiated: true,
    });
  });

  it('joins a repeated header, and ignores what is not a string', () => {
    expect(choosePageLanguage({ 'accept-language': ['ja', 'es'] }, undefined, OFFERED)).toEqual({
      language: 'es',
      negotiated: true,
    });
    const odd = { 'accept-language': 42 } as unknown as Record<string, string>;
    expect(choosePageLanguage(odd, undefined, OFFERED).language).toBe('en');
  });

  it('answers the default language (the first offered) without a header', () => {
    expect(choosePageLanguage({}, undefined, ['fr', 'en'])).toEqual({
      language: 'fr',
      negotiated: true,
    });
  });

  it('takes the app’s choice when it names an offered language, without reading the header', () => {
    const headers = { 'accept-language': 'de' };
    expect(choosePageLanguage(headers, 'fr', OFFERED)).toEqual({
      language: 'fr',
      negotiated: false,
    });
    expect(choosePageLanguage(headers, 'es-MX', OFFERED).language).toBe('es');
  });

  it.each([['ja'], [''], ['<script>'], ['x'.repeat(100)]])(
    'falls back to the header when the app’s choice is %j',
    (resolved) => {
      expect(choosePageLanguage({ 'accept-language': 'de' }, resolved, OFFERED)).toEqual({
        language: 'de',
        negotiated: true,
      });
    },
  );
});

describe('matchLanguage', () => {
  it('matches case aside, an exact tag before its primary subtag', () => {
    expect(matchLanguage('PT-br', ['en', 'pt', 'pt-BR'])).toBe('pt-BR');
    expect(matchLanguage('pt-PT', ['en', 'pt', 'pt-BR'])).toBe('pt');
    expect(matchLanguage(' de ', OFFERED)).toBe('de');
  });

  it.each([undefined, null, 1, {}, [], '', 'xx', 'e'])('matches nothing for %j', (value) => {
    expect(matchLanguage(value, OFFERED)).toBeUndefined();
  });
});

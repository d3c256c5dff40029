import { isValidAssuranceList, MAX_ASSURANCE_VALUES, meetsAssurance } from './assurance';

describe('MAX_ASSURANCE_VALUES', () => {
  it('is 10', () => {
    expect(MAX_ASSURANCE_VALUES).toBe(10);
  });
});

describe('isValidAssuranceList', () => {
  it.each<[string, unknown]>([
    ['one URN', ['urn:example:loa:2']],
    ['RFC 8176 methods', ['pwd', 'otp', 'hwk', 'mfa']],
    ['ten values', Array.from({ length: 10 }, (_, i) => `loa${i}`)],
    ['a value of 200 characters', ['a'.repeat(200)]],
    ['a single character', ['!']],
    ['the visible ASCII edges', ['!#[]~', 'http://idp.example/acr?level=2&x=%20']],
  ])('accepts %s', (_label, value) => {
    expect(isValidAssuranceList(value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['an empty list', []],
    ['eleven values', Array.from({ length: 11 }, (_, i) => `loa${i}`)],
    ['duplicates', ['otp', 'pwd', 'otp']],
    ['a value with a space', ['two words']],
    ['a value with a tab', ['a\tb']],
    ['a value with a newline', ['a\nb']],
    ['a value with a double quote', ['a"b']],
    ['a value with a backslash', ['a\\b']],
    ['a non-ASCII value', ['niveau-é']],
    ['a DEL character', ['a\u007fb']],
    ['an empty value', ['']],
    ['a value of 201 characters', ['a'.repeat(201)]],
    ['a number among strings', ['otp', 1]],
    ['null in the list', [null]],
    ['a nested list', [['otp']]],
    ['a string instead of a list', 'otp'],
    ['an object', { 0: 'otp', length: 1 }],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s', (_label, value) => {
    expect(isValidAssuranceList(value)).toBe(false);
  });
});

describe('meetsAssurance', () => {
  describe('acr', () => {
    const requirement = { acr: ['urn:example:loa:2', 'urn:example:loa:3'] };

    it.each(['urn:example:loa:2', 'urn:example:loa:3'])('accepts acr %p', (acr) => {
      expect(meetsAssurance({ acr }, requirement)).toBe(true);
    });

    it.each<[string, unknown]>([
      ['another class', 'urn:example:loa:1'],
      ['a prefix of an accepted class', 'urn:example:loa'],
      ['an accepted class with different case', 'URN:EXAMPLE:LOA:2'],
      ['an empty string', ''],
      ['missing', undefined],
      ['null', null],
      ['a number', 2],
      ['a list holding an accepted class', ['urn:example:loa:2']],
      ['an object', { toString: () => 'urn:example:loa:2' }],
    ])('refuses an acr that is %s', (_label, acr) => {
      expect(meetsAssurance({ acr }, requirement)).toBe(false);
    });

    it('ignores amr when only acr is required', () => {
      expect(meetsAssurance({ acr: 'urn:example:loa:2', amr: 'junk' }, requirement)).toBe(true);
    });
  });

  describe('amr', () => {
    const requirement = { amr: ['otp', 'hwk'] };

    it.each([[['otp']], [['pwd', 'hwk']], [['hwk', 'otp', 'pwd']]])(
      'accepts amr %p, which names one of the methods',
      (amr) => {
        expect(meetsAssurance({ amr }, requirement)).toBe(true);
      },
    );

    it.each<[string, unknown]>([
      ['other methods only', ['pwd', 'sms']],
      ['an empty list', []],
      ['missing', undefined],
      ['a string naming an accepted method', 'otp'],
      ['a comma-separated string', 'pwd,otp'],
      ['an object', { 0: 'otp', length: 1 }],
      ['null', null],
      ['a list of non-strings', [1, null, { otp: true }]],
      ['a nested list', [['otp']]],
      ['a method with different case', ['OTP']],
    ])('refuses an amr that is %s', (_label, amr) => {
      expect(meetsAssurance({ amr }, requirement)).toBe(false);
    });

    it('ignores acr when only amr is required', () => {
      expect(meetsAssurance({ acr: 42, amr: ['otp'] }, requirement)).toBe(true);
    });
  });

  describe('acr and amr together', () => {
    const requirement = { acr: ['loa2'], amr: ['otp'] };

    it('accepts claims meeting both', () => {
      expect(meetsAssurance({ acr: 'loa2', amr: ['pwd', 'otp'] }, requirement)).toBe(true);
    });

    it.each<[string, { acr?: unknown; amr?: unknown }]>([
      ['acr only', { acr: 'loa2', amr: ['pwd'] }],
      ['amr only', { acr: 'loa1', amr: ['otp'] }],
      ['neither', { acr: 'loa1', amr: ['pwd'] }],
      ['no claims', {}],
    ])('refuses claims meeting %s', (_label, claims) => {
      expect(meetsAssurance(claims, requirement)).toBe(false);
    });
  });

  it.each<[string, { acr?: unknown; amr?: unknown }]>([
    ['no claims', {}],
    ['malformed claims', { acr: 1, amr: 'x' }],
    ['claims', { acr: 'loa2', amr: ['otp'] }],
  ])('lets %s through an empty requirement', (_label, claims) => {
    expect(meetsAssurance(claims, {})).toBe(true);
  });

  it('treats explicitly undefined requirements as absent', () => {
    expect(meetsAssurance({}, { acr: undefined, amr: undefined })).toBe(true);
  });
});

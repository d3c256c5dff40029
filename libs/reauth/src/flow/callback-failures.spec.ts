import { CALLBACK_FAILURES, providerFailure, type CallbackFailureCode } from './callback-failures';

describe('providerFailure', () => {
  // The user's side: the provider would not sign this user in.
  const USER_SIDE = [
    'login_required',
    'interaction_required',
    'consent_required',
    'account_selection_required',
    'unmet_authentication_requirements',
  ];
  // The provider's: its own errors, and unknown codes, other spellings and inherited names.
  const PROVIDER_SIDE = [
    'invalid_request',
    'unauthorized_client',
    'unsupported_response_type',
    'invalid_scope',
    'server_error',
    'temporarily_unavailable',
    'invalid_request_uri',
    'registration_not_supported',
    '',
    'LOGIN_REQUIRED',
    ' login_required',
    'login_required ',
    'toString',
    '__proto__',
  ];

  it.each([
    ...USER_SIDE.map((error) => [error, 'provider_refused'] as const),
    ...PROVIDER_SIDE.map((error) => [error, 'provider_error'] as const),
  ])('makes %p %s', (error, failure) => {
    expect(providerFailure(error)).toBe(failure);
  });

  it('maps to failures answered 401 (the user’s side) and 502 (the provider’s)', () => {
    expect(CALLBACK_FAILURES[providerFailure('login_required')].status).toBe(401);
    expect(CALLBACK_FAILURES[providerFailure('invalid_scope')].status).toBe(502);
  });
});

describe('CALLBACK_FAILURES', () => {
  const codes = Object.keys(CALLBACK_FAILURES) as CallbackFailureCode[];

  it('is frozen', () => {
    expect(Object.isFrozen(CALLBACK_FAILURES)).toBe(true);
  });

  it('lists exactly these codes', () => {
    expect(codes.sort()).toEqual(
      [
        'acr_missing',
        'acr_not_satisfied',
        'action_not_authorized',
        'auth_time_unknown',
        'claims_not_satisfied',
        'code_invalid',
        'code_missing',
        'invalid_callback',
        'issuer_mismatch',
        'max_age_not_satisfied',
        'max_age_refused',
        'provider_error',
        'provider_refused',
        'provider_token_invalid',
        'scope_not_satisfied',
        'session_conflict',
        'session_too_large',
        'state_expired',
        'state_invalid',
        'state_not_bound',
        'state_replayed',
        'too_many_sign_ins',
        'user_mismatch',
      ].sort(),
    );
  });

  it.each(Object.keys(CALLBACK_FAILURES) as CallbackFailureCode[])(
    '%s has an error status, a title and a message',
    (code) => {
      const { status, title, message } = CALLBACK_FAILURES[code];
      expect(Number.isInteger(status)).toBe(true);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(title.trim()).not.toBe('');
      expect(message.trim()).not.toBe('');
      // Shown on a page as they are: no markup, and sentences, not fragments.
      expect(`${title}${message}`).not.toMatch(/[<>]/);
      expect(message).toMatch(/[.!?]$/);
    },
  );

  it('answers the provider being at fault with 5xx, and the client with 4xx', () => {
    const serverSide = codes.filter((code) => CALLBACK_FAILURES[code].status >= 500).sort();
    expect(serverSide).toEqual([
      'acr_missing',
      'auth_time_unknown',
      'max_age_refused',
      'provider_error',
      'provider_token_invalid',
      'session_too_large',
    ]);
  });
});

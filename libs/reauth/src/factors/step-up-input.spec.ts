import {
  assertionResponse,
  bodyObject,
  clientChallenge,
  optionalString,
  passkeyName,
  registrationResponse,
} from './step-up-input';
import { StepUpRefusal } from './step-up.errors';

const clientData = (data: unknown) => Buffer.from(JSON.stringify(data)).toString('base64url');

const ASSERTION = {
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  clientExtensionResults: {},
  response: {
    clientDataJSON: clientData({ type: 'webauthn.get', challenge: 'Y2hhbGxlbmdl' }),
    authenticatorData: 'AAAA',
    signature: 'AAAA',
  },
};

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof StepUpRefusal) return `${error.getStatus()} ${error.code}`;
    throw error;
  }
  return undefined;
}

describe('what the page sends, checked before anything is looked up', () => {
  it('accepts a well-formed assertion and reads its challenge', () => {
    expect(assertionResponse(ASSERTION)).toBe(ASSERTION);
    expect(clientChallenge(ASSERTION)).toBe('Y2hhbGxlbmdl');
  });

  it.each([
    ['not an object', 'x'],
    ['an array', []],
    ['an id that is not base64url', { ...ASSERTION, id: 'a+b', rawId: 'a+b' }],
    ['a rawId unlike the id', { ...ASSERTION, rawId: 'AAED' }],
    ['another type', { ...ASSERTION, type: 'password' }],
    ['no extension results', { ...ASSERTION, clientExtensionResults: undefined }],
    [
      'an oversized signature',
      { ...ASSERTION, response: { ...ASSERTION.response, signature: 'A'.repeat(16_385) } },
    ],
    ['an oversized id', { ...ASSERTION, id: 'A'.repeat(1401), rawId: 'A'.repeat(1401) }],
    [
      'no authenticator data',
      { ...ASSERTION, response: { ...ASSERTION.response, authenticatorData: undefined } },
    ],
    [
      'a user handle that is not base64url',
      { ...ASSERTION, response: { ...ASSERTION.response, userHandle: '!' } },
    ],
  ])('refuses %s with a 400', (_, value) => {
    expect(refusal(() => assertionResponse(value))).toBe('400 invalid_request');
  });

  it('refuses client data that is not JSON, or has no plausible challenge', () => {
    for (const data of [
      'bm90IGpzb24',
      clientData({}),
      clientData({ challenge: 'a'.repeat(200) }),
    ]) {
      const credential = {
        ...ASSERTION,
        response: { ...ASSERTION.response, clientDataJSON: data },
      };
      expect(refusal(() => clientChallenge(credential))).toBe('400 invalid_request');
    }
  });

  it('checks a registration’s attestation and transports', () => {
    const registration = {
      ...ASSERTION,
      response: { clientDataJSON: ASSERTION.response.clientDataJSON, attestationObject: 'AAAA' },
    };
    expect(registrationResponse(registration)).toBe(registration);
    const bad = { ...registration, response: { ...registration.response, transports: [1] } };
    expect(refusal(() => registrationResponse(bad))).toBe('400 invalid_request');
    const many = {
      ...registration,
      response: { ...registration.response, transports: Array(9).fill('usb') },
    };
    expect(refusal(() => registrationResponse(many))).toBe('400 invalid_request');
  });

  it('takes a body object, optional strings within bounds, and passkey names people write', () => {
    expect(refusal(() => bodyObject(null))).toBe('400 invalid_request');
    expect(refusal(() => bodyObject([1]))).toBe('400 invalid_request');
    expect(optionalString({}, 'ticket', 10)).toBeUndefined();
    expect(refusal(() => optionalString({ ticket: '' }, 'ticket', 10))).toBe('400 invalid_request');
    expect(refusal(() => optionalString({ ticket: 'x'.repeat(11) }, 'ticket', 10))).toBe(
      '400 invalid_request',
    );
    expect(passkeyName('  Bob’s laptop 🔑 ')).toBe('Bob’s laptop 🔑');
    for (const name of ['', '   ', 'x'.repeat(65), 'tab\there', 7]) {
      expect(refusal(() => passkeyName(name))).toBe('400 invalid_request');
    }
  });
});

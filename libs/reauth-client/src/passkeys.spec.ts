import { startRegistration } from '@simplewebauthn/browser';
import {
  deletePasskey,
  enrolPasskey,
  listPasskeys,
  PasskeyRequestError,
  renamePasskey,
} from './index.js';

jest.mock('@simplewebauthn/browser', () => ({
  ...jest.requireActual<object>('@simplewebauthn/browser'),
  startRegistration: jest.fn(),
}));
const creationPrompt = jest.mocked(startRegistration);

const CREATION_OPTIONS = { challenge: 'Y2hhbGxlbmdl', rp: { name: 'App' }, user: { id: 'dQ' } };
const ATTESTATION = { id: 'cred-1', rawId: 'cred-1', type: 'public-key', response: {} };
const PASSKEY = {
  id: 'cred-1',
  name: 'Work laptop',
  createdAt: 1_765_000_000,
  deviceType: 'multiDevice',
  backedUp: true,
};

/** A server that answers each request with the next of `answers`, recording them. */
function server(...answers: Response[]) {
  const seen: { url: string; method: string; headers: Headers; body?: unknown }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(new URL(input as string, 'https://app.example'), init);
    const text = await request.text();
    seen.push({
      url: new URL(request.url).pathname,
      method: request.method,
      headers: request.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
    return answers.shift() ?? new Response(null, { status: 500 });
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('passkey management', () => {
  beforeEach(() => creationPrompt.mockReset().mockResolvedValue(ATTESTATION as never));

  it('enrols: options, the browser’s creation, then the result under its name', async () => {
    const { fetch, seen } = server(json(200, CREATION_OPTIONS), json(201, PASSKEY));
    await expect(enrolPasskey({ name: 'Work laptop', fetch })).resolves.toEqual(PASSKEY);
    expect(creationPrompt).toHaveBeenCalledWith({ optionsJSON: CREATION_OPTIONS });
    expect(seen.map(({ url, method, body }) => ({ url, method, body }))).toEqual([
      { url: '/auth/passkeys/registration/options', method: 'POST', body: {} },
      {
        url: '/auth/passkeys',
        method: 'POST',
        body: { name: 'Work laptop', response: ATTESTATION },
      },
    ]);
    expect(seen[0].headers.get('content-type')).toBe('application/json');
  });

  it('takes other paths and headers', async () => {
    const { fetch, seen } = server(json(200, CREATION_OPTIONS), json(201, PASSKEY));
    await enrolPasskey({
      name: 'Key',
      fetch,
      registrationOptionsPath: '/me/passkeys/options',
      passkeysPath: '/me/passkeys',
      headers: { authorization: 'Bearer t' },
    });
    expect(seen.map(({ url }) => url)).toEqual(['/me/passkeys/options', '/me/passkeys']);
    expect(seen.every(({ headers }) => headers.get('authorization') === 'Bearer t')).toBe(true);
  });

  it('rejects with the server’s error code and status, or passkey_cancelled', async () => {
    const refused = server(json(401, { statusCode: 401, error: 'reauth_required' }));
    await expect(enrolPasskey({ name: 'Key', fetch: refused.fetch })).rejects.toMatchObject({
      name: 'PasskeyRequestError',
      code: 'passkey_request_failed',
      reason: 'reauth_required',
      status: 401,
    });
    const dismissed = new Error('NotAllowedError');
    creationPrompt.mockRejectedValueOnce(dismissed);
    const { fetch, seen } = server(json(200, CREATION_OPTIONS));
    const error = await enrolPasskey({ name: 'Key', fetch }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PasskeyRequestError);
    expect(error).toMatchObject({ reason: 'passkey_cancelled', status: undefined });
    expect((error as Error).cause).toBe(dismissed);
    expect(seen).toHaveLength(1);
  });

  it('lists, renames and deletes', async () => {
    const { fetch, seen } = server(
      json(200, [PASSKEY]),
      new Response(null, { status: 204 }),
      new Response(null, { status: 204 }),
    );
    await expect(listPasskeys({ fetch })).resolves.toEqual([PASSKEY]);
    await renamePasskey('cred/1', 'Phone', { fetch });
    await deletePasskey('cred-1', { fetch });
    expect(seen.map(({ url, method, body }) => ({ url, method, body }))).toEqual([
      { url: '/auth/passkeys', method: 'GET', body: undefined },
      { url: '/auth/passkeys/cred%2F1', method: 'PATCH', body: { name: 'Phone' } },
      { url: '/auth/passkeys/cred-1', method: 'DELETE', body: undefined },
    ]);
  });

  it('rejects a list that is not one', async () => {
    const { fetch } = server(json(200, { nope: true }));
    await expect(listPasskeys({ fetch })).rejects.toMatchObject({ reason: 'unexpected_response' });
  });
});

import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { REDIRECT_URI } from '../support/emulator';

/** The malformed values every typed field is fed. */
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13, 'x'.repeat(5000)];

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** `api`: {code,message}; `oauth`: {error,error_description}; `html`: an error page. */
  shape: 'api' | 'oauth' | 'html';
}

const API_KEY = 'sk_test_local_demo';
const json = { 'content-type': 'application/json' };
const authed = { ...json, authorization: `Bearer ${API_KEY}` };
const authorize = (params: Record<string, string>) =>
  `/user_management/authorize?${new URLSearchParams(params).toString()}`;
const valid = {
  client_id: 'client_local_demo',
  redirect_uri: REDIRECT_URI,
  response_type: 'code',
  provider: 'authkit',
};

const CASES: Case[] = [
  {
    name: 'authorize without parameters',
    path: '/user_management/authorize',
    status: 400,
    shape: 'html',
  },
  {
    name: 'authorize with a repeated client_id',
    path: '/user_management/authorize?client_id=a&client_id=b',
    status: 400,
    shape: 'html',
  },
  {
    name: 'authorize with an unknown client_id',
    path: authorize({ ...valid, client_id: 'client_x' }),
    status: 400,
    shape: 'html',
  },
  {
    name: 'authorize without redirect_uri',
    path: authorize({ client_id: 'client_local_demo' }),
    status: 400,
    shape: 'html',
  },
  {
    name: 'authorize with an unregistered redirect_uri',
    path: authorize({ ...valid, redirect_uri: 'https://evil.example/cb' }),
    status: 400,
    shape: 'html',
  },
  {
    name: 'authorize with an oversized redirect_uri',
    path: authorize({ ...valid, redirect_uri: `${REDIRECT_URI}?${'a'.repeat(5000)}` }),
    status: 400,
    shape: 'html',
  },
  {
    name: 'sign-in page without a request',
    path: '/user_management/authorize/sign-in',
    status: 400,
    shape: 'html',
  },
  {
    name: 'sign-in page with an unknown request',
    path: '/user_management/authorize/sign-in?request=nope',
    status: 400,
    shape: 'html',
  },
  {
    name: 'sign-in page with a malformed request',
    path: '/user_management/authorize/sign-in?request=%3Cscript%3E',
    status: 400,
    shape: 'html',
  },
  {
    name: 'sign-in page with a repeated request',
    path: '/user_management/authorize/sign-in?request=a&request=b',
    status: 400,
    shape: 'html',
  },
  {
    name: 'cancel with an unknown request',
    path: '/user_management/authorize/cancel?request=nope',
    status: 400,
    shape: 'html',
  },
  ...['email', 'password', 'totp', 'sso'].flatMap((step): Case[] => [
    {
      name: `${step} step without a body`,
      method: 'POST',
      path: `/user_management/authorize/${step}`,
      status: 400,
      shape: 'html',
    },
    {
      name: `${step} step with an unknown request`,
      method: 'POST',
      path: `/user_management/authorize/${step}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'request=nope&email=a%40b.c',
      status: 400,
      shape: 'html',
    },
    {
      name: `${step} step with a JSON array body`,
      method: 'POST',
      path: `/user_management/authorize/${step}`,
      headers: json,
      body: '[1,2]',
      status: 400,
      shape: 'html',
    },
  ]),
  {
    name: 'authenticate without a body',
    method: 'POST',
    path: '/user_management/authenticate',
    status: 400,
    shape: 'oauth',
  },
  {
    name: 'authenticate with malformed JSON',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: '{"client_id":',
    status: 400,
    shape: 'api',
  },
  {
    name: 'authenticate with a JSON array',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: '[]',
    status: 400,
    shape: 'api',
  },
  {
    name: 'authenticate with an oversized body',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: JSON.stringify({ code: 'a'.repeat(100_000) }),
    status: 413,
    shape: 'api',
  },
  {
    name: 'authenticate with too many form parameters',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&'),
    status: 413,
    shape: 'api',
  },
  {
    name: 'authenticate with an unknown grant_type',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: authed,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      client_secret: API_KEY,
      grant_type: 'password',
    }),
    status: 400,
    shape: 'oauth',
  },
  {
    name: 'authenticate with an unknown code',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: authed,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      client_secret: API_KEY,
      grant_type: 'authorization_code',
      code: 'nope',
    }),
    status: 400,
    shape: 'oauth',
  },
  {
    name: 'authenticate with an unknown refresh token',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: authed,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      client_secret: API_KEY,
      grant_type: 'refresh_token',
      refresh_token: 'nope',
    }),
    status: 400,
    shape: 'oauth',
  },
  {
    name: 'authenticate with a malformed code_verifier',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      grant_type: 'authorization_code',
      code: 'abc',
      code_verifier: 'short',
    }),
    status: 400,
    shape: 'oauth',
  },
  {
    name: 'authenticate with a wrong client_secret',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      client_secret: 'sk_wrong',
      grant_type: 'authorization_code',
      code: 'abc',
    }),
    status: 401,
    shape: 'api',
  },
  {
    name: 'authenticate with a code but no credentials',
    method: 'POST',
    path: '/user_management/authenticate',
    headers: json,
    body: JSON.stringify({
      client_id: 'client_local_demo',
      grant_type: 'refresh_token',
      refresh_token: 'abc',
    }),
    status: 400,
    shape: 'oauth',
  },
  ...MALFORMED.flatMap((value): Case[] => [
    {
      name: `authenticate with client_id ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/user_management/authenticate',
      headers: authed,
      body: JSON.stringify({ client_id: value, grant_type: 'authorization_code', code: 'abc' }),
      status: 400,
      shape: 'oauth',
    },
    {
      name: `authenticate with grant_type ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/user_management/authenticate',
      headers: authed,
      body: JSON.stringify({ client_id: 'client_local_demo', grant_type: value }),
      status: 400,
      shape: 'oauth',
    },
    {
      name: `authenticate with code ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/user_management/authenticate',
      headers: authed,
      body: JSON.stringify({
        client_id: 'client_local_demo',
        grant_type: 'authorization_code',
        code: value,
      }),
      status: 400,
      shape: 'oauth',
    },
    {
      name: `authenticate with refresh_token ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/user_management/authenticate',
      headers: authed,
      body: JSON.stringify({
        client_id: 'client_local_demo',
        grant_type: 'refresh_token',
        refresh_token: value,
      }),
      status: 400,
      shape: 'oauth',
    },
    {
      name: `revoke with session_id ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/user_management/sessions/revoke',
      headers: authed,
      body: JSON.stringify({ session_id: value }),
      status: typeof value === 'string' && value.length < 100 ? 404 : 422,
      shape: 'api',
    },
  ]),
  { name: 'JWKS of an unknown client', path: '/sso/jwks/client_other', status: 404, shape: 'api' },
  {
    name: 'JWKS with an oversized client id',
    path: `/sso/jwks/${'c'.repeat(5000)}`,
    status: 404,
    shape: 'api',
  },
  {
    name: 'user without an API key',
    path: '/user_management/users/user_01X',
    status: 401,
    shape: 'api',
  },
  {
    name: 'user with a wrong API key',
    path: '/user_management/users/user_01X',
    headers: { authorization: 'Bearer sk_wrong' },
    status: 401,
    shape: 'api',
  },
  {
    name: 'user with a malformed Authorization header',
    path: '/user_management/users/user_01X',
    headers: { authorization: 'Basic abc' },
    status: 401,
    shape: 'api',
  },
  {
    name: 'user with a malformed id',
    path: '/user_management/users/%3Cscript%3E',
    headers: authed,
    status: 404,
    shape: 'api',
  },
  {
    name: 'revoke without an API key',
    method: 'POST',
    path: '/user_management/sessions/revoke',
    headers: json,
    body: '{"session_id":"session_01X"}',
    status: 401,
    shape: 'api',
  },
  {
    name: 'revoke without session_id',
    method: 'POST',
    path: '/user_management/sessions/revoke',
    headers: authed,
    body: '{}',
    status: 422,
    shape: 'api',
  },
  {
    name: 'logout without session_id',
    path: '/user_management/sessions/logout',
    status: 400,
    shape: 'html',
  },
  {
    name: 'logout with a repeated session_id',
    path: '/user_management/sessions/logout?session_id=a&session_id=b',
    status: 400,
    shape: 'html',
  },
  {
    name: 'logout with a return_to that is not a URL',
    path: '/user_management/sessions/logout?session_id=session_01X&return_to=%2F%2F',
    status: 400,
    shape: 'html',
  },
  {
    name: 'logout to a foreign origin',
    path: '/user_management/sessions/logout?session_id=session_01X&return_to=https%3A%2F%2Fevil.example%2F',
    status: 400,
    shape: 'html',
  },
  ...MALFORMED.flatMap((value): Case[] => [
    {
      name: `clock advance by ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/__emulator/clock',
      headers: json,
      body: JSON.stringify({ advanceSeconds: value }),
      status: 422,
      shape: 'api',
    },
    {
      name: `mint with authTime ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/__emulator/access-tokens',
      headers: json,
      body: JSON.stringify({ email: 'alice@example.com', authTime: value }),
      status: 422,
      shape: 'api',
    },
    {
      name: `mint with email ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/__emulator/access-tokens',
      headers: json,
      body: JSON.stringify({ email: value, authTime: 1 }),
      status: typeof value === 'string' && value.length < 100 ? 404 : 422,
      shape: 'api',
    },
    {
      name: `settings with ignoreMaxAge ${JSON.stringify(value).slice(0, 20)}`,
      method: 'POST',
      path: '/__emulator/settings',
      headers: json,
      body: JSON.stringify({ ignoreMaxAge: value }),
      status: value === true ? 200 : 422,
      shape: 'api',
    },
  ]),
  {
    name: 'mint with claims that are not an object',
    method: 'POST',
    path: '/__emulator/access-tokens',
    headers: json,
    body: JSON.stringify({ email: 'alice@example.com', authTime: 1, claims: [1] }),
    status: 422,
    shape: 'api',
  },
  {
    name: 'clock advance without a body',
    method: 'POST',
    path: '/__emulator/clock',
    status: 400,
    shape: 'api',
  },
  { name: 'an unknown path', path: '/nope', status: 404, shape: 'api' },
];

describe('AuthKit emulator: malformed input always gets a WorkOS-shaped 4xx', () => {
  let emulator: AuthKitEmulator;
  const logged: string[] = [];

  beforeAll(async () => {
    emulator = await startAuthKitEmulator({
      port: 0,
      testControls: true,
      log: (line) => logged.push(line),
    });
  });
  afterAll(() => emulator.close());

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await fetch(`${emulator.url}${c.path}`, {
      method: c.method ?? 'GET',
      headers: c.headers,
      body: c.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    expect({ status: res.status, text: text.slice(0, 200) }).toMatchObject({ status: c.status });
    if (c.status === 200) return;
    if (c.shape === 'html') {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(text).toMatch(/<code>[a-z_]+<\/code>|role="alert"/);
      return;
    }
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    if (c.shape === 'oauth') {
      expect(body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
    } else {
      expect(body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
  });

  it('sends authorization errors back to a registered redirect_uri with the state', async () => {
    const bad: Record<string, string>[] = [
      { response_type: 'token' },
      { provider: 'google' },
      { max_age: '-1' },
      { max_age: 'abc' },
      { max_age: '1.5' },
      { max_age: '1e3' },
      { prompt: 'bogus' },
      { code_challenge: 'short', code_challenge_method: 'S256' },
      { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
      { login_hint: `${'a'.repeat(400)}@x.io` },
    ];
    for (const params of bad) {
      const res = await fetch(
        `${emulator.url}${authorize({ ...valid, state: 'keep', ...params })}`,
        {
          redirect: 'manual',
        },
      );
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toMatch(
        /^(invalid_request|unsupported_response_type)$/,
      );
      expect(location.searchParams.get('state')).toBe('keep');
    }
  });

  it('never logs query strings, codes or tokens', () => {
    expect(logged.length).toBeGreaterThan(CASES.length / 2);
    for (const line of logged) expect(line).toMatch(/^[A-Z]+ \/[^?\s]* \d{3}$/);
  });

  it('serves no test controls unless they are turned on', async () => {
    const plain = await startAuthKitEmulator({ port: 0 });
    try {
      for (const path of [
        '/__emulator/clock',
        '/__emulator/access-tokens',
        '/__emulator/authorization-codes',
        '/__emulator/rotate-keys',
      ]) {
        const res = await fetch(`${plain.url}${path}`, { method: 'POST' });
        expect(res.status).toBe(404);
      }
    } finally {
      await plain.close();
    }
  });
});

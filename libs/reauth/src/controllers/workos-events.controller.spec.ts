import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { FunctionReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { HttpResponses } from '../http/http-responses';
import type { ProviderSignalSettings } from '../options/reauth-settings';
import type { IdentityProvider } from '../providers/identity-provider';
import { WORKOS_EVENT_ID_TTL_SECONDS } from '../providers/workos/workos-events';
import type { ProviderEndedSessions, ProviderSignals } from '../authentication/provider-signals';
import { WorkosEventsController } from './workos-events.controller';

const SECRET = 'whsec_unit_0123456789abcdef';
const NOW_MS = 1_800_000_000_000;

/** What the controller wrote through `HttpResponses`. */
interface Written {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

/** The controller with fakes around it: a provider, the signals, the responses. */
function harness(
  setup: {
    dependency?: string;
    secret?: string | null;
    address?: string | null;
    withinLimit?: () => Promise<boolean>;
    endOnce?: () => Promise<boolean>;
  } = {},
) {
  const calls = {
    refused: [] as string[],
    limited: [] as string[],
    ended: [] as [string, number, ProviderEndedSessions][],
  };
  const signals = {
    refused: (_signal: string, reason: string) => calls.refused.push(reason),
    withinLimit: (_signal: string, address: string) => {
      calls.limited.push(address);
      return setup.withinLimit?.() ?? Promise.resolve(true);
    },
    endOnce: (id: string, ttl: number, ended: ProviderEndedSessions) => {
      calls.ended.push([id, ttl, ended]);
      return setup.endOnce?.() ?? Promise.resolve(true);
    },
  };
  const written: Written = { headers: {} };
  const responses = {
    setHeaders: (_response: unknown, headers: Record<string, string>) =>
      Object.assign(written.headers, headers),
    json: (_response: unknown, status: number, body: Record<string, unknown>) =>
      Object.assign(written, { status, body }),
  };
  const controller = new WorkosEventsController(
    signals as unknown as ProviderSignals,
    {
      providerSignals: {
        workosWebhookSecret: setup.secret === null ? undefined : (setup.secret ?? SECRET),
      },
      clientAddress: () => (setup.address === null ? undefined : (setup.address ?? '192.0.2.7')),
    } as unknown as ProviderSignalSettings,
    { dependency: setup.dependency ?? 'workos' } as IdentityProvider,
    new FunctionReauthClock(() => NOW_MS),
    responses as unknown as HttpResponses,
  );
  const post = async (
    body: string | undefined,
    headers: Record<string, string | undefined> = {},
    t = NOW_MS,
  ): Promise<Written> => {
    const signature =
      body === undefined
        ? undefined
        : `t=${t}, v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`;
    await controller.receive(
      {
        method: 'POST',
        url: '/auth/workos/events',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body ?? '')),
          'workos-signature': signature,
          ...headers,
        },
        rawBody: body === undefined ? undefined : Buffer.from(body),
      },
      {},
    );
    return written;
  };
  return { post, calls };
}

const event = (name: string, id: string) =>
  JSON.stringify({
    id: 'event_01UNIT',
    event: name,
    data: { object: name.split('.')[0], id },
    created_at: new Date(NOW_MS - 2000).toISOString(),
  });

describe('WorkosEventsController', () => {
  it('ends the session of a session.revoked, once per event id, answering 200 and no-store', async () => {
    const { post, calls } = harness();
    const written = await post(event('session.revoked', 'session_01A'));
    expect(written).toMatchObject({
      status: 200,
      body: { received: true },
      headers: { 'Cache-Control': 'no-store' },
    });
    expect(calls.ended).toEqual([
      [
        'event_01UNIT',
        WORKOS_EVENT_ID_TTL_SECONDS,
        { signal: 'workos_event', sessionIds: ['session_01A'] },
      ],
    ]);
    expect(calls.refused).toEqual([]);
  });

  it('ends every session of a deleted user signed in up to the event', async () => {
    const { post, calls } = harness();
    expect((await post(event('user.deleted', 'user_01A'))).status).toBe(200);
    expect(calls.ended[0][2]).toEqual({
      signal: 'workos_event',
      user: { id: 'user_01A', before: NOW_MS / 1000 - 2 },
    });
  });

  it('answers a replayed event id 200, as the first delivery', async () => {
    const { post } = harness({ endOnce: () => Promise.resolve(false) });
    expect(await post(event('session.revoked', 'session_01A'))).toMatchObject({
      status: 200,
      body: { received: true },
    });
  });

  it('answers other events 200 and ends nothing', async () => {
    const { post, calls } = harness();
    expect((await post(event('user.created', 'user_01A'))).status).toBe(200);
    expect(calls.ended).toEqual([]);
  });

  it.each([
    ['another provider', { dependency: 'oidc' }],
    ['no secret', { secret: null }],
  ] as const)('is not there (404) with %s, and counts nothing', async (_case, setup) => {
    const { post, calls } = harness(setup);
    expect(await post(event('session.revoked', 'session_01A'))).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(calls).toEqual({ refused: [], limited: [], ended: [] });
  });

  it('refuses with the reason, counted and with its status, and ends nothing', async () => {
    const cases: [Parameters<ReturnType<typeof harness>['post']>, number, string][] = [
      [
        [event('session.revoked', 's'), { 'workos-signature': undefined }],
        400,
        'signature_missing',
      ],
      [[event('session.revoked', 's'), {}, NOW_MS - 181_000], 400, 'timestamp_stale'],
      [[event('session.revoked', 's'), {}, NOW_MS + 181_000], 400, 'timestamp_in_future'],
      [
        [event('session.revoked', 's'), { 'content-type': 'text/plain' }],
        415,
        'unsupported_media_type',
      ],
      [['x'.repeat(70_000)], 413, 'payload_too_large'],
      [['{"id":'], 400, 'not_json'],
      [['{}'], 400, 'malformed_event'],
    ];
    for (const [args, status, error] of cases) {
      const { post, calls } = harness();
      expect(await post(...args)).toMatchObject({
        status,
        body: { statusCode: status, error, message: expect.any(String) as string },
        headers: { 'Cache-Control': 'no-store' },
      });
      expect([error, calls.refused, calls.ended]).toEqual([error, [error], []]);
    }
  });

  it('says once how to keep the raw body, refusing every delivery without it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { post, calls } = harness();
      const body = event('session.revoked', 'session_01A');
      const noRawBody = { 'content-length': String(body.length) };
      for (let i = 0; i < 2; i++) {
        const written = await post(undefined, noRawBody);
        expect([written.status, written.body?.error]).toEqual([400, 'raw_body_missing']);
      }
      expect(calls.refused).toEqual(['raw_body_missing', 'raw_body_missing']);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('NestFactory.create(AppModule, { rawBody: true })'),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 429 with Retry-After past the limit, before reading the delivery', async () => {
    const { post, calls } = harness({ withinLimit: () => Promise.resolve(false) });
    expect(await post(undefined, { 'workos-signature': 'junk' })).toMatchObject({
      status: 429,
      body: { error: 'too_many_requests' },
      headers: { 'Retry-After': '60' },
    });
    expect(calls.limited).toEqual(['192.0.2.7']);
    expect(calls.refused).toEqual(['too_many_requests']);
  });

  it('does not count deliveries whose address is unknown', async () => {
    const { post, calls } = harness({ address: null });
    expect((await post(event('session.revoked', 'session_01A'))).status).toBe(200);
    expect(calls.limited).toEqual([]);
  });

  it.each([
    ['counting', { withinLimit: () => Promise.reject(new ReauthUnavailableException('store')) }],
    [
      'recording the end',
      { endOnce: () => Promise.reject(new ReauthUnavailableException('store')) },
    ],
  ])('answers 503 with Retry-After when the store fails while %s', async (_case, setup) => {
    const { post, calls } = harness(setup);
    expect(await post(event('session.revoked', 'session_01A'))).toMatchObject({
      status: 503,
      body: { error: 'temporarily_unavailable' },
      headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
    });
    expect(calls.refused).toEqual(['store_unavailable']);
  });

  it('lets any other failure through to the app’s exception handling', async () => {
    const { post } = harness({ endOnce: () => Promise.reject(new TypeError('bug')) });
    await expect(post(event('session.revoked', 'session_01A'))).rejects.toThrow('bug');
  });
});

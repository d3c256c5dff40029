import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  eventOf,
  MAX_WORKOS_EVENT_BYTES,
  readWorkOSEvent,
  WORKOS_EVENT_ID_TTL_SECONDS,
  WORKOS_EVENT_REFUSALS,
  WORKOS_EVENT_TOLERANCE_SECONDS,
  type WorkOSEventRefusal,
} from './workos-events';

const SECRET = 'whsec-test-secret-of-some-length';
const NOW_MS = 1_767_000_000_000;
const NOW = NOW_MS / 1000;
const CREATED_AT = new Date(NOW_MS - 5000).toISOString();

const sessionRevoked = {
  id: 'event_01SESSIONREVOKED',
  event: 'session.revoked',
  data: { object: 'session', id: 'session_01ABC', user_id: 'user_01ABC', status: 'revoked' },
  created_at: CREATED_AT,
};

function delivery(
  body: string | Buffer | undefined,
  headers: IncomingHttpHeaders = {},
  t = NOW_MS,
): { headers: IncomingHttpHeaders; rawBody: unknown } {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const signature =
    bytes === undefined
      ? undefined
      : `t=${t}, v1=${createHmac('sha256', SECRET).update(`${t}.`).update(bytes).digest('hex')}`;
  return {
    headers: {
      'content-type': 'application/json',
      'content-length': String(bytes?.length ?? 0),
      ...(signature ? { 'workos-signature': signature } : {}),
      ...headers,
    },
    rawBody: bytes,
  };
}

const read = (d: ReturnType<typeof delivery>) =>
  readWorkOSEvent(d, { secret: SECRET, nowMs: NOW_MS });

describe('readWorkOSEvent', () => {
  it('reads a signed session.revoked as the end of its session', () => {
    expect(read(delivery(JSON.stringify(sessionRevoked)))).toEqual({
      id: 'event_01SESSIONREVOKED',
      name: 'session.revoked',
      ended: { sessionIds: ['session_01ABC'] },
    });
  });

  it('reads a raw body given as a string as its UTF-8 bytes', () => {
    const signed = delivery(JSON.stringify(sessionRevoked));
    expect(read({ ...signed, rawBody: (signed.rawBody as Buffer).toString() })).toMatchObject({
      name: 'session.revoked',
    });
  });

  it('accepts application/json with parameters and +json types, and refuses others with 415', () => {
    const body = JSON.stringify(sessionRevoked);
    for (const type of [
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/x+json',
    ]) {
      expect(read(delivery(body, { 'content-type': type }))).toMatchObject({
        id: sessionRevoked.id,
      });
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      expect(read(delivery(body, { 'content-type': type }))).toBe('unsupported_media_type');
    }
  });

  it('says the raw body is missing when a body came but the app kept no bytes of it', () => {
    const signed = delivery(JSON.stringify(sessionRevoked));
    for (const rawBody of [undefined, null, {}, sessionRevoked, Buffer.alloc(0), '']) {
      expect(read({ ...signed, rawBody })).toBe('raw_body_missing');
    }
    expect(
      read({
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        rawBody: undefined,
      }),
    ).toBe('raw_body_missing');
  });

  it('refuses an empty body as not JSON, not as a missing raw body', () => {
    expect(read(delivery(undefined))).toBe('not_json');
    expect(read({ headers: { 'content-type': 'application/json' }, rawBody: undefined })).toBe(
      'not_json',
    );
  });

  it('refuses a body over the limit before checking its signature', () => {
    const padding = 'x'.repeat(MAX_WORKOS_EVENT_BYTES);
    const big = delivery(JSON.stringify({ ...sessionRevoked, padding }));
    expect(read(big)).toBe('payload_too_large');
    expect(read({ ...big, headers: { ...big.headers, 'workos-signature': undefined } })).toBe(
      'payload_too_large',
    );
    const exact = Buffer.alloc(MAX_WORKOS_EVENT_BYTES, ' ');
    Buffer.from(JSON.stringify(sessionRevoked)).copy(exact);
    expect(read(delivery(exact))).toMatchObject({ id: sessionRevoked.id });
  });

  it('refuses a signature that fails, with its reason, before reading the JSON', () => {
    const body = JSON.stringify(sessionRevoked);
    expect(read(delivery(body, { 'workos-signature': undefined }))).toBe('signature_missing');
    expect(read(delivery(body, { 'workos-signature': 't=1' }))).toBe('signature_malformed');
    const tolerance = WORKOS_EVENT_TOLERANCE_SECONDS * 1000;
    expect(read(delivery(body, {}, NOW_MS - tolerance - 1))).toBe('timestamp_stale');
    expect(read(delivery(body, {}, NOW_MS + tolerance + 1))).toBe('timestamp_in_future');
    const other = delivery(body.replace('session_01ABC', 'session_01XYZ'));
    expect(read({ ...delivery(body), rawBody: other.rawBody })).toBe('signature_mismatch');
    expect(read(delivery('not json at all', { 'workos-signature': 't=1' }))).toBe(
      'signature_malformed',
    );
  });

  it('refuses a signed body that is not JSON, or not UTF-8', () => {
    for (const body of ['not json', '{"id":', Buffer.from([0x7b, 0xff, 0x7d])]) {
      expect(read(delivery(body))).toBe('not_json');
    }
  });

  it('refuses signed JSON that is not an event', () => {
    const malformed: unknown[] = [
      [],
      'event',
      1,
      null,
      { ...sessionRevoked, id: undefined },
      { ...sessionRevoked, id: 'event with spaces' },
      { ...sessionRevoked, id: 'e'.repeat(129) },
      { ...sessionRevoked, id: 7 },
      { ...sessionRevoked, event: undefined },
      { ...sessionRevoked, event: 'Session.Revoked' },
      { ...sessionRevoked, event: ['session.revoked'] },
      { ...sessionRevoked, created_at: 'yesterday' },
      { ...sessionRevoked, created_at: 1_767_000_000 },
      { ...sessionRevoked, data: undefined },
      { ...sessionRevoked, data: [] },
      { ...sessionRevoked, data: 'session_01ABC' },
      { ...sessionRevoked, data: { id: undefined } },
      { ...sessionRevoked, data: { id: 'session/../x' } },
      { ...sessionRevoked, data: { id: '' } },
      { ...sessionRevoked, event: 'user.deleted', data: { id: 42 } },
    ];
    for (const value of malformed) {
      expect([value, read(delivery(JSON.stringify(value) ?? 'null'))]).toEqual([
        value,
        'malformed_event',
      ]);
    }
  });
});

describe('eventOf', () => {
  it('ends every session of a deleted user signed in at or before the event', () => {
    expect(
      eventOf(
        {
          id: 'event_01USERDELETED',
          event: 'user.deleted',
          data: { object: 'user', id: 'user_01ABC', email: 'alice@example.com' },
          created_at: '2025-12-29T09:19:50.900Z',
        },
        NOW,
      ),
    ).toEqual({
      id: 'event_01USERDELETED',
      name: 'user.deleted',
      ended: { user: { id: 'user_01ABC', before: NOW - 10 } },
    });
  });

  it('never ends sessions signed in after now, whatever the event’s date', () => {
    const future = new Date((NOW + 3600) * 1000).toISOString();
    expect(
      eventOf(
        { id: 'event_1', event: 'user.deleted', data: { id: 'user_1' }, created_at: future },
        NOW,
      ),
    ).toMatchObject({ ended: { user: { id: 'user_1', before: NOW } } });
  });

  it('ends nothing for other events, whatever their data', () => {
    for (const name of ['session.created', 'user.updated', 'dsync.user.deleted', 'x']) {
      expect(
        eventOf(
          { id: 'event_1', event: name, data: { anything: true }, created_at: CREATED_AT },
          NOW,
        ),
      ).toEqual({ id: 'event_1', name });
    }
  });
});

describe('the refusals', () => {
  it('answer 4xx, with a message that names no secret', () => {
    for (const [code, { status, message }] of Object.entries(WORKOS_EVENT_REFUSALS)) {
      expect([code, status >= 400 && status < 500]).toEqual([code, true]);
      expect(message).not.toMatch(/whsec|secret:/i);
    }
    const statuses = Object.fromEntries(
      Object.entries(WORKOS_EVENT_REFUSALS).map(([code, { status }]) => [code, status]),
    ) as Record<WorkOSEventRefusal, number>;
    expect(statuses).toMatchObject({
      payload_too_large: 413,
      too_many_requests: 429,
      unsupported_media_type: 415,
      raw_body_missing: 400,
      signature_mismatch: 400,
    });
  });

  it('remember an event id for as long as a signed copy of it is accepted', () => {
    expect(WORKOS_EVENT_ID_TTL_SECONDS).toBeGreaterThan(2 * WORKOS_EVENT_TOLERANCE_SECONDS);
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { WorkOS } from '@workos-inc/node';
import { EmulatorClock } from './clock';
import {
  parseWebhookEndpoint,
  signWebhook,
  WEBHOOK_EVENTS,
  WebhookDispatcher,
  type WebhookDeliverySettings,
} from './webhooks';

const SECRET = 'a-webhook-secret-for-tests';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const eventName = (received: Received) => (JSON.parse(received.body) as { event: string }).event;

/** A receiver on 127.0.0.1 that answers each delivery with the next status of `statuses`. */
async function receiver(statuses: number[]): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('signWebhook', () => {
  it('signs as WorkOS does: the SDK verifies it over the raw body', async () => {
    const body = JSON.stringify({
      id: 'event_01',
      event: 'user.deleted',
      data: { object: 'user', id: 'user_01', email: 'a@example.com' },
      created_at: new Date().toISOString(),
    });
    const header = signWebhook(body, SECRET, Date.now());
    expect(header).toMatch(/^t=\d{13}, v1=[0-9a-f]{64}$/);
    const event = await new WorkOS('sk_test_x').webhooks.constructEvent({
      payload: body,
      sigHeader: header,
      secret: SECRET,
    });
    expect(event).toMatchObject({ id: 'event_01', event: 'user.deleted', data: { id: 'user_01' } });
    await expect(
      new WorkOS('sk_test_x').webhooks.constructEvent({
        payload: body,
        sigHeader: header,
        secret: 'another-secret',
      }),
    ).rejects.toThrow('Signature hash does not match');
  });
});

describe('parseWebhookEndpoint', () => {
  it('keeps a valid endpoint, normalising its URL and events', () => {
    expect(
      parseWebhookEndpoint(
        { url: 'http://localhost:3000/auth/workos/events', secret: SECRET },
        'webhooks[0]',
      ),
    ).toEqual({ url: 'http://localhost:3000/auth/workos/events', secret: SECRET });
    expect(
      parseWebhookEndpoint(
        { url: 'https://x.example', secret: 's', events: ['user.deleted', 'user.deleted'] },
        'w',
      ),
    ).toEqual({ url: 'https://x.example/', secret: 's', events: ['user.deleted'] });
  });

  it.each([-1, null, '1', [], true, 1.5])('refuses %p as an endpoint', (value) => {
    expect(() => parseWebhookEndpoint(value, 'webhooks[0]')).toThrow(
      'webhooks[0] must be an object',
    );
  });

  it('names the field it refuses', () => {
    const valid = { url: 'http://127.0.0.1:1/e', secret: SECRET };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...valid, url: '/relative' }, /w\.url must be an absolute http\(s\) URL/],
      [{ ...valid, url: 'ftp://x/e' }, /w\.url/],
      [{ ...valid, url: 42 }, /w\.url/],
      [{ ...valid, url: `http://x/${'a'.repeat(2048)}` }, /w\.url/],
      [{ ...valid, secret: '' }, /w\.secret must be a non-empty string/],
      [{ ...valid, secret: 7 }, /w\.secret/],
      [{ ...valid, secret: 's'.repeat(1025) }, /w\.secret/],
      [{ ...valid, events: [] }, /w\.events must be a non-empty array/],
      [{ ...valid, events: ['session.created'] }, /w\.events/],
      [{ ...valid, events: 'user.deleted' }, /w\.events/],
      [{ ...valid, retries: 3 }, /w: unknown field "retries"/],
    ];
    for (const [input, message] of cases) {
      expect(() => parseWebhookEndpoint(input, 'w')).toThrow(message);
    }
  });
});

describe('WebhookDispatcher', () => {
  const settings: WebhookDeliverySettings = {
    retryDelaysMs: [5, 5],
    timeoutMs: 2000,
    log: () => undefined,
  };
  let now: number;
  let clock: EmulatorClock;
  let dispatcher: WebhookDispatcher | undefined;

  beforeEach(() => {
    now = 1_767_000_000_000;
    clock = new EmulatorClock(() => now);
  });
  afterEach(() => dispatcher?.close());

  it('returns the event at once and delivers it in the background, signed at the clock’s time', async () => {
    const target = await receiver([]);
    try {
      dispatcher = new WebhookDispatcher(clock, settings, [{ url: target.url, secret: SECRET }]);
      const event = dispatcher.send('session.revoked', { object: 'session', id: 'session_1' });
      expect(event).toEqual({
        id: expect.stringMatching(/^event_01[0-9A-Z]{24}$/),
        event: 'session.revoked',
        data: { object: 'session', id: 'session_1' },
        created_at: new Date(now).toISOString(),
      });
      expect(target.received).toEqual([]);
      expect(dispatcher.deliveries()).toMatchObject([{ state: 'pending', attempts: [] }]);

      const [delivery] = await dispatcher.settled();
      expect(delivery).toMatchObject({
        state: 'delivered',
        eventId: event.id,
        event: 'session.revoked',
        url: target.url,
        attempts: [{ at: new Date(now).toISOString(), status: 200 }],
      });
      const [{ headers, body }] = target.received;
      expect(JSON.parse(body)).toEqual(event);
      expect(headers['content-type']).toBe('application/json');
      expect(headers['workos-signature']).toBe(signWebhook(body, SECRET, now));
    } finally {
      await target.close();
    }
  });

  it('retries a non-2xx answer after each delay, then gives up', async () => {
    const target = await receiver([500, 302, 503]);
    const log: string[] = [];
    try {
      dispatcher = new WebhookDispatcher(clock, { ...settings, log: (l) => log.push(l) }, [
        { url: `${target.url}?token=hidden`, secret: SECRET },
      ]);
      dispatcher.send('user.deleted', { id: 'user_1' });
      const [delivery] = await dispatcher.settled();
      expect(delivery.state).toBe('failed');
      expect(delivery.attempts.map((a) => a.status)).toEqual([500, 302, 503]);
      expect(target.received).toHaveLength(3);
      expect(log).toEqual([
        `webhook user.deleted ${target.url} 500`,
        `webhook user.deleted ${target.url} 302`,
        `webhook user.deleted ${target.url} 503`,
      ]);
    } finally {
      await target.close();
    }
  });

  it('stops retrying once an attempt is answered with a 2xx', async () => {
    const target = await receiver([502, 204]);
    try {
      dispatcher = new WebhookDispatcher(clock, settings, [{ url: target.url, secret: SECRET }]);
      dispatcher.send('user.deleted', { id: 'user_1' });
      const [delivery] = await dispatcher.settled();
      expect(delivery).toMatchObject({ state: 'delivered' });
      expect(delivery.attempts.map((a) => a.status)).toEqual([502, 204]);
    } finally {
      await target.close();
    }
  });

  it('records why an endpoint that does not answer failed', async () => {
    const target = await receiver([]);
    const url = target.url;
    await target.close();
    dispatcher = new WebhookDispatcher(clock, settings, [{ url, secret: SECRET }]);
    dispatcher.send('session.revoked', { id: 'session_1' });
    const [delivery] = await dispatcher.settled();
    expect(delivery.state).toBe('failed');
    expect(delivery.attempts).toHaveLength(3);
    expect(delivery.attempts[0].error).toBe('ECONNREFUSED');
    expect(delivery.attempts[0].status).toBeUndefined();
  });

  it('sends each endpoint only the events it receives, and forgets a removed endpoint', async () => {
    const sessions = await receiver([]);
    const users = await receiver([]);
    try {
      dispatcher = new WebhookDispatcher(clock, settings, [
        { url: sessions.url, secret: SECRET, events: ['session.revoked'] },
      ]);
      const usersId = dispatcher.addEndpoint({ url: users.url, secret: SECRET });
      expect(dispatcher.endpoints()).toEqual([
        { id: expect.stringMatching(/^we_/), url: sessions.url, events: ['session.revoked'] },
        { id: usersId, url: users.url, events: [...WEBHOOK_EVENTS] },
      ]);
      expect(JSON.stringify(dispatcher.endpoints())).not.toContain(SECRET);
      dispatcher.send('user.deleted', { id: 'user_1' });
      dispatcher.send('session.revoked', { id: 'session_1' });
      await dispatcher.settled();
      expect(sessions.received.map(eventName)).toEqual(['session.revoked']);
      expect(users.received.map(eventName).sort()).toEqual(['session.revoked', 'user.deleted']);
      expect(dispatcher.removeEndpoint(usersId)).toBe(true);
      expect(dispatcher.removeEndpoint(usersId)).toBe(false);
      dispatcher.send('user.deleted', { id: 'user_2' });
      expect(await dispatcher.settled()).toHaveLength(3);
    } finally {
      await sessions.close();
      await users.close();
    }
  });

  it('ends pending deliveries as failed on close, and settles', async () => {
    const target = await receiver([500, 500, 500]);
    try {
      dispatcher = new WebhookDispatcher(clock, { ...settings, retryDelaysMs: [60_000] }, [
        { url: target.url, secret: SECRET },
      ]);
      dispatcher.send('user.deleted', { id: 'user_1' });
      const settled = dispatcher.settled();
      dispatcher.close();
      expect((await settled).map((d) => d.state)).toEqual(['failed']);
      expect(dispatcher.send('user.deleted', { id: 'user_2' }).event).toBe('user.deleted');
      expect(dispatcher.deliveries()).toHaveLength(1);
    } finally {
      await target.close();
    }
  });
});

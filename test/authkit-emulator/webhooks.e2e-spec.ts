import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type AuthKitEmulator } from 'authkit-emulator';
import { NotFoundException, OauthException, type WorkOS } from '@workos-inc/node';
import { REDIRECT_URI, signInThroughPages, startEmulatorWithSdk } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';

const SECRET = 'whsec_emulator_test_0123456789';
/** The emulator's frozen clock, on a whole second, so that times in ms and in s compare. */
const FROZEN_MS = Math.floor(Date.now() / 1000) * 1000;
const ALICE = { email: 'alice@example.com', password: 'alice-password' };

/** The id of the object an event is about. */
const dataId = (event: { data: unknown }) => (event.data as { id: string }).id;

interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
  /** Statuses to answer with, in order; 200 once they run out. */
  statuses: number[];
  /** While set, deliveries wait for it before they are answered. */
  hold?: Promise<void>;
  close(): Promise<void>;
}

/** An app's webhook endpoint, on 127.0.0.1: it records what it gets and answers as told. */
async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    statuses: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      void Promise.resolve(receiver.hold).then(() => {
        res.statusCode = receiver.statuses.shift() ?? 200;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/workos/events`;
  return receiver;
}

describe('AuthKit emulator: session and user events to webhook endpoints', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  let receiver: Receiver;

  const signIn = async (credentials = ALICE) => {
    const browser = new HttpBrowser();
    const url = workos.userManagement.getAuthorizationUrl({
      provider: 'authkit',
      clientId: emulator.clientId,
      redirectUri: REDIRECT_URI,
    });
    const callback = await signInThroughPages(browser, url, credentials, emulator);
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code: callback.searchParams.get('code')!,
    });
    const { sid } = JSON.parse(
      Buffer.from(auth.accessToken.split('.')[1], 'base64url').toString(),
    ) as { sid: string };
    return { ...auth, sid, browser };
  };

  /** What the endpoint received, verified and read by the SDK as an app would. */
  const verifiedEvents = () =>
    Promise.all(
      receiver.received.map(({ headers, body }) =>
        workos.webhooks.constructEvent({
          payload: body,
          sigHeader: headers['workos-signature'] as string,
          secret: SECRET,
        }),
      ),
    );

  beforeEach(async () => {
    receiver = await startReceiver();
    ({ emulator, workos } = await startEmulatorWithSdk({
      webhooks: [{ url: receiver.url, secret: SECRET }],
      webhookRetryDelaysMs: [10, 10],
      now: () => FROZEN_MS,
    }));
  });
  afterEach(async () => {
    await emulator.close();
    await receiver.close();
  });

  it('sends session.revoked, signed as WorkOS does, when the SDK revokes a session, without making the call wait', async () => {
    const { sid, user } = await signIn();
    let release!: () => void;
    receiver.hold = new Promise((resolve) => (release = resolve));

    await workos.userManagement.revokeSession({ sessionId: sid });
    // The API call returned while the endpoint still holds the delivery.
    expect(emulator.webhookDeliveries()).toMatchObject([{ state: 'pending' }]);
    release();

    const [delivery] = await emulator.webhooksSettled();
    expect(delivery).toMatchObject({
      event: 'session.revoked',
      url: receiver.url,
      state: 'delivered',
      attempts: [{ status: 200, at: new Date(emulator.now() * 1000).toISOString() }],
    });
    const [{ headers, body }] = receiver.received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['workos-signature']).toMatch(
      new RegExp(`^t=${emulator.now() * 1000}, v1=[0-9a-f]{64}$`),
    );
    const raw = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['created_at', 'data', 'event', 'id']);
    const [event] = await verifiedEvents();
    expect(event).toMatchObject({
      id: delivery.eventId,
      event: 'session.revoked',
      createdAt: new Date(emulator.now() * 1000).toISOString(),
      data: {
        object: 'session',
        id: sid,
        userId: user.id,
        organizationId: expect.stringMatching(/^org_/) as string,
        status: 'revoked',
        authMethod: 'password',
        endedAt: new Date(emulator.now() * 1000).toISOString(),
      },
    });
    await expect(
      workos.webhooks.constructEvent({
        payload: body,
        sigHeader: headers['workos-signature'] as string,
        secret: 'another-secret',
      }),
    ).rejects.toThrow('Signature hash does not match');
  });

  it('sends session.revoked when the browser signs out, and once only per session', async () => {
    const { sid, browser } = await signIn();
    const logout = workos.userManagement.getLogoutUrl({ sessionId: sid });
    expect((await browser.get(logout)).status).toBe(200);
    await workos.userManagement.revokeSession({ sessionId: sid });
    await expect(
      workos.userManagement.revokeSession({ sessionId: 'session_unknown' }),
    ).rejects.toBeInstanceOf(NotFoundException);
    const deliveries = await emulator.webhooksSettled();
    expect(deliveries.map((d) => d.event)).toEqual(['session.revoked']);
    expect((await verifiedEvents()).map(dataId)).toEqual([sid]);
  });

  it('sends session.revoked when a refresh for another organization ends the session', async () => {
    const { refreshToken, sid } = await signIn();
    await expect(
      workos.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken,
        organizationId: 'org_not_a_member',
      }),
    ).rejects.toBeInstanceOf(OauthException);
    await emulator.webhooksSettled();
    expect((await verifiedEvents()).map((e) => [e.event, dataId(e)])).toEqual([
      ['session.revoked', sid],
    ]);
  });

  it('retries a delivery the endpoint refuses, signing each attempt, and records every attempt', async () => {
    const { sid } = await signIn();
    receiver.statuses = [500, 503];
    await workos.userManagement.revokeSession({ sessionId: sid });
    const [delivery] = await emulator.webhooksSettled();
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    const events = await verifiedEvents();
    expect(new Set(events.map((e) => e.id))).toEqual(new Set([delivery.eventId]));
  });

  it('gives up after its retries, and answers the API call all the same', async () => {
    const { sid } = await signIn();
    receiver.statuses = [500, 500, 500, 500];
    await workos.userManagement.revokeSession({ sessionId: sid });
    const [delivery] = await emulator.webhooksSettled();
    expect([delivery.state, delivery.attempts.length]).toEqual(['failed', 3]);
  });

  it('deletes a user through the SDK: user.deleted, the sessions end without session.revoked, and the user is gone', async () => {
    const first = await signIn();
    const second = await signIn();
    await workos.userManagement.deleteUser(first.user.id);
    await expect(workos.userManagement.deleteUser(first.user.id)).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(workos.userManagement.getUser(first.user.id)).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(
      workos.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken: second.refreshToken,
      }),
    ).rejects.toBeInstanceOf(OauthException);
    await expect(
      workos.userManagement.authenticateWithPassword({ clientId: emulator.clientId, ...ALICE }),
    ).rejects.toMatchObject({ status: 400 });

    expect((await emulator.webhooksSettled()).map((d) => [d.event, d.state])).toEqual([
      ['user.deleted', 'delivered'],
    ]);
    const [event] = await verifiedEvents();
    expect(event).toMatchObject({
      event: 'user.deleted',
      data: { object: 'user', id: first.user.id, email: ALICE.email },
    });
  });

  it('lets a deleted user be added again, with the same id, to sign in anew', async () => {
    const { user } = await signIn();
    await workos.userManagement.deleteUser(user.id);
    expect(emulator.addUser(ALICE)).toBe(user.id);
    expect(() => emulator.addUser(ALICE)).toThrow('a user with email alice@example.com exists');
    expect((await signIn()).user.id).toBe(user.id);
  });

  it('sends each endpoint the events it subscribed to, including endpoints added at run time', async () => {
    const second = await startReceiver();
    try {
      const id = emulator.addWebhookEndpoint({
        url: second.url,
        secret: SECRET,
        events: ['user.deleted'],
      });
      const { sid, user } = await signIn();
      await workos.userManagement.revokeSession({ sessionId: sid });
      await workos.userManagement.deleteUser(user.id);
      await emulator.webhooksSettled();
      expect(receiver.received).toHaveLength(2);
      expect(second.received.map((r) => (JSON.parse(r.body) as { event: string }).event)).toEqual([
        'user.deleted',
      ]);
      expect(emulator.removeWebhookEndpoint(id)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('closes with deliveries still waiting for a retry', async () => {
    const patient = await startEmulatorWithSdk({
      webhooks: [{ url: receiver.url, secret: SECRET }],
      webhookRetryDelaysMs: [60_000],
    });
    receiver.statuses = [500];
    const { accessToken } = await patient.workos.userManagement.authenticateWithCode({
      clientId: patient.emulator.clientId,
      code: await patient.emulator.issueAuthorizationCode({ email: ALICE.email }),
    });
    const { sid } = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as {
      sid: string;
    };
    await patient.workos.userManagement.revokeSession({ sessionId: sid });
    await patient.emulator.close();
    expect((await patient.emulator.webhooksSettled()).map((d) => d.state)).toEqual(['failed']);
  });
});

describe('AuthKit emulator: webhook test controls', () => {
  let emulator: AuthKitEmulator;
  let receiver: Receiver;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as unknown };
  };

  beforeEach(async () => {
    receiver = await startReceiver();
    ({ emulator } = await startEmulatorWithSdk({ webhookRetryDelaysMs: [] }));
  });
  afterEach(async () => {
    await emulator.close();
    await receiver.close();
  });

  it('registers, lists (without secrets) and removes endpoints', async () => {
    const added = await control('POST', '/webhooks', { url: receiver.url, secret: SECRET });
    expect(added).toEqual({
      status: 201,
      body: {
        id: expect.stringMatching(/^we_/) as string,
        url: receiver.url,
        events: ['session.revoked', 'user.deleted'],
      },
    });
    const listed = await control('GET', '/webhooks');
    expect(listed.body).toEqual({ endpoints: [added.body] });
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    const { id } = added.body as { id: string };
    expect((await control('DELETE', `/webhooks/${id}`)).status).toBe(204);
    expect((await control('DELETE', `/webhooks/${id}`)).status).toBe(404);
    expect((await control('GET', '/webhooks')).body).toEqual({ endpoints: [] });
  });

  it('refuses a malformed endpoint with a 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'not a url', secret: SECRET }, 'url'],
      [{ url: receiver.url, secret: '' }, 'secret'],
      [{ url: receiver.url, secret: SECRET, events: ['session.created'] }, 'events'],
      [{ url: receiver.url, secret: SECRET, other: 1 }, 'other'],
    ];
    for (const [body, field] of cases) {
      const res = await control('POST', '/webhooks', body);
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    expect((await control('POST', '/webhooks', [])).status).toBe(400);
  });

  it('shows the delivery log, and waits for pending deliveries when asked', async () => {
    await control('POST', '/webhooks', { url: receiver.url, secret: SECRET });
    const added = await control('POST', '/users', {
      email: 'dora@example.com',
      password: 'dora-password',
    });
    expect(added).toMatchObject({
      status: 201,
      body: { object: 'user', email: 'dora@example.com', id: expect.stringMatching(/^user_/) },
    });
    const { id } = added.body as { id: string };
    const deleted = await fetch(`${emulator.url}/user_management/users/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    expect(deleted.status).toBe(202);
    const log = await control('GET', '/webhooks/deliveries?wait=true');
    expect(log.body).toMatchObject({
      deliveries: [{ event: 'user.deleted', state: 'delivered', attempts: [{ status: 200 }] }],
    });
    expect((await control('POST', '/users', { email: 'x' })).status).toBe(422);
  });
});

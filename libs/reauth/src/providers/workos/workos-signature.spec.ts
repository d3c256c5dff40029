import { createHmac } from 'node:crypto';
import { SignatureVerificationException, WorkOS } from '@workos-inc/node';
import { WorkOS as WorkOS8 } from 'workos-node-8';
import { checkWorkOSSignature, type WorkOSSignatureCheck } from './workos-signature';

const SECRET = 'whsec-test-secret-of-some-length';
const NOW = 1_767_000_000_000;
const TOLERANCE = 180_000;

/** WorkOS's signature of `body` at `t`, made here with node:crypto as WorkOS documents it. */
function sign(body: string | Buffer, t: number | string, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

function check(overrides: Partial<WorkOSSignatureCheck>): ReturnType<typeof checkWorkOSSignature> {
  const body = Buffer.from('{"id":"event_1"}');
  return checkWorkOSSignature({
    header: `t=${NOW}, v1=${sign(body, NOW)}`,
    body,
    secret: SECRET,
    nowMs: NOW,
    toleranceMs: TOLERANCE,
    ...overrides,
  });
}

describe('checkWorkOSSignature', () => {
  const body = Buffer.from('{"id":"event_1"}');
  const good = sign(body, NOW);

  it('accepts the signature WorkOS makes, with or without the space after the comma', () => {
    expect(check({})).toBeUndefined();
    expect(check({ header: `t=${NOW},v1=${good}` })).toBeUndefined();
    expect(check({ header: `v1=${good}, t=${NOW}` })).toBeUndefined();
    expect(check({ header: `t=${NOW}, v1=${good.toUpperCase()}` })).toBeUndefined();
  });

  it('refuses a missing header', () => {
    expect(check({ header: undefined })).toBe('signature_missing');
    expect(check({ header: '' })).toBe('signature_missing');
    expect(check({ header: [] })).toBe('signature_missing');
  });

  it.each([
    ['a repeated header', [`t=${NOW}, v1=${good}`, `t=${NOW}, v1=${good}`]],
    ['no fields', 'garbage'],
    ['no t', `v1=${good}`],
    ['no v1', `t=${NOW}`],
    ['two t', `t=${NOW}, t=${NOW}, v1=${good}`],
    ['a t that is not a number', `t=abc, v1=${good}`],
    ['a negative t', `t=-1, v1=${good}`],
    ['a fractional t', `t=1.5, v1=${good}`],
    ['a t in exponent form', `t=1e13, v1=${good}`],
    ['an empty t', `t=, v1=${good}`],
    ['a t beyond 15 digits', `t=1${'0'.repeat(15)}, v1=${good}`],
    ['a short v1', `t=${NOW}, v1=${good.slice(2)}`],
    ['a v1 that is not hex', `t=${NOW}, v1=${'z'.repeat(64)}`],
    ['an empty v1', `t=${NOW}, v1=`],
    ['a field without =', `t=${NOW}, v1=${good}, junk`],
    ['a header over 1 KiB', `t=${NOW}, v1=${good}, v0=${'a'.repeat(1024)}`],
  ])('refuses %s as malformed', (_case, header) => {
    expect(check({ header })).toBe('signature_malformed');
  });

  it('ignores fields of other schemes and accepts any one matching v1', () => {
    expect(check({ header: `t=${NOW}, v0=abc, v1=${good}` })).toBeUndefined();
    expect(check({ header: `t=${NOW}, v1=${'0'.repeat(64)}, v1=${good}` })).toBeUndefined();
    expect(check({ header: `t=${NOW}, v1=${'0'.repeat(64)}, v1=${'1'.repeat(64)}` })).toBe(
      'signature_mismatch',
    );
  });

  it('accepts t within the tolerance either way, by the given clock, and refuses beyond it', () => {
    for (const t of [NOW - TOLERANCE, NOW + TOLERANCE, NOW - 1, NOW + 1]) {
      expect(check({ header: `t=${t}, v1=${sign(body, t)}` })).toBeUndefined();
    }
    const stale = NOW - TOLERANCE - 1;
    expect(check({ header: `t=${stale}, v1=${sign(body, stale)}` })).toBe('timestamp_stale');
    const ahead = NOW + TOLERANCE + 1;
    expect(check({ header: `t=${ahead}, v1=${sign(body, ahead)}` })).toBe('timestamp_in_future');
    expect(check({ header: `t=0, v1=${sign(body, 0)}` })).toBe('timestamp_stale');
  });

  it('refuses another secret, another body, another t, and a signature of another time', () => {
    expect(check({ header: `t=${NOW}, v1=${sign(body, NOW, 'another-secret-entirely')}` })).toBe(
      'signature_mismatch',
    );
    expect(check({ body: Buffer.from('{"id":"event_2"}') })).toBe('signature_mismatch');
    expect(check({ header: `t=${NOW + 1}, v1=${good}` })).toBe('signature_mismatch');
    expect(check({ body: Buffer.from('{"id":"event_1"} ') })).toBe('signature_mismatch');
  });

  it('verifies the body’s bytes: spacing and escapes count, so a re-serialised body fails', () => {
    const raw = Buffer.from('{ "id": "event_1", "data": { "name": "a\\u003cb" } }');
    const header = `t=${NOW}, v1=${sign(raw, NOW)}`;
    expect(check({ body: raw, header })).toBeUndefined();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(check({ body: reserialised, header })).toBe('signature_mismatch');
  });

  it('signs non-ASCII bodies as their UTF-8 bytes', () => {
    const raw = Buffer.from('{"name":"Zoë 🙂"}');
    expect(check({ body: raw, header: `t=${NOW}, v1=${sign(raw, NOW)}` })).toBeUndefined();
  });
});

describe('checkWorkOSSignature against @workos-inc/node', () => {
  const workos = new WorkOS('sk_test_differential');
  const bodies = [
    '{"id":"event_1","event":"session.revoked","data":{"id":"session_1"},"created_at":"2026-01-01T00:00:00.000Z"}',
    '{ "id": "event_2", "data": { "name": "a\\u003cb" } }',
    '{"id":"event_3","data":{"name":"Zoë 🙂","n":1.0}}',
  ];
  /** What SDK 11 says of a delivery, read at the real time (it reads `Date.now()`). */
  const sdkAccepts = async (body: string, header: string) => {
    try {
      await workos.webhooks.constructEvent({ payload: body, sigHeader: header, secret: SECRET });
      return true;
    } catch (error) {
      if (error instanceof SignatureVerificationException) return false;
      throw error;
    }
  };
  const oursAccepts = (body: string, header: string, nowMs: number) =>
    checkWorkOSSignature({
      header,
      body: Buffer.from(body),
      secret: SECRET,
      nowMs,
      toleranceMs: TOLERANCE,
    }) === undefined;

  it('agrees with SDK 11 on raw bodies, whatever the secret, body and age of the signature', async () => {
    const now = Date.now();
    for (const body of bodies) {
      for (const [t, secret] of [
        [now - 1000, SECRET],
        [now - 60_000, SECRET],
        [now - 1000, 'another-secret-entirely'],
        [now - 10 * 60_000, SECRET],
      ] as const) {
        const header = `t=${t}, v1=${sign(body, t, secret)}`;
        expect([body, t, oursAccepts(body, header, now)]).toEqual([
          body,
          t,
          await sdkAccepts(body, header),
        ]);
        const tampered = body.replace('event_', 'event_x');
        expect(oursAccepts(tampered, header, now)).toBe(await sdkAccepts(tampered, header));
      }
    }
  });

  it('refuses what the SDK lets through: a future t, a t that is not a number, unnamed fields', async () => {
    const now = Date.now();
    const body = bodies[0];
    const future = now + 3_600_000;
    const cases = [
      `t=${future}, v1=${sign(body, future)}`,
      `t=soon, v1=${sign(body, 'soon')}`,
      `x=${now}, y=${sign(body, now)}`,
    ];
    for (const header of cases) {
      expect(await sdkAccepts(body, header)).toBe(true);
      expect(oursAccepts(body, header, now)).toBe(false);
    }
  });

  it('verifies what SDK 8 cannot: it signs JSON.stringify of what it is given, not the bytes received', async () => {
    const sdk8 = new WorkOS8('sk_test_differential');
    const now = Date.now();
    const body = bodies[1];
    const header = `t=${now}, v1=${sign(body, now)}`;
    expect(oursAccepts(body, header, now)).toBe(true);
    for (const payload of [body, JSON.parse(body) as Record<string, unknown>]) {
      await expect(
        sdk8.webhooks.constructEvent({
          payload: payload as Record<string, unknown>,
          sigHeader: header,
          secret: SECRET,
        }),
      ).rejects.toThrow('Signature hash does not match');
    }
  });
});

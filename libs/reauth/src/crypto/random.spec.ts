import { randomBytesPooled, randomToken } from './random';

describe('randomBytesPooled', () => {
  it('gives the size asked, across pool refills', () => {
    for (const size of [1, 12, 16, 32, 4095, 4096, 4097, 10_000]) {
      expect(randomBytesPooled(size)).toHaveLength(size);
    }
  });

  it('never hands out the same bytes twice, and never changes bytes already handed out', () => {
    const taken: Buffer[] = [];
    const copies: Buffer[] = [];
    // Far more than one pool: refills must not reuse or overwrite anything.
    for (let i = 0; i < 2_000; i++) {
      const bytes = randomBytesPooled(32);
      taken.push(bytes);
      copies.push(Buffer.from(bytes));
    }
    const distinct = new Set(taken.map((bytes) => bytes.toString('hex')));
    expect(distinct.size).toBe(taken.length);
    taken.forEach((bytes, i) => expect(bytes.equals(copies[i])).toBe(true));
  });

  it('looks uniform: each bit is set about half the time', () => {
    const bytes = randomBytesPooled(4096);
    let ones = 0;
    for (const byte of bytes) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
    // 32,768 bits: a fair source lands within 5 % of half with overwhelming probability.
    expect(ones / (bytes.length * 8)).toBeGreaterThan(0.45);
    expect(ones / (bytes.length * 8)).toBeLessThan(0.55);
  });
});

describe('randomBytesPooled, misused', () => {
  it.each([-8, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a size of %p, and hands out fresh bytes after',
    (size) => {
      expect(() => randomBytesPooled(size)).toThrow(RangeError);
      const a = randomBytesPooled(16);
      const b = randomBytesPooled(16);
      expect(a).toHaveLength(16);
      expect(a.equals(b)).toBe(false);
    },
  );

  it('returns bytes in memory of their own: no other draw can be read through them', () => {
    const bytes = randomBytesPooled(12);
    expect(bytes.buffer.byteLength).toBe(12);
    expect(bytes.byteOffset).toBe(0);
  });
});

describe('randomToken', () => {
  it('is base64url of the size asked', () => {
    const token = randomToken(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(randomToken(32)).not.toBe(token);
  });
});

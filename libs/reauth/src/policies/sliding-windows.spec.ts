import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { TestClock } from '../testing/test-clock';
import { SlidingWindows } from './sliding-windows';

const T0 = Date.UTC(2030, 0, 1);
const SESSION = 'session_alice';
const LEVEL = 'sudo';
const KEY = `reauth:slide:${SESSION}:${LEVEL}`;
const WINDOW = { maxAge: 300, capSeconds: 1800, toleranceSeconds: 5 };

describe('SlidingWindows', () => {
  let clock: TestClock;
  let store: MemoryReauthStore;
  let windows: SlidingWindows;
  let proofAt: number;

  beforeEach(() => {
    clock = new TestClock(T0);
    store = new MemoryReauthStore({ now: () => clock.now() });
    windows = new SlidingWindows(store);
    proofAt = clock.nowSeconds();
  });

  const isOpen = (at: number = proofAt, window = WINDOW, level = LEVEL) =>
    windows.isOpen(SESSION, level, at, clock.nowSeconds(), window);
  const extend = (at: number = proofAt, window = WINDOW, level = LEVEL) =>
    windows.extend(SESSION, level, at, clock.nowSeconds(), window);

  describe('is closed', () => {
    it('without a record', async () => {
      expect(await isOpen()).toBe(false);
    });

    it('for another proof than the one the record started from', async () => {
      await extend();
      expect(await isOpen(proofAt + 1)).toBe(false);
      expect(await isOpen(proofAt - 1)).toBe(false);
    });

    it('for another level or another session', async () => {
      await extend();
      expect(await isOpen(proofAt, WINDOW, 'strict')).toBe(false);
      expect(await windows.isOpen('session_bob', LEVEL, proofAt, clock.nowSeconds(), WINDOW)).toBe(
        false,
      );
    });

    it('once the last request it let through is more than maxAge ago', async () => {
      clock.advance(200);
      await extend();
      clock.advance(300);
      expect(await isOpen()).toBe(true);
      clock.advance(1);
      expect(await isOpen()).toBe(false);
    });

    it('once the cap after the proof has passed, however recent the last request', async () => {
      await extend();
      for (let at = 250; at <= 1800; at += 250) {
        clock.set(T0 + at * 1000);
        expect(await isOpen()).toBe(true);
        await extend();
      }
      clock.set(T0 + 1800 * 1000);
      expect(await isOpen()).toBe(true);
      clock.advance(1);
      expect(await isOpen()).toBe(false);
    });

    it.each<[string, string]>([
      ['not JSON', 'not json'],
      ['JSON null', 'null'],
      ['a JSON string', '"x"'],
      ['an array', '[1, 2]'],
      ['p as a string', JSON.stringify({ p: String(T0 / 1000), l: T0 / 1000 })],
      ['l as a string', JSON.stringify({ p: T0 / 1000, l: String(T0 / 1000) })],
      ['l missing', JSON.stringify({ p: T0 / 1000 })],
      ['p not an integer', JSON.stringify({ p: T0 / 1000 + 0.5, l: T0 / 1000 })],
      ['l not an integer', JSON.stringify({ p: T0 / 1000, l: T0 / 1000 + 0.5 })],
      ['l as null', JSON.stringify({ p: T0 / 1000, l: null })],
    ])('for a corrupted record: %s', async (_label, raw) => {
      await store.set(KEY, raw, 600);
      expect(await isOpen()).toBe(false);
    });
  });

  it('is open for the record of this proof, within maxAge of its last request', async () => {
    await store.set(KEY, JSON.stringify({ p: proofAt, l: proofAt + 100 }), 600);
    clock.advance(400);
    expect(await isOpen()).toBe(true);
  });

  describe('extend', () => {
    it('records the proof and the request, for maxAge plus the tolerance', async () => {
      const set = jest.spyOn(store, 'set');
      clock.advance(100);
      await extend();
      expect(set).toHaveBeenCalledWith(
        KEY,
        JSON.stringify({ p: proofAt, l: proofAt + 100 }),
        300 + 5,
      );
      expect(JSON.parse((await store.get(KEY))!)).toEqual({ p: proofAt, l: proofAt + 100 });
    });

    it('keeps the record no longer than what is left of the cap, plus the tolerance', async () => {
      const set = jest.spyOn(store, 'set');
      clock.advance(1700);
      await extend();
      expect(set).toHaveBeenLastCalledWith(KEY, expect.any(String), 100 + 5);
      clock.advance(100);
      await extend();
      expect(set).toHaveBeenLastCalledWith(KEY, expect.any(String), 0 + 5);
    });

    it('writes nothing once the cap and the tolerance have passed', async () => {
      const set = jest.spyOn(store, 'set');
      clock.advance(1805);
      await extend();
      expect(set).not.toHaveBeenCalled();
      expect(await store.get(KEY)).toBeUndefined();
    });

    it('lets the record expire with the window: a lost window is gone, not extended', async () => {
      await extend();
      clock.advance(305);
      expect(await store.get(KEY)).toBeUndefined();
      expect(await isOpen()).toBe(false);
    });

    it('replaces the window of an older proof with the new one’s', async () => {
      await extend();
      clock.advance(200);
      const newer = clock.nowSeconds();
      await extend(newer);
      expect(await isOpen(proofAt)).toBe(false);
      expect(await isOpen(newer)).toBe(true);
    });
  });
});

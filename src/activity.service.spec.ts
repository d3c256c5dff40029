import { ActivityLog } from './activity.service';

const at = (seconds: number) => new Date(seconds * 1000);

describe('ActivityLog', () => {
  it('keeps each user’s own events, newest first, in words', () => {
    const log = new ActivityLog();
    log.record({
      type: 'reauth.required',
      reason: 'stale',
      userId: 'user_a',
      route: 'account:AccountController.changeEmail',
      maxAge: 300,
      time: at(1),
    });
    log.record({ type: 'session.revoked', cause: 'sign_out', userId: 'user_b', time: at(2) });
    log.record({ type: 'reauth.failed', reason: 'cancelled', userId: 'user_a', time: at(3) });
    expect(log.of('user_a')).toEqual([
      { type: 'reauth.failed', time: at(3).toISOString(), reason: 'cancelled' },
      {
        type: 'reauth.required',
        time: at(1).toISOString(),
        action: 'Change email',
        reason: 'stale',
        maxAge: 300,
      },
    ]);
    expect(log.of('user_b')).toEqual([
      { type: 'session.revoked', time: at(2).toISOString(), reason: 'sign_out' },
    ]);
    expect(log.of('user_c')).toEqual([]);
  });

  it('ignores events that name no user', () => {
    const log = new ActivityLog();
    log.record({ type: 'reauth.failed', reason: 'state_invalid', time: at(1) });
    log.record({ type: 'store.unavailable', effect: 'refused', time: at(1) });
    expect(log.of('undefined')).toEqual([]);
  });

  it('keeps the last 50 entries of a user, and the 10,000 users active last', () => {
    const log = new ActivityLog();
    for (let i = 0; i < 60; i++) {
      log.record({ type: 'session.refreshed', userId: 'user_busy', time: at(i) });
    }
    const busy = log.of('user_busy');
    expect(busy).toHaveLength(50);
    expect(busy[0].time).toBe(at(59).toISOString());
    expect(busy[49].time).toBe(at(10).toISOString());

    for (let i = 0; i < 10_000; i++) {
      log.record({ type: 'session.refreshed', userId: `user_${i}`, time: at(100) });
      // The busy user stays active, so is never the one dropped.
      if (i % 1000 === 0)
        log.record({ type: 'session.refreshed', userId: 'user_busy', time: at(i) });
    }
    expect(log.of('user_busy')).toHaveLength(50);
    expect(log.of('user_0')).toEqual([]);
    expect(log.of('user_9999')).toHaveLength(1);
  });
});

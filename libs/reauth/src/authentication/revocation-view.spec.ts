import type {
  ReauthStoreChannel,
  ReauthStoreChannelListener,
  ReauthStoreSubscription,
} from '../stores/reauth-store-channel';
import { RevocationView } from './revocation-view';

/**
 * A channel whose delivery the test drives: messages wait in `queue` until `deliver()`, and the
 * link can be cut (what a dropped pub/sub connection does) or made silently deaf.
 */
class ScriptedChannel implements ReauthStoreChannel {
  listener?: ReauthStoreChannelListener;
  queue: string[] = [];
  published: string[] = [];
  deaf = false;
  failPublish = false;

  async setAndPublish(
    _key: string,
    _value: string,
    _ttl: number,
    message: string,
  ): Promise<number | undefined> {
    await this.publish(message);
    return undefined;
  }

  publish(message: string): Promise<void> {
    if (this.failPublish) return Promise.reject(new Error('connection refused'));
    this.published.push(message);
    if (!this.deaf) this.queue.push(message);
    return Promise.resolve();
  }

  subscribe(listener: ReauthStoreChannelListener): Promise<ReauthStoreSubscription> {
    this.listener = listener;
    return Promise.resolve({ close: () => Promise.resolve() });
  }

  deliver(): void {
    const pending = this.queue;
    this.queue = [];
    for (const message of pending) this.listener?.message(message);
  }
}

describe('RevocationView', () => {
  let channel: ScriptedChannel;
  let view: RevocationView;
  let now: number;
  let heartbeats: number;
  let usable: boolean[];

  beforeEach(async () => {
    jest.useFakeTimers();
    channel = new ScriptedChannel();
    now = 1_000_000;
    heartbeats = 0;
    usable = [];
    view = new RevocationView(
      channel,
      { maxEntries: 1000, heartbeatMs: 500 },
      () => now,
      () => {
        heartbeats++;
        return Promise.resolve();
      },
      (state) => usable.push(state),
    );
    await view.open();
  });
  afterEach(async () => {
    await view.close();
    jest.useRealTimers();
  });

  const proven = () => {
    channel.deliver();
    expect(view.isUsable).toBe(true);
  };

  it('is not usable until its own heartbeat comes back through the channel', () => {
    expect(view.isUsable).toBe(false);
    expect(view.know('s1', 'u1')).toBeUndefined();
    expect(channel.published).toHaveLength(1);
    proven();
    expect(usable).toEqual([true]);
    expect(heartbeats).toBe(1);
  });

  it('answers from memory only what it learned, and only both halves together', () => {
    proven();
    expect(view.know('s1', 'u1')).toBeUndefined();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    expect(view.know('s1', 'u1')).toEqual({ sessionRevoked: false, userEndedBefore: undefined });
    expect(view.know('s1', 'u2')).toBeUndefined();
    expect(view.know('s2', 'u1')).toBeUndefined();
  });

  it('does not remember a read that a message overtook', () => {
    proven();
    const ticket = view.ticket();
    // Another instance ends s1 while this one's read of it is on its way.
    channel.listener!.message(RevocationView.sessionMessage('s1', 600));
    view.learn(ticket, 's1', false, 'u1', undefined);
    expect(view.know('s1', 'u1')).toEqual({ sessionRevoked: true, userEndedBefore: undefined });
    expect(view.know('s2', 'u1')).toBeUndefined();
  });

  it('turns a live session into an ended one when the message arrives', () => {
    proven();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    channel.listener!.message(RevocationView.sessionMessage('s1', 600));
    expect(view.know('s1', 'u1')?.sessionRevoked).toBe(true);
    // Ended for the record's lifetime, then asked again.
    now += 601_000;
    expect(view.know('s1', 'u1')).toBeUndefined();
  });

  it("keeps a user's highest watermark", () => {
    proven();
    view.learn(view.ticket(), undefined, false, 'u1', undefined);
    channel.listener!.message(RevocationView.userMessage('u1', 2000, 600));
    channel.listener!.message(RevocationView.userMessage('u1', 1500, 600));
    expect(view.know(undefined, 'u1')).toEqual({
      sessionRevoked: false,
      userEndedBefore: 2000,
    });
  });

  it('ignores malformed messages', () => {
    proven();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    for (const text of ['', 's', 's:', 's:600:', 'u:600:x:u1', 'u:600:100:', 'z:1:2']) {
      channel.listener!.message(text);
    }
    expect(view.know('s1', 'u1')).toEqual({ sessionRevoked: false, userEndedBefore: undefined });
  });

  it('stops answering, and forgets live sessions, when a heartbeat goes unanswered', () => {
    proven();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    channel.listener!.message(RevocationView.sessionMessage('s2', 600));
    channel.deaf = true;
    jest.advanceTimersByTime(500); // sends heartbeat 2
    expect(view.isUsable).toBe(true);
    jest.advanceTimersByTime(500); // heartbeat 2 never came back
    expect(view.isUsable).toBe(false);
    expect(view.know('s1', 'u1')).toBeUndefined();
    // Back: the next echo makes it usable; the ended session was kept, the live one was not.
    channel.deaf = false;
    jest.advanceTimersByTime(500);
    channel.deliver();
    expect(view.isUsable).toBe(true);
    expect(view.know('s2', undefined)).toEqual({
      sessionRevoked: true,
      userEndedBefore: undefined,
    });
    expect(view.know('s1', 'u1')).toBeUndefined();
    expect(usable).toEqual([true, false, true]);
  });

  it('stops answering at once when the channel reports it is down', () => {
    proven();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    channel.listener!.down('connection closed');
    expect(view.isUsable).toBe(false);
    expect(view.know('s1', 'u1')).toBeUndefined();
  });

  it('still refuses, while not usable, a session it knows ended', () => {
    proven();
    channel.listener!.message(RevocationView.sessionMessage('s2', 600));
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    channel.listener!.down('connection closed');
    expect(view.know('s2', 'u1')).toEqual({ sessionRevoked: true, userEndedBefore: undefined });
    expect(view.know('s1', 'u1')).toBeUndefined();
  });

  it('is not made usable by the echo of a heartbeat sent before a loss', () => {
    proven();
    jest.advanceTimersByTime(500); // heartbeat 2 sent, not yet delivered
    channel.listener!.down('connection closed');
    channel.deliver(); // its echo arrives after the loss
    expect(view.isUsable).toBe(false);
    channel.listener!.up(); // resubscribed: heartbeat 3
    channel.deliver();
    expect(view.isUsable).toBe(true);
  });

  it('does not remember a read that a gap overtook', () => {
    proven();
    const ticket = view.ticket();
    channel.listener!.down('connection closed');
    channel.listener!.up();
    channel.deliver();
    expect(view.isUsable).toBe(true);
    view.learn(ticket, 's1', false, 'u1', undefined);
    expect(view.know('s1', 'u1')).toBeUndefined();
  });

  it('stops answering when publishing its heartbeat fails', async () => {
    proven();
    channel.failPublish = true;
    jest.advanceTimersByTime(500);
    await Promise.resolve();
    await Promise.resolve();
    expect(view.isUsable).toBe(false);
  });

  it('forgets live sessions, not ended ones, when the store lost its data', () => {
    proven();
    view.learn(view.ticket(), 's1', false, 'u1', undefined);
    view.learn(view.ticket(), 's2', true, undefined, undefined);
    view.forgetLive();
    expect(view.know('s1', 'u1')).toBeUndefined();
    expect(view.know('s2', undefined)?.sessionRevoked).toBe(true);
  });

  it('asks again about a live session after a minute, whatever the channel says', () => {
    proven();
    view.learn(view.ticket(), 's1', false, undefined, undefined);
    now += 59_000;
    expect(view.know('s1', undefined)).toBeDefined();
    now += 2_000;
    expect(view.know('s1', undefined)).toBeUndefined();
  });
});

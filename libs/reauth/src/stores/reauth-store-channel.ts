/**
 * What a subscriber of a {@link ReauthStoreChannel} is told: each message, and whether the
 * channel can be relied on. Called on the event loop, never concurrently.
 */
export interface ReauthStoreChannelListener {
  /** A message published by any instance sharing the store, this one included. */
  message(text: string): void;
  /** The subscription is in place: messages published from now on arrive. */
  up(): void;
  /**
   * The subscription was lost (a dropped connection, say): messages published from now until
   * the next `up()` may never arrive.
   */
  down(reason: string): void;
}

/** A subscription, ended by `close()`. */
export interface ReauthStoreSubscription {
  /** Ends the subscription and releases what it holds (its connection). */
  close(): Promise<void>;
}

/**
 * A broadcast to every instance sharing a store, so that each can keep a local view of what the
 * store holds and drop it when another instance changes it. Delivery is at most once and in
 * order per publisher while the subscription is up; a subscriber learns of every gap through
 * `down()`, so a view built on it is never trusted across one.
 */
export interface ReauthStoreChannel {
  /**
   * Stores `value` under `key` for `ttlSeconds`, as `ReauthStore.set` does, and publishes
   * `message` in the same step: no subscriber can see the message before the value, and no value
   * is stored without its message (both or neither). With `counter`, also adds one to the
   * counter at that key (created with a lifetime of `counterTtlSeconds`) in the same step, and
   * resolves its new value: what was written and the count are kept or lost together, so a count
   * that goes back shows that writes were lost.
   */
  setAndPublish(
    key: string,
    value: string,
    ttlSeconds: number,
    message: string,
    counter?: { key: string; ttlSeconds: number },
  ): Promise<number | undefined>;
  /** Publishes `message` to every subscriber, this instance's included. */
  publish(message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is asked for (`up()` tells when it holds). */
  subscribe(listener: ReauthStoreChannelListener): Promise<ReauthStoreSubscription>;
}

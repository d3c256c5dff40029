export { MemoryReauthStore, type MemoryReauthStoreOptions } from './memory-reauth.store';
export { ReauthStore } from './reauth.store';
export type {
  ReauthStoreChannel,
  ReauthStoreChannelListener,
  ReauthStoreSubscription,
} from './reauth-store-channel';
export { ReauthStoreFullError } from './reauth-store-full.error';

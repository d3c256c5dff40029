// The public API of nest-workos-reauth/redis: the store for apps that run on several instances.
export { RedisReauthStore, type RedisReauthStoreOptions } from './stores/redis/redis-reauth.store';
// The class RedisReauthStore extends; apps import it from nest-workos-reauth as well.
export type { ReauthStore } from './stores/reauth.store';
export type {
  ReauthStoreChannel,
  ReauthStoreChannelListener,
  ReauthStoreSubscription,
} from './stores/reauth-store-channel';

export { RedisReauthStore, type RedisReauthStoreOptions } from './stores/redis/redis-reauth.store';

export { MemoryReauthStore, type MemoryReauthStoreOptions } from './memory-reauth.store';
export { ReauthStore } from './reauth.store';
export { ReauthStoreFullError } from './reauth-store-full.error';

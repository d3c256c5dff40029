export { MemoryReauthStore, type MemoryReauthStoreOptions } from './memory-reauth.store';
export { ReauthStore } from './reauth.store';

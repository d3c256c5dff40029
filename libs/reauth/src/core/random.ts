// The random pool lives in crypto/; kept here for the importers not yet switched to it.
export { randomBytesPooled, randomToken } from '../crypto/random';

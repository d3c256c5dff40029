import type { JSONWebKeySet } from 'jose';

/** The emulator's key set: fetched once, by the baseline apps at start-up and by the micro bench. */
export async function fetchJwks(emulatorUrl: string, clientId: string): Promise<JSONWebKeySet> {
  const response = await fetch(`${emulatorUrl}/sso/jwks/${clientId}`);
  if (!response.ok) throw new Error(`fetching the JWKS answered ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

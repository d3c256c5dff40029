import { StepUpRefusal } from './step-up.errors';

// Checks of what the page sends: shapes and sizes, before anything is looked up or verified.

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** WebAuthn ids are at most 1023 bytes; 1,400 base64url characters leave room. */
const MAX_ID = 1400;
/** clientDataJSON, authenticatorData, signatures and attestations of real authenticators fit. */
const MAX_FIELD = 16_384;

function invalid(message: string): never {
  throw new StepUpRefusal('invalid_request', message);
}

/** The JSON body as an object, or a 400. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    invalid('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** An optional string field of at most `max` characters. */
export function optionalString(
  body: Record<string, unknown>,
  name: string,
  max: number,
): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    invalid(`${name} must be a string of 1 to ${max} characters.`);
  }
  return value;
}

function base64url(value: unknown, name: string, max: number): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    !BASE64URL.test(value)
  ) {
    invalid(`${name} must be base64url of at most ${max} characters.`);
  }
  return value;
}

/** The parts of a WebAuthn response JSON every ceremony shares, checked. */
function credentialResponse(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`${name} must be the JSON of a WebAuthn credential.`);
  }
  const credential = value as Record<string, unknown>;
  const id = base64url(credential.id, `${name}.id`, MAX_ID);
  if (credential.rawId !== id) invalid(`${name}.rawId must equal ${name}.id.`);
  if (credential.type !== 'public-key') invalid(`${name}.type must be "public-key".`);
  const inner = credential.response;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    invalid(`${name}.response must be an object.`);
  }
  base64url(
    (inner as Record<string, unknown>).clientDataJSON,
    `${name}.response.clientDataJSON`,
    MAX_FIELD,
  );
  if (
    credential.authenticatorAttachment !== undefined &&
    typeof credential.authenticatorAttachment !== 'string'
  ) {
    invalid(`${name}.authenticatorAttachment must be a string.`);
  }
  if (
    credential.clientExtensionResults === undefined ||
    typeof credential.clientExtensionResults !== 'object' ||
    credential.clientExtensionResults === null
  ) {
    invalid(`${name}.clientExtensionResults must be an object.`);
  }
  return credential;
}

/** An `AuthenticationResponseJSON`, checked field by field. */
export function assertionResponse(value: unknown): Record<string, unknown> {
  const credential = credentialResponse(value, 'response');
  const inner = credential.response as Record<string, unknown>;
  base64url(inner.authenticatorData, 'response.response.authenticatorData', MAX_FIELD);
  base64url(inner.signature, 'response.response.signature', MAX_FIELD);
  if (inner.userHandle !== undefined) {
    base64url(inner.userHandle, 'response.response.userHandle', 128);
  }
  return credential;
}

/** A `RegistrationResponseJSON`, checked field by field. */
export function registrationResponse(value: unknown): Record<string, unknown> {
  const credential = credentialResponse(value, 'response');
  const inner = credential.response as Record<string, unknown>;
  base64url(inner.attestationObject, 'response.response.attestationObject', MAX_FIELD);
  if (inner.transports !== undefined) {
    if (
      !Array.isArray(inner.transports) ||
      inner.transports.length > 8 ||
      inner.transports.some((t) => typeof t !== 'string' || t.length > 32)
    ) {
      invalid('response.response.transports must be a short list of names.');
    }
  }
  return credential;
}

/** The challenge a WebAuthn response answers, read from its client data (verified later). */
export function clientChallenge(credential: Record<string, unknown>): string {
  const encoded = (credential.response as Record<string, string>).clientDataJSON;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    invalid('response.response.clientDataJSON is not JSON.');
  }
  const challenge = (data as { challenge?: unknown } | null)?.challenge;
  return base64url(challenge, 'the client data challenge', 128);
}

/** A passkey's name: 1 to 64 characters, no control characters. */
export function passkeyName(value: unknown): string {
  if (typeof value !== 'string') invalid('name must be a string.');
  const name = value.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) {
    invalid('name must be 1 to 64 characters without control characters.');
  }
  return name;
}

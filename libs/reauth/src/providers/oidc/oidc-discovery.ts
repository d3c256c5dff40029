import { Logger } from '@nestjs/common';
import type * as OAuth from 'oauth4webapi';
import { backoffDelayMs } from '../../core/backoff';
import { describeError } from '../../core/describe-error';
import { ReauthInternalError } from '../../core/internal-error';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import { httpOptions, oauth } from './oauth';
import type { OidcProviderSettings } from './oidc-settings';

const DISCOVERY_MAX_AGE_MS = 60 * 60_000;
const DISCOVERY_BACKOFF = { backoffMs: 1_000, maxBackoffMs: 30_000 };
const REQUIRED_METADATA = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

/**
 * The OpenID Provider's metadata, discovered on first use and cached for an hour. While the
 * issuer cannot be reached or serves an incomplete document, a stale document still serves, or
 * the caller gets `ReauthUnavailableException` (retried with a backoff from 1 s to 30 s), and the
 * log names the issuer and what is wrong.
 */
export class OidcDiscovery {
  private readonly logger = new Logger('ReauthModule');
  private metadata?: { server: OAuth.AuthorizationServer; fetchedAtMs: number };
  private inflight?: Promise<OAuth.AuthorizationServer>;
  private failures = 0;
  private retryAtMs = Number.NEGATIVE_INFINITY;
  private lastFailure?: unknown;

  constructor(
    private readonly config: Pick<OidcProviderSettings, 'issuer' | 'nowMs' | 'discoveryTimeoutMs'>,
  ) {}

  /** The provider's metadata, discovered once (and again after an hour). */
  server(): Promise<OAuth.AuthorizationServer> {
    const now = this.config.nowMs();
    if (this.metadata && now - this.metadata.fetchedAtMs <= DISCOVERY_MAX_AGE_MS) {
      return Promise.resolve(this.metadata.server);
    }
    if (this.inflight) return this.inflight;
    if (now < this.retryAtMs) {
      // A stale document still serves while a new one cannot be had.
      if (this.metadata) return Promise.resolve(this.metadata.server);
      return Promise.reject(new ReauthUnavailableException('oidc', { cause: this.lastFailure }));
    }
    this.inflight = this.discover().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async discover(): Promise<OAuth.AuthorizationServer> {
    const o = oauth();
    const issuer = new URL(this.config.issuer);
    try {
      const response = await o.discoveryRequest(issuer, {
        ...httpOptions(this.config),
        algorithm: 'oidc',
      });
      const server = await o.processDiscoveryResponse(issuer, response);
      const missing = REQUIRED_METADATA.filter((field) => typeof server[field] !== 'string');
      if (missing.length > 0) {
        throw new DiscoveryProblem(`its discovery document has no ${missing.join(', ')}`);
      }
      // Keys are fetched outside oauth4webapi: hold their URL to the same rule as the issuer's.
      if (
        new URL(server.jwks_uri!).protocol !== 'https:' &&
        !this.config.issuer.startsWith('http:')
      ) {
        throw new DiscoveryProblem('its jwks_uri is not https');
      }
      const methods = server.code_challenge_methods_supported;
      if (Array.isArray(methods) && !methods.includes('S256')) {
        throw new DiscoveryProblem('it does not support PKCE with S256');
      }
      this.metadata = { server, fetchedAtMs: this.config.nowMs() };
      this.failures = 0;
      this.retryAtMs = Number.NEGATIVE_INFINITY;
      return server;
    } catch (error) {
      this.failures += 1;
      this.retryAtMs = this.config.nowMs() + backoffDelayMs(this.failures, DISCOVERY_BACKOFF);
      const reason = new Error(
        `OpenID Provider ${this.config.issuer} is not usable: ${discoveryFailure(error)}`,
        { cause: error },
      );
      this.lastFailure = reason;
      this.logger.error(reason.message);
      if (this.metadata) return this.metadata.server;
      throw new ReauthUnavailableException('oidc', { cause: reason });
    }
  }
}

/** What is wrong with a discovery document the provider did serve; its message is ours. */
class DiscoveryProblem extends ReauthInternalError {
  readonly code = 'discovery_document_unusable';
}

/** A log line's account of a failed discovery: never more than a status, a class and a code. */
function discoveryFailure(error: unknown): string {
  if (error instanceof DiscoveryProblem) return error.message;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Response) {
    return `its discovery document answered ${cause.status} (${describeError(error)})`;
  }
  return describeError(error);
}

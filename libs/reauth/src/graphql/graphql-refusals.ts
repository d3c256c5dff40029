import { StepUpOffers } from '../factors/step-up-offers';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ReauthRequest } from '../interfaces';
import { ReauthStarter } from '../flow/reauth-starter';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import { type ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { challengeFor, messageOf, type ReauthRefusal } from '../exceptions/reauth-refusal';
import { EXPLAIN_HEADER, RefusalReports } from '../flow/refusal-reports';
import { linkFastifyReplies } from './fastify-replies';
import { type GraphQLTarget } from './graphql-context';
import { startInTurn, writeHeader } from './graphql-exchange';
import { ReauthGraphQLError } from './reauth-graphql.error';
import type { DownstreamChallengeException } from '../challenges/downstream-challenge.exception';

type OperationRequest = ReauthRequest & { body?: unknown };

/**
 * The answer to a refused GraphQL field: a {@link ReauthGraphQLError} whose `extensions.code` is
 * `REAUTH_REQUIRED` (with `reason`, `maxAge`, `acrValues` and `reauthUrl`), `REAUTH_FORBIDDEN`
 * (with `reason`) or `REAUTH_UNAVAILABLE`; the HTTP response gets the RFC 9470 challenge (or
 * `Retry-After`), the binding cookie and `Cache-Control: no-store`. The guard throws it for the
 * fields it refuses (Nest runs no filters for field resolvers unless told to), and the exception
 * filter returns it for refusals thrown anywhere else in a resolver.
 *
 * Headers go to the response of the GraphQL context (see `graphqlTarget`): Express's, the
 * context's `reply` (Mercurius), or on Fastify the reply linked to the request when it arrived
 * (Apollo's Fastify integration), so that the GraphQL server then sends them with its own.
 */
@Injectable()
export class GraphQLRefusals implements OnModuleInit {
  private readonly logger = new Logger('ReauthModule');
  /** Whether a refusal without a response to write to was already reported. */
  private warnedNoResponse = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly starter: ReauthStarter,
    private readonly reports: RefusalReports,
    private readonly offers: StepUpOffers,
  ) {}

  /** On Fastify, keeps each request's reply reachable from the request (see `graphqlTarget`). */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as
      { getType(): string; getInstance(): unknown } | undefined;
    if (adapter?.getType() !== 'fastify') return;
    try {
      linkFastifyReplies(adapter.getInstance() as Parameters<typeof linkFastifyReplies>[0]);
    } catch (error) {
      this.logger.warn(
        `Could not add an onRequest hook to Fastify (${(error as Error).message}): a refused GraphQL field can write its challenge and binding cookie only when the GraphQL context carries the reply, as \`context: (req, reply) => ({ req, reply })\``,
      );
    }
  }

  /** The GraphQL error of a refused field; never throws. */
  async errorFor(exception: ReauthRefusal, target: GraphQLTarget): Promise<ReauthGraphQLError> {
    const request = target.kind === 'operation' ? target.request : undefined;
    const response = target.kind === 'operation' ? target.response : undefined;
    try {
      if (exception instanceof ReauthUnavailableException) {
        return this.unavailable(exception, request, response);
      }
      if (exception instanceof ReauthForbiddenException) {
        this.reports.forbidden(`the GraphQL field ${target.field}`, exception.reason);
        return new ReauthGraphQLError(
          messageOf(exception),
          { code: 'REAUTH_FORBIDDEN', reason: exception.reason },
          { cause: exception },
        );
      }
      return await this.reauthRequired(exception, target, request, response);
    } catch (error) {
      return this.unavailable(this.reports.asUnavailable(error), request, response);
    }
  }

  /**
   * The GraphQL error of a field whose downstream API's challenge was not relayed (the HTTP
   * 502): `DOWNSTREAM_CHALLENGE_REFUSED` with the refusal's `reason`, and `no-store` on the
   * response where the context has one.
   */
  downstreamRefused(
    exception: DownstreamChallengeException,
    target: GraphQLTarget,
  ): ReauthGraphQLError {
    if (target.kind === 'operation' && target.request && target.response) {
      writeHeader(this.adapterHost.httpAdapter, target.request, target.response, {
        name: 'Cache-Control',
        value: 'no-store',
      });
    }
    return new ReauthGraphQLError(
      exception.message,
      { code: 'DOWNSTREAM_CHALLENGE_REFUSED', reason: exception.reason },
      { cause: exception },
    );
  }

  private async reauthRequired(
    exception: ReauthRequiredException,
    target: GraphQLTarget,
    request: OperationRequest | undefined,
    response: object | undefined,
  ): Promise<ReauthGraphQLError> {
    this.reports.required(exception, request);
    const message = messageOf(exception);
    const extensions = {
      code: 'REAUTH_REQUIRED' as const,
      reason: exception.reason,
      maxAge: exception.maxAge,
      acrValues: exception.acrValues,
      ...(exception.details.boundAction
        ? { actionSummary: exception.details.boundAction.summary }
        : {}),
    };
    if (!request) {
      this.logger.warn(
        `The GraphQL field ${target.field} needs a sign-in, but its GraphQL context has no \`req\` to start one from`,
      );
      return new ReauthGraphQLError(message, extensions, { cause: exception });
    }
    if (!response && !this.warnedNoResponse) {
      this.warnedNoResponse = true;
      this.logger.warn(
        `The GraphQL field ${target.field} was refused, but its GraphQL context has no response to write the challenge and the binding cookie to: its reauthUrl cannot complete (state_not_bound). Give the context the response: \`context: ({ req, res }) => ({ req, res })\` on Express, \`context: (req, reply) => ({ req, reply })\` on Fastify`,
      );
    }
    const { details } = exception;
    const startKey = JSON.stringify([
      details.route,
      details.maxAge,
      details.acrValues,
      details.amr,
      details.sub,
      // A relayed challenge's requests: two fields asking for different ones start two sign-ins.
      details.claims,
      details.acrs,
      details.scope,
    ]);
    const started = await startInTurn(request, startKey, (flowRequest) =>
      this.starter.startRefused(flowRequest, details, { withAction: false }),
    );
    const adapter = this.adapterHost.httpAdapter;
    writeHeader(adapter, request, response, {
      name: 'Set-Cookie',
      value: started.setCookie,
      append: true,
    });
    writeHeader(adapter, request, response, {
      name: 'WWW-Authenticate',
      value: challengeFor(exception),
      append: true,
    });
    writeHeader(adapter, request, response, { name: 'Cache-Control', value: 'no-store' });
    const explanation = this.reports.explainHeader(exception);
    if (explanation !== undefined) {
      writeHeader(adapter, request, response, { name: EXPLAIN_HEADER, value: explanation });
    }
    const stepUp = await this.offers.offer(details, started.authorizationUrl);
    return new ReauthGraphQLError(
      message,
      { ...extensions, reauthUrl: started.authorizationUrl, stepUp },
      { cause: exception },
    );
  }

  private unavailable(
    exception: ReauthUnavailableException,
    request: ReauthRequest | undefined,
    response: object | undefined,
  ): ReauthGraphQLError {
    this.reports.unavailable(exception, request);
    if (request) {
      const adapter = this.adapterHost.httpAdapter;
      if (exception.setCookie) {
        writeHeader(adapter, request, response, {
          name: 'Set-Cookie',
          value: exception.setCookie,
          append: true,
        });
      }
      writeHeader(adapter, request, response, { name: 'Retry-After', value: '5' });
    }
    return new ReauthGraphQLError(
      messageOf(exception),
      { code: 'REAUTH_UNAVAILABLE' },
      { cause: exception },
    );
  }
}

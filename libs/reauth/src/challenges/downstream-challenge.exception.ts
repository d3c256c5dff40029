import { HttpStatus } from '@nestjs/common';
import { ReauthException } from '../exceptions/reauth.exception';

/**
 * Why a downstream API's challenge was not relayed to the user:
 * - `malformed`: the `WWW-Authenticate` value, or a parameter in it (`max_age`, `acr_values`,
 *   `claims`, `scope`), is outside its grammar or limits;
 * - `unsatisfiable`: it asks for what no sign-in at this identity provider can give (a `claims`
 *   request where the provider takes none, an `acr` it does not offer, `max_age=0`);
 * - `loop`: the current sign-in already meets what it asks for, so another sign-in would only
 *   bring the same answer again.
 */
export type DownstreamChallengeRefusal = 'malformed' | 'unsatisfiable' | 'loop';

const MESSAGES: Record<DownstreamChallengeRefusal, string> = {
  malformed:
    'A service this request depends on answered with an authentication challenge that could not be read.',
  unsatisfiable:
    'A service this request depends on asks for a kind of sign-in this application cannot provide.',
  loop: 'A service this request depends on still refuses the sign-in it asked for.',
};

/**
 * Thrown by `ReauthService.relayChallenge` (and `parseDownstreamChallenge`) when a downstream
 * API's step-up challenge cannot become a re-authentication of the user: answered with
 * 502 Bad Gateway, `{ statusCode: 502, error: 'downstream_challenge_refused', reason, message }`,
 * since the fault lies with the upstream answer, not the caller. Never a pass: the request that
 * needed the downstream fails. `detail` says what exactly, for logs; it is never sent.
 *
 * @example
 * ```ts
 * try {
 *   await this.reauth.relayChallenge(req, res, answer);
 * } catch (error) {
 *   if (error instanceof DownstreamChallengeException) this.logger.warn(error.detail);
 *   throw error;
 * }
 * ```
 */
export class DownstreamChallengeException extends ReauthException {
  /** Stable: `downstream_challenge_refused`, also the `error` of the JSON 502. */
  readonly code = 'downstream_challenge_refused';

  /**
   * @param reason - Why the challenge was not relayed.
   * @param detail - What exactly, in the library's words (never the downstream's own text).
   * @param options - `cause`: the error that led to the refusal, kept for logs.
   */
  constructor(
    /** Why the challenge was not relayed. */
    readonly reason: DownstreamChallengeRefusal,
    /** What exactly, for logs: never sent to clients. */
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      {
        statusCode: HttpStatus.BAD_GATEWAY,
        error: 'downstream_challenge_refused',
        reason,
        message: MESSAGES[reason],
      },
      HttpStatus.BAD_GATEWAY,
      options,
    );
  }
}

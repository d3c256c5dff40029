import { JSON_HEADERS } from '../http/problem-page';
import type { HttpResponses } from '../http/http-responses';
import type { ReauthRequest } from '../interfaces';
import type { StepUpCaller, StepUpCallers } from '../factors/step-up-caller';
import { StepUpRefusal } from '../factors/step-up.errors';

/**
 * Identifies the caller of a step-up or passkey route, runs `work` and answers its result as
 * JSON (`null`: no content); a refused confirmation is answered here, with `Retry-After` for a
 * 429. The guard's kind of refusal (401, 403, 503) goes on to `ReauthExceptionFilter`.
 */
export async function answerStepUp(
  callers: StepUpCallers,
  responses: HttpResponses,
  exchange: { request: ReauthRequest; response: unknown; status: number },
  work: (caller: StepUpCaller) => Promise<object | null>,
): Promise<void> {
  const { request, response, status } = exchange;
  responses.setHeaders(response, JSON_HEADERS);
  try {
    const caller = await callers.identify(request, response);
    const result = await work(caller);
    if (result === null) responses.empty(response, status);
    else responses.json(response, status, result);
  } catch (error) {
    if (!(error instanceof StepUpRefusal)) throw error;
    if (error.retryAfterSeconds !== undefined) {
      responses.setHeaders(response, { 'Retry-After': String(error.retryAfterSeconds) });
    }
    responses.json(response, error.getStatus(), error.getResponse() as object);
  }
}

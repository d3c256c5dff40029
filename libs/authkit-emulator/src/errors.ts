import type { ErrorRequestHandler, Response } from 'express';

/**
 * An error the emulator answers with, in one of WorkOS's two shapes: OAuth errors
 * (`{"error","error_description"}`, from `/authenticate`) or API errors (`{"code","message"}`).
 * The SDK picks its exception class from the status and the shape, so both must be exact.
 */
export class EmulatorHttpError extends Error {
  override name = this.constructor.name;

  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.error_description ?? body.error));
  }

  static oauth(error: string, description: string, status = 400): EmulatorHttpError {
    return new EmulatorHttpError(status, { error, error_description: description });
  }

  static api(status: number, code: string, message: string, extra: object = {}): EmulatorHttpError {
    return new EmulatorHttpError(status, { code, message, ...extra });
  }

  /** A validation failure: 422 with per-field errors, as WorkOS answers bad parameters. */
  static invalidParameters(field: string, message: string): EmulatorHttpError {
    return EmulatorHttpError.api(422, 'invalid_request_parameters', message, {
      errors: [{ field, code: 'invalid', message }],
    });
  }

  static unauthorized(): EmulatorHttpError {
    return EmulatorHttpError.api(401, 'unauthorized', 'Invalid API key provided.');
  }

  static notFound(what: string): EmulatorHttpError {
    return EmulatorHttpError.api(404, 'entity_not_found', `${what} not found.`);
  }

  /** A request for a name the emulator does not serve (see `hostCheck`). */
  static misdirected(port: number): EmulatorHttpError {
    return EmulatorHttpError.api(
      421,
      'misdirected_request',
      `This server answers only requests for 127.0.0.1:${port}, localhost:${port} or [::1]:${port}.`,
    );
  }
}

export function sendError(res: Response, error: EmulatorHttpError): void {
  res.status(error.status).set('Cache-Control', 'no-store').json(error.body);
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The last handler: known errors get their shape, body-parser failures a 4xx, and anything else
 * a generic 500 that names no internals.
 */
export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof EmulatorHttpError) return sendError(res, error);
    const parser = error as BodyParserError;
    if (parser.type === 'entity.too.large') {
      return sendError(
        res,
        EmulatorHttpError.api(413, 'payload_too_large', 'Request body too large.'),
      );
    }
    if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
      return sendError(
        res,
        EmulatorHttpError.api(
          parser.status,
          'invalid_request',
          'The request body could not be read.',
        ),
      );
    }
    log(`internal error: ${error instanceof Error ? error.name : typeof error}`);
    return sendError(res, EmulatorHttpError.api(500, 'server_error', 'Internal server error.'));
  };
}

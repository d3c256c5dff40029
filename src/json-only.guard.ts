import {
  Injectable,
  UnsupportedMediaTypeException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { ReauthRequest } from 'nest-workos-reauth';

/**
 * Lets only JSON bodies through. An HTML form can post url-encoded, multipart or plain text
 * without a CORS preflight, but never `application/json`: an API that takes JSON only cannot be
 * driven by another site's form, whatever its cookies.
 */
@Injectable()
export class JsonOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ReauthRequest>();
    if (mediaType(request.headers['content-type']) !== 'application/json') {
      throw new UnsupportedMediaTypeException('Send a JSON body (Content-Type: application/json)');
    }
    return true;
  }
}

/** The media type of a `Content-Type` header, without its parameters, in lower case. */
function mediaType(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return header.split(';', 1)[0].trim().toLowerCase();
}

import {
  Injectable,
  UnsupportedMediaTypeException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';

/**
 * Lets only JSON bodies through. An HTML form can post url-encoded, multipart or plain text
 * without a CORS preflight, but never `application/json`: an API that takes JSON only cannot be
 * driven by another site's form, whatever its cookies.
 */
@Injectable()
export class JsonOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.is('application/json') !== 'application/json') {
      throw new UnsupportedMediaTypeException('Send a JSON body (Content-Type: application/json)');
    }
    return true;
  }
}

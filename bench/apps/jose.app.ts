import {
  Controller,
  Get,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import type { Request } from 'express';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { issuerOf, ROUTE, type AppConfig } from '../config';
import { fetchJwks } from '../jwks';
import { assertRecentAuthTime } from './recent-auth-time';

const BEARER = /^Bearer (\S+)$/i;

/** (e) A hand-written guard: `jose`'s `jwtVerify` on every request, then the `auth_time` check. */
export async function joseApp(config: AppConfig): Promise<Type> {
  const keys = createLocalJWKSet(await fetchJwks(config.emulatorUrl, config.clientId));
  const issuer = issuerOf(config);

  @Injectable()
  class JoseRecentAuthGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      const header = context.switchToHttp().getRequest<Request>().headers.authorization;
      const token = BEARER.exec(header ?? '')?.[1];
      if (token === undefined) throw new UnauthorizedException();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, { algorithms: ['RS256'], issuer }));
      } catch {
        throw new UnauthorizedException();
      }
      assertRecentAuthTime(payload.auth_time);
      return true;
    }
  }

  @Controller()
  class JoseController {
    @Get(ROUTE)
    @UseGuards(JoseRecentAuthGuard)
    read() {
      return { ok: true };
    }
  }

  @Module({ controllers: [JoseController], providers: [JoseRecentAuthGuard] })
  class JoseAppModule {}
  return JoseAppModule;
}

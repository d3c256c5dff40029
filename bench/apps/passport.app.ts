import { Controller, Get, Injectable, Module, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { ExtractJwt, Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { issuerOf, ROUTE, type AppConfig } from '../config';
import { fetchJwks } from '../jwks';
import { assertRecentAuthTime } from './recent-auth-time';

@Controller()
class PassportController {
  @Get(ROUTE)
  @UseGuards(AuthGuard('jwt'))
  read() {
    return { ok: true };
  }
}

function kidOf(token: unknown): unknown {
  if (typeof token !== 'string') return undefined;
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as {
    kid?: unknown;
  };
  return header.kid;
}

/**
 * (d) The usual NestJS recipe: `@nestjs/passport` with `passport-jwt`, the keys as PEM picked by
 * `kid` (as `jwks-rsa`'s `passportJwtSecret` does, but fetched once), and `auth_time` checked in
 * `validate`.
 */
export async function passportApp(config: AppConfig): Promise<Type> {
  const pemByKid = new Map<unknown, string>();
  for (const jwk of (await fetchJwks(config.emulatorUrl, config.clientId)).keys) {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    pemByKid.set(jwk.kid, key.export({ type: 'spki', format: 'pem' }).toString());
  }
  const secretOrKeyProvider: SecretOrKeyProvider = (_request, rawJwtToken, done) => {
    try {
      const pem = pemByKid.get(kidOf(rawJwtToken));
      done(pem === undefined ? new Error('no key for this kid') : null, pem);
    } catch (error) {
      done(error);
    }
  };

  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider,
        algorithms: ['RS256'],
        issuer: issuerOf(config),
      });
    }

    validate(payload: { auth_time?: unknown }) {
      assertRecentAuthTime(payload.auth_time);
      return payload;
    }
  }

  @Module({
    imports: [PassportModule],
    controllers: [PassportController],
    providers: [JwtStrategy],
  })
  class PassportAppModule {}
  return PassportAppModule;
}

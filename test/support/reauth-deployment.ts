import { type AuthKitEmulator, type AuthKitEmulatorOptions } from 'authkit-emulator';
import {
  AuthClaims,
  ReauthModule,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type AuthKitClaims,
  type ReauthModuleOptions,
  type ReauthStore,
} from 'nest-workos-reauth';
import {
  Controller,
  Get,
  type INestApplication,
  type LoggerService,
  Module,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type WorkOS } from '@workos-inc/node';
import { type Request, type Response } from 'express';
import { startEmulatorWithSdk } from './emulator';
import { freePort } from './ports';
import { COOKIE_PASSWORD } from './reauth-app';

@Controller()
class DeploymentController {
  constructor(private readonly reauth: ReauthService) {}

  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims() claims: AuthKitClaims) {
    return {
      sub: claims.sub,
      sid: claims.sid,
      role: claims.role ?? null,
      permissions: claims.permissions ?? null,
    };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims('sid') sid: string) {
    return { sid };
  }

  /** A handler that writes to the claims it was given: `claim=permissions` pushes to the array. */
  @Get('mutate-claims')
  @RequireSignIn()
  mutateClaims(@AuthClaims() claims: AuthKitClaims, @Query('claim') claim: string) {
    if (claim === 'permissions') claims.permissions?.push('everything');
    else claims[claim] = 'tampered';
    return { mutated: claim };
  }

  @Post('end-session')
  @RequireSignIn()
  async endSession(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.reauth.endSession(request, response);
    return { ended: true };
  }
}

/** One app instance; `signInToApp` takes it as it is. */
export interface AppInstance {
  app: INestApplication;
  url: string;
  redirectUri: string;
  emulator: AuthKitEmulator;
}

/** Instances of one app behind one emulator, as a deployment behind a load balancer runs. */
export interface Deployment {
  emulator: AuthKitEmulator;
  workos: WorkOS;
  instances: AppInstance[];
  close(): Promise<void>;
}

/**
 * Starts `instances` real Nest apps (default one) with the library, against one fresh emulator
 * whose clock they all read. With `store`, every instance uses the one store it makes (given the
 * emulator's clock in ms); without it, each has its own default store.
 */
export async function startDeployment(
  setup: {
    instances?: number;
    store?: (nowMs: () => number) => ReauthStore;
    reauth?: (emulator: AuthKitEmulator) => Partial<ReauthModuleOptions>;
    emulator?: AuthKitEmulatorOptions;
    logger?: LoggerService;
  } = {},
): Promise<Deployment> {
  const ports: number[] = [];
  for (let i = 0; i < (setup.instances ?? 1); i++) ports.push(await freePort());
  const redirectUris = ports.map((port) => `http://localhost:${port}/auth/callback`);
  const { emulator, workos } = await startEmulatorWithSdk({ redirectUris, ...setup.emulator });
  const nowMs = () => emulator.now() * 1000;
  const store = setup.store?.(nowMs);

  const instances: AppInstance[] = [];
  for (const [i, port] of ports.entries()) {
    @Module({
      imports: [
        ReauthModule.forRoot({
          apiKey: emulator.apiKey,
          clientId: emulator.clientId,
          apiHostname: '127.0.0.1',
          port: emulator.port,
          https: false,
          redirectUri: redirectUris[i],
          cookiePassword: COOKIE_PASSWORD,
          now: nowMs,
          ...(store ? { store } : {}),
          ...setup.reauth?.(emulator),
        }),
      ],
      controllers: [DeploymentController],
    })
    class InstanceModule {}

    const moduleRef = await Test.createTestingModule({ imports: [InstanceModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: setup.logger ?? false });
    try {
      await app.listen(port, '127.0.0.1');
    } catch (error) {
      // Nothing of a deployment that did not start may outlive it (a store still reconnecting
      // would keep the test process alive).
      await app.close().catch(() => undefined);
      for (const started of instances) await started.app.close().catch(() => undefined);
      await emulator.close();
      throw error;
    }
    instances.push({
      app,
      url: `http://localhost:${port}`,
      redirectUri: redirectUris[i],
      emulator,
    });
  }
  return {
    emulator,
    workos,
    instances,
    close: async () => {
      for (const instance of instances) await instance.app.close();
      await emulator.close();
    },
  };
}

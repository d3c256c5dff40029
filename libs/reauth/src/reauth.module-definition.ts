import {
  ConfigurableModuleBuilder,
  type ConfigurableModuleAsyncOptions,
  type Type,
} from '@nestjs/common';
import { ReauthCallbackController } from './controllers/reauth-callback.controller';
import { ReauthLoginController } from './controllers/reauth-login.controller';
import { ReauthLogoutController } from './controllers/reauth-logout.controller';
import { PasskeysController } from './controllers/passkeys.controller';
import { StepUpController } from './controllers/step-up.controller';
import { BackchannelLogoutController } from './controllers/backchannel-logout.controller';
import { WorkosEventsController } from './controllers/workos-events.controller';
import { SocketReauthController } from './websockets/socket-reauth.controller';
import type { ReauthModuleExtras, ReauthModuleOptions } from './interfaces';
import { DEFAULT_ROUTES } from './options/reauth.options';
import { OWN_ROUTES_METADATA_KEY } from './core/constants';

/** DI token of the extras given to `forRoot`/`forRootAsync`. */
export const REAUTH_MODULE_EXTRAS = Symbol('REAUTH_MODULE_EXTRAS');

/** The controller class mounted at `path` (Nest reads a controller's path from its class). */
function mountedAt<T>(base: Type<T>, path: string): Type<T> {
  const Mounted = class extends (base as Type<object>) {} as Type<T>;
  Object.defineProperty(Mounted, 'name', { value: base.name });
  Reflect.defineMetadata('path', path, Mounted);
  Reflect.defineMetadata(OWN_ROUTES_METADATA_KEY, true, Mounted);
  return Mounted;
}

function routeControllers(extras: ReauthModuleExtras): Type<unknown>[] {
  const routes = extras.routes ?? {};
  const controllers: Type<unknown>[] = [
    mountedAt(ReauthCallbackController, routes.callback ?? DEFAULT_ROUTES.callback),
  ];
  const login = routes.login ?? DEFAULT_ROUTES.login;
  if (login !== false) {
    controllers.push(mountedAt(ReauthLoginController, login));
    controllers.push(mountedAt(SocketReauthController, login));
  }
  const logout = routes.logout ?? DEFAULT_ROUTES.logout;
  if (logout !== false) controllers.push(mountedAt(ReauthLogoutController, logout));
  const stepUp = routes.stepUp ?? DEFAULT_ROUTES.stepUp;
  if (stepUp !== false) controllers.push(mountedAt(StepUpController, stepUp));
  const passkeys = routes.passkeys ?? DEFAULT_ROUTES.passkeys;
  if (passkeys !== false) controllers.push(mountedAt(PasskeysController, passkeys));
  const backchannelLogout = routes.backchannelLogout ?? DEFAULT_ROUTES.backchannelLogout;
  if (backchannelLogout !== false) {
    controllers.push(mountedAt(BackchannelLogoutController, backchannelLogout));
  }
  const providerEvents = routes.providerEvents ?? DEFAULT_ROUTES.providerEvents;
  if (providerEvents !== false) {
    controllers.push(mountedAt(WorkosEventsController, providerEvents));
  }
  return controllers;
}

export const {
  ConfigurableModuleClass: ReauthConfigurableModule,
  MODULE_OPTIONS_TOKEN: REAUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: REAUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REAUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ReauthModuleOptions>({ moduleName: 'Reauth' })
  .setClassMethodName('forRoot')
  .setExtras<ReauthModuleExtras>({ isGlobal: true, routes: {} }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    controllers: [...(definition.controllers ?? []), ...routeControllers(extras)],
    providers: [
      ...(definition.providers ?? []),
      { provide: REAUTH_MODULE_EXTRAS, useValue: extras },
    ],
  }))
  .build();

/** What `ReauthModule.forRoot()` takes: the options and the extras (`isGlobal`, `routes`). */
export type ReauthModuleForRootOptions = ReauthModuleOptions & ReauthModuleExtras;

/**
 * What `ReauthModule.forRootAsync()` takes: `useFactory` (with `inject` and `imports`),
 * `useClass` or `useExisting`, and the extras.
 */
export type ReauthModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  ReauthModuleOptions,
  'create'
> &
  ReauthModuleExtras;

// The builder's own option types are what forRoot and forRootAsync accept; the named types above
// are the same shapes, written out so that the public API does not name the builder's values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameForRoot: Same<ReauthModuleForRootOptions, typeof REAUTH_OPTIONS_TYPE> = true;
const sameAsync: Same<ReauthModuleAsyncOptions, typeof REAUTH_ASYNC_OPTIONS_TYPE> = true;
void sameForRoot;
void sameAsync;

import { RequireRecentAuth, RequireSignIn, type ReauthLevel } from 'nest-workos-reauth';
import { Controller, Get, Post } from '@nestjs/common';

/** The levels every policy scenario's module declares; `moderate` is the default. */
export const LEVELS = {
  moderate: { maxAge: 3600 },
  strict: { maxAge: 300 },
  sudo: { maxAge: 600, slide: { capSeconds: 1800 } },
} as const satisfies Record<string, ReauthLevel>;

/** Routes on the module's levels, and one open to any signed-in session. */
@Controller('policies')
export class PolicyController {
  @Get('strict')
  @RequireRecentAuth('strict')
  strict() {
    return { ok: 'strict' };
  }

  @Get('delete-project')
  @RequireRecentAuth('strict')
  deleteProject() {
    return { ok: 'delete-project' };
  }

  @Get('default')
  @RequireRecentAuth()
  byDefault() {
    return { ok: 'default' };
  }

  @Get('sudo')
  @RequireRecentAuth('sudo')
  sudo() {
    return { ok: 'sudo' };
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn() {
    return { ok: 'signed-in' };
  }
}

/** A route on a level the module does not define. */
@Controller('broken')
export class UnknownLevelController {
  @Get('unknown')
  @RequireRecentAuth('paranoid')
  unknown() {
    return {};
  }
}

/** A route on the default level, for a module that sets none. */
@Controller('broken')
export class DefaultLevelController {
  @Get('default')
  @RequireRecentAuth()
  byDefault() {
    return {};
  }
}

/** An action bound to a level that is not one-time. */
@Controller('broken')
export class BoundOnSlidingLevelController {
  @Post('pay')
  @RequireRecentAuth('sudo', {
    bind: { fields: ['amount'], summary: ({ amount }) => `Pay ${amount} EUR` },
  })
  pay() {
    return {};
  }
}

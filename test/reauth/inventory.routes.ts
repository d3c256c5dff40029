import { Body, Controller, Delete, Get, Module, Post } from '@nestjs/common';
import { RequireRecentAuth, RequireSignIn, type ReauthLevel } from 'nest-workos-reauth';

/** The module's levels in this scenario; `standard` is the default. */
export const INVENTORY_LEVELS: Record<string, ReauthLevel> = {
  standard: { maxAge: 600 },
  strict: { maxAge: 300, amr: ['mfa'], methods: ['passkey'] },
  relaxed: { maxAge: 600, slide: { capSeconds: 1800 } },
};

/** Every kind of requirement: sign-in, a number, levels, the default level, a bound action. */
@Controller('account')
export class InventoryAccountRoutes {
  @Get()
  @RequireSignIn()
  show() {
    return { ok: true };
  }

  @Post('email')
  @RequireRecentAuth(300)
  changeEmail() {
    return { ok: true };
  }

  @Post('transfer')
  @RequireRecentAuth(0, {
    bind: {
      fields: ['amount', 'payee'],
      summary: ({ amount, payee }) => `Transfer ${amount} EUR to ${payee}`,
    },
  })
  transfer(@Body() body: { amount: number; payee: string }) {
    return body;
  }

  @Delete()
  @RequireRecentAuth('strict')
  remove() {
    return { ok: true };
  }

  /** A write someone forgot to guard. */
  @Post('nickname')
  rename() {
    return { ok: true };
  }

  @Get('help')
  help() {
    return { ok: true };
  }
}

/** A class-level level, and a handler that overrides it with the module default. */
@Controller('admin')
@RequireRecentAuth('relaxed')
export class InventoryAdminRoutes {
  @Get()
  dashboard() {
    return { ok: true };
  }

  @Post('keys')
  @RequireRecentAuth()
  rotateKeys() {
    return { ok: true };
  }
}

/** A public write in a module with no guarded handler: never flagged. */
@Controller('contact')
export class InventoryContactRoutes {
  @Post()
  send() {
    return { ok: true };
  }
}

@Module({ controllers: [InventoryContactRoutes] })
export class InventoryContactModule {}

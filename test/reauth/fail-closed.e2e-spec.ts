import { Controller, Get, Module, Post, UseGuards, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { RecentAuthGuard, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import { freePort } from '../support/ports';
import { RecordingLogger } from '../support/recording-logger';

/** What each handler did: a handler that ran without the library's check would show up here. */
const ran: string[] = [];

@Controller('marked')
class MarkedController {
  @Get('recent')
  @RequireRecentAuth(300)
  recent(): string {
    ran.push('recent');
    return 'ran';
  }

  @Post('zero')
  @RequireRecentAuth(0)
  zero(): string {
    ran.push('zero');
    return 'ran';
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn(): string {
    ran.push('signed-in');
    return 'ran';
  }

  @Get('undocumented')
  @RequireRecentAuth(300, { openapi: false })
  undocumented(): string {
    ran.push('undocumented');
    return 'ran';
  }

  @Get('open')
  open(): string {
    return 'open';
  }
}

@RequireRecentAuth(300)
@Controller('whole')
class WholeController {
  @Get()
  inherits(): string {
    ran.push('whole');
    return 'ran';
  }
}

const ADAPTERS = ['express', 'fastify'] as const;

async function start(
  adapter: (typeof ADAPTERS)[number],
  module: new () => object,
  logger = new RecordingLogger(),
): Promise<{ app: INestApplication; url: string; logger: RecordingLogger }> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}`, logger };
}

describe.each(ADAPTERS)('a marked route in an app without ReauthModule (%s)', (adapter) => {
  @Module({ controllers: [MarkedController, WholeController] })
  class ForgotTheModule {}

  let app: INestApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start(adapter, ForgotTheModule)));
  afterAll(() => app.close());
  beforeEach(() => (ran.length = 0));

  it.each([
    ['GET', '/marked/recent'],
    ['POST', '/marked/zero'],
    ['GET', '/marked/signed-in'],
    ['GET', '/marked/undocumented'],
    ['GET', '/whole'],
  ])('%s %s refuses with a 500 and never runs the handler', async (method, path) => {
    const response = await fetch(url + path, {
      method,
      headers: { authorization: 'Bearer anything', accept: 'application/json' },
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    // The client learns nothing of the set-up; the log says what to fix.
    expect(body).toEqual({ statusCode: 500, message: 'Internal Server Error' });
    expect(ran).toEqual([]);
  });

  it('leaves unmarked routes alone', async () => {
    const response = await fetch(`${url}/marked/open`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('open');
  });
});

describe('the log of a marked route without ReauthModule', () => {
  @Controller('logged')
  class LoggedController {
    @Get()
    @RequireRecentAuth(300)
    handler(): string {
      ran.push('logged');
      return 'ran';
    }
  }
  @Module({ controllers: [LoggedController] })
  class ForgotTheModule {}

  it('names the fix, once per handler', async () => {
    const { app, url, logger } = await start('express', ForgotTheModule);
    try {
      for (let i = 0; i < 3; i += 1) expect((await fetch(`${url}/logged`)).status).toBe(500);
    } finally {
      await app.close();
    }
    const named = logger.lines.filter((line) => line.includes('LoggedController.handler'));
    expect(named).toHaveLength(1);
    expect(named[0]).toContain('Import ReauthModule.forRoot(...)');
    expect(named[0]).toContain('refuses every request with a 500');
  });
});

describe('RecentAuthGuard registered by hand, without ReauthModule', () => {
  const message = /RecentAuthGuard needs ReauthModule: import ReauthModule\.forRoot\(\.\.\.\)/;

  it('as a global guard: the app does not start, and says why', async () => {
    @Module({
      controllers: [MarkedController],
      providers: [{ provide: APP_GUARD, useClass: RecentAuthGuard }],
    })
    class HandRegisteredGlobally {}
    await expect(
      Test.createTestingModule({ imports: [HandRegisteredGlobally] }).compile(),
    ).rejects.toThrow(message);
  });

  it('with @UseGuards on a controller: the app does not start, and says why', async () => {
    @UseGuards(RecentAuthGuard)
    @Controller('guarded')
    class GuardedByHand {
      @Get()
      @RequireRecentAuth(300)
      handler(): string {
        ran.push('guarded');
        return 'ran';
      }
    }
    @Module({ controllers: [GuardedByHand] })
    class HandRegisteredOnController {}
    const moduleRef = Test.createTestingModule({ imports: [HandRegisteredOnController] });
    await expect(
      moduleRef.compile().then(async (compiled) => {
        const app = compiled.createNestApplication({ logger: false });
        try {
          await app.init();
        } finally {
          await app.close();
        }
      }),
    ).rejects.toThrow(message);
  });
});

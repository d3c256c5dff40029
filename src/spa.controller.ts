import { RequireSignIn } from 'nest-workos-reauth';
import { Controller, Get, Header, NotFoundException, Query, StreamableFile } from '@nestjs/common';
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { spaPage } from './views/spa-page';

/** Built by `npm run build:client` (npm start runs it). */
const CLIENT_BUNDLE = resolve(process.cwd(), 'libs/reauth-client/dist/step-up-fetch.js');

@Controller()
export class SpaController {
  @Get('spa')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('mode') mode: unknown): string {
    return spaPage(mode === 'redirect' ? 'redirect' : 'popup');
  }

  @Get('assets/step-up-fetch.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  bundle(): StreamableFile {
    if (!existsSync(CLIENT_BUNDLE)) {
      throw new NotFoundException('The browser helper is not built: run npm run build:client');
    }
    return new StreamableFile(createReadStream(CLIENT_BUNDLE));
  }
}

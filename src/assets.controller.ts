import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_CSS } from './views/layout';
import { PAGE_SCRIPTS } from './views/page-scripts';

/** Built by `npm run build:client` (npm start runs it). */
const CLIENT_BUNDLE = resolve(process.cwd(), 'libs/reauth-client/dist/step-up-fetch.js');

// Set with each file, so that a 404 answers as JSON with its own type.
const JAVASCRIPT = 'text/javascript; charset=utf-8';

/**
 * The pages' stylesheet and scripts, and the browser helper's bundle: files of the demo's own
 * origin, the only ones its Content-Security-Policy lets the pages load.
 */
@Controller('assets')
export class AssetsController {
  @Get('step-up-fetch.js')
  @Header('Cache-Control', 'no-cache')
  bundle(): StreamableFile {
    if (!existsSync(CLIENT_BUNDLE)) {
      throw new NotFoundException('The browser helper is not built: run npm run build:client');
    }
    return new StreamableFile(createReadStream(CLIENT_BUNDLE), { type: JAVASCRIPT });
  }

  @Get('demo.css')
  @Header('Cache-Control', 'no-cache')
  stylesheet(): StreamableFile {
    return new StreamableFile(Buffer.from(DEMO_CSS), { type: 'text/css; charset=utf-8' });
  }

  @Get(':script')
  @Header('Cache-Control', 'no-cache')
  script(@Param('script') name: string): StreamableFile {
    if (!Object.hasOwn(PAGE_SCRIPTS, name)) throw new NotFoundException('No such script');
    return new StreamableFile(Buffer.from(PAGE_SCRIPTS[name]), { type: JAVASCRIPT });
  }
}

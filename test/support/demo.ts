import { startDemo, type RunningDemo } from '../../src/demo';
import { freePort } from './ports';

/** The demo on embedded defaults (its own emulator, test controls on) on a free port. */
export async function startTestDemo(): Promise<RunningDemo> {
  const port = await freePort();
  return startDemo(
    {
      port,
      provider: 'emulator',
      emulatorPort: 0,
      testControls: true,
      apiKey: '',
      clientId: '',
      redirectUri: `http://localhost:${port}/auth/callback`,
      cookiePassword: 'test-demo-cookie-password-of-32-characters',
    },
    { logger: false },
  );
}

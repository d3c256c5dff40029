import { Injectable } from '@nestjs/common';
import { randomBytes } from '../crypto/random';
import type { ReauthRequest } from '../interfaces';
import { choosePageLanguage } from '../pages/page-language';
import type { ReauthPageMessageKey, ReauthPageMessages } from '../pages/page-messages';
import { PageSettings } from '../pages/page-settings';
import { HttpResponses } from './http-responses';
import {
  NO_STORE_HEADERS,
  pagePolicy,
  popupResultPage,
  problemPage,
  type PageFrame,
  type PopupResult,
  type ProblemPage,
} from './problem-page';

/** Looks up a text of the request's language. */
export type PageText = (key: ReauthPageMessageKey) => string;

/**
 * Writes the library's pages in the request's language (the app's resolver, else
 * `Accept-Language`, else the default language) with the app's theme: `lang` and
 * `Content-Language` name the language, `Vary: Accept-Language` is added when the header chose
 * it, and each page gets its own nonce-based `Content-Security-Policy`, no framing, no caching.
 */
@Injectable()
export class PageResponses {
  constructor(
    private readonly settings: PageSettings,
    private readonly responses: HttpResponses,
  ) {}

  /** Ends the response with a failure page, its texts taken from `compose` with the language's. */
  problem(
    request: ReauthRequest,
    response: unknown,
    status: number,
    compose: (text: PageText) => ProblemPage,
  ): void {
    const { frame, text } = this.start(request, response, false);
    this.responses.html(response, status, problemPage(compose(text), frame));
  }

  /** Ends the response with the popup's last page (see {@link popupResultPage}). */
  popup(
    request: ReauthRequest,
    response: unknown,
    result: PopupResult,
    targetOrigin: string,
    summary?: string,
  ): void {
    const { frame, text } = this.start(request, response, true);
    const ok = result.status === 'ok';
    const texts = {
      text: text(ok ? 'popup.confirmed' : 'popup.notConfirmed'),
      actionLabel: text(ok ? 'popup.actionConfirmed' : 'popup.actionNotConfirmed'),
    };
    this.responses.html(
      response,
      200,
      popupResultPage(result, targetOrigin, texts, frame, summary),
    );
  }

  private start(
    request: ReauthRequest,
    response: unknown,
    script: boolean,
  ): { frame: PageFrame; text: PageText } {
    const { languages, theme } = this.settings;
    const choice = choosePageLanguage(request.headers ?? {}, this.resolved(request), languages);
    const messages = this.settings.messages.get(choice.language) as ReauthPageMessages;
    const nonce = randomBytes(16).toString('base64');
    this.responses.setHeaders(response, {
      ...NO_STORE_HEADERS,
      'Content-Security-Policy': pagePolicy(nonce, theme, script),
      'Content-Language': choice.language,
    });
    if (choice.negotiated && languages.length > 1) {
      this.responses.addVary(response, 'Accept-Language');
    }
    return {
      frame: { language: choice.language, theme, nonce },
      text: (key) => messages[key],
    };
  }

  /** The app's choice; a resolver that throws has no say (a page must still be written). */
  private resolved(request: ReauthRequest): string | undefined {
    try {
      return this.settings.language?.(request);
    } catch {
      return undefined;
    }
  }
}

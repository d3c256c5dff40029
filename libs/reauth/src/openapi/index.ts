// OpenAPI documentation of guarded routes, through the optional peer @nestjs/swagger. Internal:
// the decorators apply it; nothing here is part of the public API.
export { DocumentReauthResponses } from './document-route';

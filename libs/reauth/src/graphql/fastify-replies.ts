/**
 * Fastify's request does not know its reply, and Apollo's Fastify integration, through
 * `@nestjs/apollo`, puts only the request in the GraphQL context (`{ req }`): a refused field
 * would have nowhere to write its challenge and binding cookie, and the re-auth URL it returns
 * would then fail at the callback (`state_not_bound`). An `onRequest` hook remembers each
 * request's reply for as long as the request lives.
 */
const replies = new WeakMap<object, object>();

/** What the library needs of a Fastify instance. */
interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (request: object, reply: object, done: (error?: Error) => void) => void,
  ): unknown;
}

/**
 * Makes the reply of every request that `instance` (a Fastify instance) serves reachable from
 * the request. It must run before Fastify is ready (a module's `onModuleInit` does): a hook added
 * to the root instance then reaches the routes registered before it as well, GraphQL's among
 * them. Throws Fastify's error when the instance is already listening.
 */
export function linkFastifyReplies(instance: FastifyHooks): void {
  instance.addHook('onRequest', (request, reply, done) => {
    replies.set(request, reply);
    done();
  });
}

/** The Fastify reply of `request`, when {@link linkFastifyReplies} saw it arrive. */
export function fastifyReplyOf(request: object): object | undefined {
  return replies.get(request);
}

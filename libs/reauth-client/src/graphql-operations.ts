import { REAUTH_REQUIRED_GRAPHQL_CODE } from './protocol.js';
import { isRecord } from './values.js';

// Whether a GraphQL operation refused for re-authentication may be sent again as it is.

/**
 * The GraphQL documents a request sends: a POST's JSON body (`{ query }`, or a batch of them) or
 * a GET's `query` parameter; `undefined` when it is not a GraphQL request.
 */
export async function graphqlDocuments(request: Request): Promise<string[] | undefined> {
  if (request.method === 'GET') {
    const query = new URL(request.url).searchParams.get('query');
    return query === null ? undefined : [query];
  }
  if (!/\bjson\b/i.test(request.headers.get('content-type') ?? '')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(await request.clone().text());
  } catch {
    return undefined;
  }
  const operations = Array.isArray(body) ? (body as unknown[]) : [body];
  const documents = operations.map((operation) =>
    isRecord(operation) && typeof operation.query === 'string' ? operation.query : undefined,
  );
  return documents.length > 0 && documents.every((document) => document !== undefined)
    ? documents
    : undefined;
}

/** Whether a GraphQL document may hold a mutation (in doubt, it may). */
function mayMutate(document: string): boolean {
  const withoutComments = document.replace(/#[^\n\r]*/g, '');
  return /(^|[^\w$])mutation\b/.test(withoutComments);
}

/**
 * Whether a refused GraphQL operation may be sent again as it is: a single query, or a single
 * mutation of which nothing ran (every field of `data` is null and refused). A batch, or a
 * mutation whose other fields ran, is not: they would run twice.
 */
export async function repeatable(
  request: Request,
  known: string[] | undefined,
  json: unknown,
): Promise<boolean> {
  const documents = known ?? (await graphqlDocuments(request));
  if (documents === undefined || documents.length !== 1) return false;
  if (!mayMutate(documents[0])) return true;
  return nothingElseRan(json);
}

/** Every top-level field of the result is null and has a refusal of its own. */
function nothingElseRan(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const { data, errors } = json;
  if (data === null || data === undefined) return true;
  if (!isRecord(data) || !Array.isArray(errors)) return false;
  const refused = new Set(
    (errors as unknown[]).flatMap((error) =>
      isRecord(error) &&
      isRecord(error.extensions) &&
      error.extensions.code === REAUTH_REQUIRED_GRAPHQL_CODE &&
      Array.isArray(error.path) &&
      error.path.length === 1
        ? [String(error.path[0])]
        : [],
    ),
  );
  return Object.entries(data).every(([field, value]) => value === null && refused.has(field));
}

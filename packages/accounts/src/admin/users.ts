import { randomUUID } from 'node:crypto';
import { invalidField, invalidRequest, OAuthError, type UserClaims } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import { hashPassword, passwordProblem } from '../people/passwords.js';
import type { User } from '../people/repository.js';

/** The admin API's person: the id (`sub`), the username, and the OpenID Connect claims flattened beside them. */
export type UserJson = UserClaims & {
  id: string;
  username: string;
  has_password: boolean;
  /** Whether a face is enrolled, so the person can reach `urn:acr:face`. */
  has_face: boolean;
  created_at: string;
  updated_at: string;
};

/** The JSON a person is shown as; never the password hash nor the face template. */
export function userJson(u: User, hasFace: boolean): UserJson {
  return {
    id: u.id,
    username: u.username,
    ...u.claims,
    has_password: u.passwordHash !== null,
    has_face: hasFace,
    created_at: new Date(u.createdAt * 1000).toISOString(),
    updated_at: new Date(u.updatedAt * 1000).toISOString(),
  };
}

const text = (max = 256) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

/** JSON Schema of the claims an operator may set (OpenID Connect Core §5.1 formats). */
const claimProperties = {
  name: text(),
  given_name: text(),
  family_name: text(),
  gender: text(64),
  birthdate: { type: 'string', pattern: '^(\\d{4}|\\d{4}-\\d{2}-\\d{2}|0000-\\d{2}-\\d{2})$' },
  locale: { type: 'string', pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$' },
  picture: { type: 'string', pattern: '^https://\\S+$', maxLength: 2048 },
  email: { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 320 },
  email_verified: { type: 'boolean' },
  phone_number: { type: 'string', pattern: '^\\+[1-9]\\d{1,14}$' },
  phone_number_verified: { type: 'boolean' },
  credential: {
    type: 'object',
    additionalProperties: false,
    required: ['country', 'issuer', 'type', 'number'],
    properties: {
      country: { type: 'string', pattern: '^[A-Z]{2}$' },
      issuer: text(),
      type: text(64),
      number: text(64),
    },
  },
} as const;

const USERNAME = { type: 'string', pattern: '^[A-Za-z0-9._@+-]{1,128}$' } as const;

const userBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    username: USERNAME,
    password: { type: 'string' },
    ...claimProperties,
    // Read-only fields an operator may send back unchanged from a GET.
    id: { type: 'string' },
    has_password: { type: 'boolean' },
    has_face: { type: 'boolean' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

type UserBody = Partial<UserJson> & { password?: string };

const CLAIM_NAMES = Object.keys(claimProperties) as (keyof UserClaims)[];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The schema checks the shape of `birthdate`; this checks that a full date names a day that
 * exists (no 1815-13-10, no 1815-02-30). Year 0000 means "year not given" (OpenID Connect Core
 * §5.1) and, being a leap year in the proleptic Gregorian calendar, allows 29 February.
 */
function checkBirthdate(birthdate: string | undefined): void {
  if (birthdate === undefined || birthdate.length === 4) return;
  const [year, month, day] = birthdate.split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day < 1 || day > days) {
    throw invalidField('birthdate', `"${birthdate}" is not a date that exists (YYYY-MM-DD, 0000-MM-DD or YYYY)`);
  }
}

function claimsOf(body: UserBody): UserClaims {
  checkBirthdate(body.birthdate);
  const claims: Record<string, unknown> = {};
  for (const name of CLAIM_NAMES) if (body[name] !== undefined) claims[name] = body[name];
  return claims as UserClaims;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw invalidRequest(problem);
}

const notFound = (id: string) => new OAuthError('not_found', `user "${id}" does not exist`, 404);
const taken = (username: string) => new OAuthError('invalid_request', `username "${username}" is taken`, 409);

/** `/admin/users`: create, list, get, replace, delete, set password. */
export function userRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.post<{ Body: UserBody }>(
    '/admin/users',
    { schema: { body: { ...userBody, required: ['username'] } } },
    async (request, reply) => {
      const body = request.body;
      const username = (body.username as string).toLowerCase();
      if (body.password !== undefined) checkPassword(body.password);
      if (await ctx.store.users.findByUsername(username)) throw taken(username);
      const now = ctx.now();
      const user: User = {
        id: randomUUID(),
        username,
        passwordHash: body.password !== undefined ? await hashPassword(body.password) : null,
        claims: claimsOf(body),
        createdAt: now,
        updatedAt: now,
      };
      try {
        await ctx.store.users.create(user);
      } catch (error) {
        if (await ctx.store.users.findByUsername(username)) throw taken(username);
        throw error;
      }
      return reply.code(201).send(userJson(user, false));
    },
  );

  app.get<{ Querystring: { limit?: number; page_token?: string } }>(
    '/admin/users',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            page_token: { type: 'string', maxLength: 128 },
          },
        },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 100;
      const after = request.query.page_token;
      const page = await ctx.store.users.list({ limit, ...(after ? { after } : {}) });
      const last = page.at(-1);
      if (last && page.length === limit) {
        reply.header('link', `</admin/users?limit=${limit}&page_token=${encodeURIComponent(last.id)}>; rel="next"`);
      }
      const withFace = await ctx.store.users.withFace(page.map((u) => u.id));
      return page.map((u) => userJson(u, withFace.has(u.id)));
    },
  );

  app.get<{ Params: { id: string } }>('/admin/users/:id', async (request) => {
    const user = await ctx.store.users.get(request.params.id);
    if (!user) throw notFound(request.params.id);
    return userJson(user, (await ctx.store.users.getFaceTemplate(user.id)) !== undefined);
  });

  app.put<{ Params: { id: string }; Body: UserBody }>(
    '/admin/users/:id',
    { schema: { body: userBody } },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      if (body.id !== undefined && body.id !== id) throw invalidRequest('id cannot be changed');
      if (body.password !== undefined) throw invalidRequest('set a password with PUT /admin/users/{id}/password');
      const username = body.username?.toLowerCase();
      if (username) {
        const other = await ctx.store.users.findByUsername(username);
        if (other && other.id !== id) throw taken(username);
      }
      const updated = await ctx.store.users.update(
        id,
        { ...(username ? { username } : {}), claims: claimsOf(body) },
        ctx.now(),
      );
      if (!updated) throw notFound(id);
      return userJson(updated, (await ctx.store.users.getFaceTemplate(id)) !== undefined);
    },
  );

  app.delete<{ Params: { id: string } }>('/admin/users/:id', async (request, reply) => {
    if (!(await ctx.store.users.delete(request.params.id))) throw notFound(request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: { id: string }; Body: { password: string } }>(
    '/admin/users/:id/password',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['password'],
          properties: { password: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      checkPassword(request.body.password);
      const hash = await hashPassword(request.body.password);
      if (!(await ctx.store.users.setPasswordHash(request.params.id, hash, ctx.now())))
        throw notFound(request.params.id);
      return reply.code(204).send();
    },
  );
}

import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * The Signer's schema compilers. Query strings and path parameters are text, so they are coerced
 * to the declared types (`limit=10` → 10), as Fastify does by default. JSON bodies are taken as
 * sent: Fastify's default would turn `null` into `0` or `1.5` into `"1.5"`, so a signature given
 * `"person": null` would silently go to person 0. Here a wrong type is a 400 naming the field.
 */
export function strictBodyValidation(): NonNullable<FastifyServerOptions['schemaController']> {
  const build = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas, options) {
        const coercing = build(externalSchemas, options);
        // Fastify's own options are the JSON Schema (not JTD) kind; only coercion changes.
        const exact = build(externalSchemas, {
          ...options,
          customOptions: { ...options?.customOptions, coerceTypes: false },
        } as Parameters<typeof build>[1]);
        return (route) => (route.httpPart === 'body' ? exact(route) : coercing(route));
      },
    },
  };
}

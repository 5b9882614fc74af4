/** The Signer's tables for envelopes (Kysely row types; snake_case as in SQL). */
// biome-ignore lint/complexity/noBannedTypes: filled in as the envelopes tables are written
export type EnvelopeTables = {};

/** The Signer's tables for pki (Kysely row types; snake_case as in SQL). */
// biome-ignore lint/complexity/noBannedTypes: filled in as the pki tables are written
export type PkiTables = {};

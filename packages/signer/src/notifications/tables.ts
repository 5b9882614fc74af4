/** The Signer's tables for notifications (Kysely row types; snake_case as in SQL). */
// biome-ignore lint/complexity/noBannedTypes: filled in as the notifications tables are written
export type NotificationTables = {};

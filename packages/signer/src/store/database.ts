import type { EnvelopeTables } from '../envelopes/tables.js';
import type { MailTables } from '../mail/tables.js';
import type { NotificationTables } from '../notifications/tables.js';
import type { PkiTables } from '../pki/tables.js';
import type { SigningPageTables } from '../signing-page/tables.js';

/** Every table of the Signer's database; each area declares its own in its `tables.ts`. */
export type SignerDatabase = PkiTables & EnvelopeTables & NotificationTables & SigningPageTables & MailTables;

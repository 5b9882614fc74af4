export {
  AdminClient,
  type AdminOptions,
  type AdminResponse,
  type AdminTarget,
  type AdminTokenSource,
  CliError,
  nextLink,
  resolveAdminTarget,
  resolveAdminToken,
  resolveAdminUrl,
} from './admin-client.js';
export type { KeyJson, RotateKeysJson } from './commands/keys.js';

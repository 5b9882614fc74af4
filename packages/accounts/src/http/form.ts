// The one form parser and its helpers are `@signet/web`'s; endpoints import them from here.
export { type FormParams, formBody, parseForm, queryParams, refuseRepeated, single } from '@signet/web';

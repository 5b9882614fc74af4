// `NO_STORE` is `@signet/web`'s, the one both services send (RFC 6749 §5.1).
export { NO_STORE } from '@signet/web';

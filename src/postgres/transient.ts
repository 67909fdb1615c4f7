// Which PostgreSQL failures a later attempt may not meet again: the connection (dropped, refused, server
// restarting), a lock another session holds past lock_timeout, a statement timeout, a deadlock or serialization
// conflict, the server out of resources. Anything else (a missing column, a bad value) fails the same way again.

/** SQLSTATE classes and codes worth retrying. */
const TRANSIENT_STATES = [/^08/, /^40/, /^53/, /^57/, /^55P03$/, /^58/];
const NETWORK = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/;
const CLIENT_MESSAGES = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'Connection ended',
    'the database system is (starting up|shutting down)',
  ].join('|'),
  'i',
);

export function isTransientPostgresError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (TRANSIENT_STATES.some((state) => state.test(code)) || NETWORK.test(code)))
    return true;
  return typeof message === 'string' && (CLIENT_MESSAGES.test(message) || NETWORK.test(message));
}

// The project's errors: one base class, so callers tell them apart by type (never by message text), and one
// way to turn anything thrown into a message.

/** Base of the project's own errors; `name` is the subclass's name. */
export class AppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line was wrong: the CLIs print the message with their usage and exit 2. */
export class UsageError extends AppError {}

/**
 * What went wrong, in one line: `Name: message` for an Error whose name says something (an SDK's
 * ThrottlingException, a TypeError), the bare message for a plain Error, String() for anything else thrown.
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

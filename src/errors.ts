/** Error classes: retrying cannot help (Permanent), it may (Transient), or the configuration is wrong. */
export class AppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** Retrying cannot help: the job goes to the failed set at once. */
export class PermanentError extends AppError {}
/** A bad environment or config file: start-up exits 1 with this message. */
export class ConfigError extends AppError {}
/** Bad input from outside (HTTP body, YAML file): answered with a 4xx, nothing stored. */
export class InputError extends AppError {}
/** A retry may help; `retryAfterMs` is the platform's hint when it gave one. */
export class TransientError extends AppError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Log-safe fields of any thrown value (Error props are non-enumerable; `message` clashes with winston's). */
export function errorFields(value: unknown): Record<string, string | undefined> {
  const e = value instanceof Error ? value : new Error(String(value));
  return {
    errName: e.name,
    errMessage: e.message,
    stack: e.stack,
    cause: e.cause instanceof Error ? e.cause.message : undefined,
  };
}

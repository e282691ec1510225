/**
 * API errors, as the API server returns them. Controllers treat them as retryable failures
 * (requeue with rate limiting); anything else thrown inside the model is a simulator bug.
 */

export type ApiErrorReason = "NotFound" | "AlreadyExists" | "Conflict" | "Invalid" | "Forbidden";

export class ApiError extends Error {
  constructor(
    readonly reason: ApiErrorReason,
    message: string,
  ) {
    // API errors are expected control flow (a conflict is retried), thrown thousands of times in a
    // large run; capturing a stack for each costs more than the rest of the retry.
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackLimit;
    this.name = "ApiError";
  }
}

export function notFound(kind: string, key: string): ApiError {
  return new ApiError("NotFound", `${kind} "${key}" not found`);
}

export function alreadyExists(kind: string, key: string): ApiError {
  return new ApiError("AlreadyExists", `${kind} "${key}" already exists`);
}

export function conflict(kind: string, key: string): ApiError {
  return new ApiError(
    "Conflict",
    `Operation cannot be fulfilled on ${kind} "${key}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

export function isApiError(error: unknown, reason?: ApiErrorReason): error is ApiError {
  return error instanceof ApiError && (reason === undefined || error.reason === reason);
}

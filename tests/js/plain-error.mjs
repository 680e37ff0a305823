// An error as plain data, the same in every driver of the fault matrix: Node calls it in-process, and the browser
// page imports this very file, so a step's error crosses WebDriver and Playwright as JSON.

/** The fields of `error` the fault matrix checks. */
export function plainError(error) {
  return {
    isError: error instanceof Error,
    name: error?.name,
    code: error?.code,
    message: String(error?.message ?? error),
    retryAfter: error?.retryAfter,
    retryable: error?.retryable,
  };
}

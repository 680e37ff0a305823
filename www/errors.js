// A plain sentence for every error code the library can throw, and what the page offers next.

const seconds = (s) => {
  if (!Number.isFinite(s) || s <= 0) return null;
  if (s < 90) return `${Math.ceil(s)} seconds`;
  if (s < 90 * 60) return `${Math.ceil(s / 60)} minutes`;
  return `${Math.ceil(s / 3600)} hours`;
};

/**
 * @param {any} error what the library (or fetch) threw
 * @param {{ step?: string, domain?: string }} context `step` says what was being done: "recovery" words the
 *   wrong-code message for recovery codes
 * @returns {{ text: string, retry: boolean, restart: boolean }} `retry`: offer to run the same step again as it
 *   was (the network, not the user, failed); `restart`: the login is over, only a new sign-in helps
 */
export function describe(error, context = {}) {
  const code = error?.code ?? "unknown";
  const wait = seconds(error?.retryAfter);
  const where = context.domain ? ` (${context.domain})` : "";
  switch (code) {
    case "invalid_credentials":
      return says("Wrong email or password. Check them and try again.");
    case "invalid_code":
      return says(
        context.step === "recovery"
          ? "That recovery code is not right. Check it and try again."
          : "That code is not right. Check it and try again (a code from an app changes every 30 seconds).",
      );
    case "mfa_token_expired":
    case "mfa_token_invalid":
      return says("Your sign-in session expired. Sign in again to start over.", { restart: true });
    case "too_many_attempts":
      return says(
        `Too many wrong attempts, so this account is locked for now. Wait ${wait ?? "a few minutes"} before trying again.`,
      );
    case "rate_limited":
      return says(`Too many requests right now. Wait ${wait ?? "a moment"}, then retry.`, { retry: true });
    case "network_error":
      return says(
        `The tenant${where} could not be reached. Check your connection (and, for your own tenant, that the application lists this page's origin under Allowed Web Origins), then retry.`,
        { retry: true },
      );
    case "timeout":
      return says(`The tenant${where} took too long to answer. Retry in a moment.`, { retry: true });
    case "server_error":
      return says("The tenant had a problem answering. Retry in a moment.", { retry: true });
    case "invalid_response":
      return says("The tenant sent an answer that could not be read. Retry in a moment.", { retry: true });
    case "push_rejected":
      return says("The sign-in request was denied on your device.");
    case "push_timeout":
      return says("No answer came from your device in time. Send another request or choose another method.");
    case "aborted":
      return says("Stopped waiting for approval.");
    case "user_blocked":
      return says("This account is blocked. Contact the administrator.", { restart: true });
    case "password_leaked":
      return says("This password appeared in a data breach. Reset it before signing in.", { restart: true });
    case "access_denied":
      return says("The tenant refused this sign-in.", { restart: true });
    case "unauthorized_client":
      return says(
        "This application may not sign in with a password and MFA. Enable the Password and MFA grants for it in the Auth0 dashboard.",
        { restart: true },
      );
    case "enrollment_required":
      return says("Set up a second factor first.");
    case "already_enrolled":
      return says("This account already has a second factor: choose it to sign in instead of setting up another.");
    case "challenge_expired":
      return says("That code request expired. Choose the method again to get a new code.");
    case "verification_required":
      return says("The tenant wants the email address verified before signing in.", { restart: true });
    case "invalid_argument":
    case "invalid_option":
      return says(`The settings are not usable: ${error.message}. Fix them under Settings.`);
    case "client_secret_in_browser":
      return says("A client secret must never be used in a browser page: use a Single Page Application client.");
    case "invalid_state":
      return says("This step does not fit the sign-in as it stands. Sign in again.", { restart: true });
    case "mfa_required":
      return says("This step needs a second factor.");
    case "auth0_error":
      return says(`The tenant answered with an error: ${error.description ?? error.error ?? "no details"}.`);
    default:
      return says(`Something went wrong: ${error?.description ?? error?.message ?? String(error)}.`, {
        retry: Boolean(error?.retryable),
        restart: Boolean(error?.restartRequired),
      });
  }
}

function says(text, { retry = false, restart = false } = {}) {
  return { text, retry, restart };
}

// A plain sentence for every error code the library can throw. What the page offers next comes from the error itself:
// `retryable` (the login kept its stage, the step may run again) and `restartRequired` (only a new sign-in helps), as
// the library sets them. The table adds one thing the library cannot know: whether the person's own input was refused,
// in which case they fix it in the form, and running the step again as it was would only repeat the refusal.

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
 *   was (the library says it may run again, and not because of what the person typed); `restart`: the login is over,
 *   only a new sign-in helps
 */
export function describe(error, context = {}) {
  const { text, input = false } = words(error, context);
  return {
    text,
    retry: error?.retryable === true && !input,
    restart: error?.restartRequired === true,
  };
}

/** The sentence for `error`, and whether the person's input was what failed. */
function words(error, context) {
  const code = error?.code ?? "unknown";
  const wait = seconds(error?.retryAfter);
  const where = context.domain ? ` (${context.domain})` : "";
  switch (code) {
    case "invalid_credentials":
      return says("Wrong email or password. Check them and try again.", { input: true });
    case "invalid_code":
      return says(
        context.step === "recovery"
          ? "That recovery code is not right. Check it and try again."
          : "That code is not right. Check it and try again (a code from an app changes every 30 seconds).",
        { input: true },
      );
    case "mfa_token_expired":
    case "mfa_token_invalid":
      return says("Your sign-in session expired. Sign in again to start over.");
    case "too_many_attempts":
      return says(
        `Too many wrong attempts, so this account is locked for now. Wait ${wait ?? "a few minutes"} before trying again.`,
      );
    case "rate_limited":
      return says(`Too many requests right now. Wait ${wait ?? "a moment"}, then retry.`);
    case "network_error":
      return says(
        `The tenant${where} could not be reached. Check your connection (and, for your own tenant, that the application lists this page's origin under Allowed Web Origins), then retry.`,
      );
    case "timeout":
      return says(`The tenant${where} took too long to answer. Retry in a moment.`);
    case "server_error":
      return says("The tenant had a problem answering. Retry in a moment.");
    case "invalid_response":
      return says("The tenant sent an answer that could not be read. Retry in a moment.");
    case "push_rejected":
      return says("The sign-in request was denied on your device.");
    case "push_timeout":
      return says("No answer came from your device in time. Send another request or choose another method.");
    case "aborted":
      return says("Stopped waiting for approval.");
    case "user_blocked":
      return says("This account is blocked. Contact the administrator.");
    case "password_leaked":
      return says("This password appeared in a data breach. Reset it before signing in.");
    case "access_denied":
      return says("The tenant refused this sign-in.");
    case "unauthorized_client":
      return says(
        "This application may not sign in with a password and MFA. Enable the Password and MFA grants for it in the Auth0 dashboard.",
      );
    case "enrollment_required":
      return says("Set up a second factor first.");
    case "already_enrolled":
      return says("This account already has a second factor: choose it to sign in instead of setting up another.");
    case "challenge_expired":
      return says("That code request expired. Choose the method again to get a new code.");
    case "verification_required":
      return says("The tenant wants the email address verified before signing in.");
    case "invalid_argument":
    case "invalid_option":
      return says(`The settings are not usable: ${error.message}. Fix them under Settings.`);
    case "client_secret_in_browser":
      return says("A client secret must never be used in a browser page: use a Single Page Application client.");
    case "invalid_state":
      return says("This step does not fit the sign-in as it stands: wait for the one running, or sign in again.");
    case "mfa_required":
      return says("This step needs a second factor.");
    case "authorization_pending":
      return says("The push notification is not answered yet.");
    case "slow_down":
      return says("The tenant asked to check for approval less often. Wait a moment, then retry.");
    case "invalid_secret":
    case "invalid_base32":
    case "invalid_uri":
      return says(`The authenticator key could not be read: ${error.message}.`);
    case "invalid_time":
      return says("This device's clock gives no usable time. Set the date and time, then try again.");
    case "random_unavailable":
      return says("This browser cannot make the secure random numbers a new key needs.");
    case "auth0_error":
      return says(`The tenant answered with an error: ${error.description ?? error.error ?? "no details"}.`);
    default:
      return says(`Something went wrong: ${error?.description ?? error?.message ?? String(error)}.`);
  }
}

function says(text, { input = false } = {}) {
  return { text, input };
}

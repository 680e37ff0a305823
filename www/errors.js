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
  const code = error?.code;
  const sentence = Object.hasOwn(SENTENCES, code) ? SENTENCES[code] : unknown;
  const facts = { error, context, wait: seconds(error?.retryAfter), where: context.domain ? ` (${context.domain})` : "" };
  return { text: typeof sentence === "function" ? sentence(facts) : sentence, input: INPUT_REFUSED.has(code) };
}

/** The codes that refuse what the person typed: they fix it in the form rather than run the step again. */
const INPUT_REFUSED = new Set(["invalid_credentials", "invalid_code"]);

const sessionExpired = "Your sign-in session expired. Sign in again to start over.";
const badSettings = ({ error }) => `The settings are not usable: ${error.message}. Fix them under Settings.`;
const badKey = ({ error }) => `The authenticator key could not be read: ${error.message}.`;
const unknown = ({ error }) => `Something went wrong: ${error?.description ?? error?.message ?? String(error)}.`;

/** A sentence, or a function of `{ error, context, wait, where }` that words one, for each code. */
const SENTENCES = {
  invalid_credentials: "Wrong email or password. Check them and try again.",
  invalid_refresh_token: "This sign-in can no longer be refreshed (it expired or was ended). Sign in again.",
  invalid_dpop_proof: "The tenant did not accept this browser's proof of its key. Sign in again.",
  invalid_code: ({ context }) =>
    context.step === "recovery"
      ? "That recovery code is not right. Check it and try again."
      : "That code is not right. Check it and try again (a code from an app changes every 30 seconds).",
  mfa_token_expired: sessionExpired,
  mfa_token_invalid: sessionExpired,
  too_many_attempts: ({ wait }) =>
    `Too many wrong attempts, so this account is locked for now. Wait ${wait ?? "a few minutes"} before trying again.`,
  rate_limited: ({ wait }) => `Too many requests right now. Wait ${wait ?? "a moment"}, then retry.`,
  network_error: ({ where }) =>
    `The tenant${where} could not be reached. Check your connection (and, for your own tenant, that the application lists this page's origin under Allowed Web Origins), then retry.`,
  timeout: ({ where }) => `The tenant${where} took too long to answer. Retry in a moment.`,
  server_error: "The tenant had a problem answering. Retry in a moment.",
  invalid_response: "The tenant sent an answer that could not be read. Retry in a moment.",
  push_rejected: "The sign-in request was denied on your device.",
  push_timeout: "No answer came from your device in time. Send another request or choose another method.",
  aborted: "Stopped waiting for approval.",
  user_blocked: "This account is blocked. Contact the administrator.",
  password_leaked: "This password appeared in a data breach. Reset it before signing in.",
  access_denied: "The tenant refused this sign-in.",
  unauthorized_client:
    "This application may not sign in with a password and MFA. Enable the Password and MFA grants for it in the Auth0 dashboard.",
  enrollment_required: "Set up a second factor first.",
  already_enrolled: "This account already has a second factor: choose it to sign in instead of setting up another.",
  challenge_expired: "That code request expired. Choose the method again to get a new code.",
  verification_required: "The tenant wants the email address verified before signing in.",
  invalid_argument: badSettings,
  invalid_option: badSettings,
  client_secret_in_browser: "A client secret must never be used in a browser page: use a Single Page Application client.",
  invalid_state: "This step does not fit the sign-in as it stands: wait for the one running, or sign in again.",
  mfa_required: "This step needs a second factor.",
  authorization_pending: "The push notification is not answered yet.",
  slow_down: "The tenant asked to check for approval less often. Wait a moment, then retry.",
  invalid_secret: badKey,
  invalid_base32: badKey,
  invalid_uri: badKey,
  invalid_time: "This device's clock gives no usable time. Set the date and time, then try again.",
  random_unavailable: "This browser cannot make the secure random numbers a new key needs.",
  auth0_error: ({ error }) => `The tenant answered with an error: ${error.description ?? error.error ?? "no details"}.`,
};

//! `POST /mfa/challenge` (JSON, `mfa_token` in the body, no Authorization header).

use super::Operation;
use super::config::Config;
use super::json::{Writer, answer};
use super::response::{classify_error, invalid, parse_json};
use super::secret::{MfaToken, OobCode};
use super::types::Challenge;
use super::wire::{JSON, request, with_body};
use crate::error::{Error, ResponseProblem};
use crate::http::{HttpRequest, HttpResponse, Method};

pub const PATH: &str = "/mfa/challenge";

/// The `challenge_type` to send: `otp` for authenticator apps, `oob` for SMS, voice, email and push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeType {
    Otp,
    Oob,
}

impl ChallengeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Otp => "otp",
            Self::Oob => "oob",
        }
    }
}

/// Body: `{"client_id", "client_secret"?, "mfa_token", "challenge_type", "authenticator_id"?}`.
pub fn request_for(
    config: &Config,
    mfa_token: &MfaToken,
    challenge_type: ChallengeType,
    authenticator_id: Option<&str>,
) -> HttpRequest {
    let mut body = Writer::new();
    body.begin(None);
    body.str("client_id", config.client_id());
    if let Some(secret) = config.client_secret() {
        body.str("client_secret", secret.expose());
    }
    body.str("mfa_token", mfa_token.expose());
    body.str("challenge_type", challenge_type.as_str());
    if let Some(id) = authenticator_id {
        body.str("authenticator_id", id);
    }
    body.end();
    with_body(request(config, Method::Post, PATH), JSON, body.finish())
}

answer! {
    struct RawChallenge {
        challenge_type: String = required,
        oob_code: Option<OobCode> = string,
        binding_method: Option<String> = loose_string,
    }
}

/// An `oob` challenge must carry an `oob_code`.
pub fn parse(response: &HttpResponse) -> Result<Challenge, Error> {
    if !response.is_success() {
        return Err(classify_error(response, Operation::Challenge));
    }
    let raw = parse_json(response, "a challenge", b'{', RawChallenge::from_answer)?;
    if raw.challenge_type == "oob" && raw.oob_code.is_none() {
        return Err(invalid(response, ResponseProblem::WrongShape, "an oob challenge with an oob_code"));
    }
    Ok(Challenge {
        challenge_type: raw.challenge_type,
        oob_code: raw.oob_code,
        binding_method: raw.binding_method.filter(|m| !m.is_empty()),
    })
}

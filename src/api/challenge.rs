//! `POST /mfa/challenge` (JSON, `mfa_token` in the body, no Authorization header).

use super::Operation;
use super::config::Config;
use super::response::{classify_error, invalid, parse_json};
use super::secret::{MfaToken, OobCode};
use super::types::Challenge;
use super::wire::{JSON, json, request, with_body};
use crate::error::{Error, ResponseProblem};
use crate::http::{HttpRequest, HttpResponse, Method};
use serde::{Deserialize, Serialize};

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

#[derive(Serialize)]
struct ChallengeBody<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    mfa_token: &'a str,
    challenge_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authenticator_id: Option<&'a str>,
}

/// Body: `{"client_id", "client_secret"?, "mfa_token", "challenge_type", "authenticator_id"?}`.
pub fn request_for(
    config: &Config,
    mfa_token: &MfaToken,
    challenge_type: ChallengeType,
    authenticator_id: Option<&str>,
) -> HttpRequest {
    let body = ChallengeBody {
        client_id: config.client_id(),
        client_secret: config.client_secret().map(|s| s.expose()),
        mfa_token: mfa_token.expose(),
        challenge_type: challenge_type.as_str(),
        authenticator_id,
    };
    with_body(request(config, Method::Post, PATH), JSON, json(&body))
}

#[derive(Deserialize)]
struct RawChallenge {
    challenge_type: String,
    #[serde(default)]
    oob_code: Option<OobCode>,
    #[serde(default)]
    binding_method: Option<String>,
}

/// An `oob` challenge must carry an `oob_code`.
pub fn parse(response: &HttpResponse) -> Result<Challenge, Error> {
    if !response.is_success() {
        return Err(classify_error(response, Operation::Challenge));
    }
    let raw: RawChallenge = parse_json(response, "a challenge")?;
    if raw.challenge_type == "oob" && raw.oob_code.is_none() {
        return Err(invalid(response, ResponseProblem::WrongShape, "an oob challenge with an oob_code"));
    }
    Ok(Challenge {
        challenge_type: raw.challenge_type,
        oob_code: raw.oob_code,
        binding_method: raw.binding_method.filter(|m| !m.is_empty()),
    })
}

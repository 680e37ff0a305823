//! The client's private keys, which stay in JavaScript as `CryptoKey`s: the key that signs client assertions
//! (`private_key_jwt`) and the DPoP key pair. WebCrypto (`crypto.subtle`) signs, the same in browsers, Node and
//! workerd (`keys.js`); Rust holds one signing function for each, asks it for a new assertion or proof per
//! request, and never holds key material.

use super::error::invalid_option;
use super::input::Options;
use super::task::settle;
use crate::http::TransportError;
use core::future::Future;
use core::pin::Pin;
use js_sys::{Array, Date, Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/keys.js")]
extern "C" {
    /// `(clientId, audience, now) => Promise<string>`
    #[wasm_bindgen(js_name = assertionSigner)]
    fn assertion_signer(key: &JsValue, alg: &str) -> Function;
    /// `(htm, htu, nonce, accessToken, now) => Promise<string>`
    #[wasm_bindgen(js_name = dpopSigner)]
    fn dpop_signer(choice: &JsValue) -> Function;
}

/// The algorithms Auth0 accepts for a client assertion; the first is the default.
const ASSERTION_ALGORITHMS: [&str; 3] = ["RS256", "RS384", "PS256"];

const UNUSABLE_SIGNING_KEY: TransportError = TransportError::UnusableKey {
    option: "client_assertion_signing_key",
    reason: "could not be used: a private RSA key (PKCS#8 PEM, JWK or CryptoKey) for clientAssertionSigningAlg",
};
const UNUSABLE_DPOP_KEY: TransportError = TransportError::UnusableKey {
    option: "dpop",
    reason: "key pair could not be used: an ECDSA P-256 CryptoKeyPair whose private key can sign",
};

/// What the transport signs with, from the client's options.
pub(crate) struct Keys {
    client_id: String,
    assertion: Option<Function>,
    dpop: Option<Function>,
}

impl Keys {
    /// Reads `clientAssertionSigningKey`, `clientAssertionSigningAlg` and `dpop`. Their shapes are checked here; the
    /// keys themselves when they first sign, as WebCrypto answers with a promise.
    pub(crate) fn from_options(options: &Options, client_id: &str) -> Result<Self, JsValue> {
        let assertion = match options.get("clientAssertionSigningKey")? {
            None => None,
            Some(key) if key.is_string() || key.is_object() => {
                let alg = match options.text("clientAssertionSigningAlg")? {
                    None => ASSERTION_ALGORITHMS[0],
                    Some(alg) => ASSERTION_ALGORITHMS
                        .into_iter()
                        .find(|known| *known == alg)
                        .ok_or_else(|| invalid_option("clientAssertionSigningAlg", "must be RS256, RS384 or PS256"))?,
                };
                Some(assertion_signer(&key, alg))
            }
            Some(_) => {
                return Err(invalid_option(
                    "clientAssertionSigningKey",
                    "must be a CryptoKey, a PKCS#8 PEM string or a private JWK",
                ));
            }
        };
        let dpop = match options.get("dpop")? {
            None => None,
            Some(flag) if flag.as_bool() == Some(false) => None,
            Some(flag) if flag.as_bool() == Some(true) => Some(dpop_signer(&flag)),
            Some(choice) => {
                let pair = Options::required(&choice, "dpop")
                    .and_then(|choice| choice.get("keyPair"))
                    .ok()
                    .flatten()
                    .filter(JsValue::is_object)
                    .ok_or_else(|| invalid_option("dpop", "must be true or { keyPair: CryptoKeyPair }"))?;
                Some(dpop_signer(&pair))
            }
        };
        Ok(Self { client_id: client_id.to_owned(), assertion, dpop })
    }

    /// A new client assertion for `audience`, when the client signs them.
    pub(crate) async fn client_assertion(&self, audience: &str) -> Result<Option<String>, TransportError> {
        let Some(signer) = &self.assertion else { return Ok(None) };
        let args = [self.client_id.as_str().into(), audience.into(), now_seconds()];
        signed(signer, &args, UNUSABLE_SIGNING_KEY).await.map(Some)
    }

    /// A new DPoP proof for `method` and `url`, with the hash of `access_token` when one is presented; `None` when
    /// the client does not use DPoP.
    pub(crate) async fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> Result<Option<String>, TransportError> {
        let Some(signer) = &self.dpop else { return Ok(None) };
        let text = |text: Option<&str>| text.map_or(JsValue::UNDEFINED, JsValue::from);
        let args = [method.into(), url.into(), text(nonce), text(access_token), now_seconds()];
        signed(signer, &args, UNUSABLE_DPOP_KEY).await.map(Some)
    }
}

/// What `signer(...args)` resolves with, or `unusable` when it throws, rejects or resolves with anything but a
/// string. Boxed: one compiled copy serves both signers.
fn signed<'a>(
    signer: &'a Function,
    args: &'a [JsValue],
    unusable: TransportError,
) -> Pin<Box<dyn Future<Output = Result<String, TransportError>> + 'a>> {
    Box::pin(async move {
        let args: Array = args.iter().collect();
        let promise = signer.apply(&JsValue::UNDEFINED, &args).map_err(|_| unusable.clone())?;
        let signed = settle(&Promise::resolve(&promise)).await.map_err(|_| unusable.clone())?;
        signed.as_string().ok_or(unusable)
    })
}

/// Unix seconds, whole: the time claims of an assertion or proof.
fn now_seconds() -> JsValue {
    JsValue::from_f64((Date::now() / 1000.0).floor())
}

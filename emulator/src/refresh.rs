//! Refresh-token families: rotation with a counter, reuse detection (with the optional leeway for the
//! immediate predecessor), absolute and idle lifetimes, DPoP binding, and the control plane's view of them.

use crate::errors::{self, ApiResult};
use crate::state::{Client, REFRESH_FAMILIES_PER_USER_AND_CLIENT, RefreshFamily, RefreshGrant, Revocation, State};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A refresh token that may be exchanged now.
#[derive(Clone, Debug)]
pub struct Presented {
    pub family: String,
    /// The predecessor of the newest member, reused within the leeway: it gets another token of the newest
    /// generation instead of moving the family on.
    pub within_leeway: bool,
}

/// What a new family starts with.
pub struct NewFamily<'a> {
    pub user_id: &'a str,
    pub audience: Option<String>,
    pub scope: &'a str,
    pub mfa: bool,
    pub jkt: Option<String>,
}

/// The DPoP key the token's family is bound to, if any; looked at before the proof is checked.
pub fn bound_key(state: &State, token: &str) -> Option<String> {
    let grant = state.refresh_tokens.get(token)?;
    state.refresh_families.get(&grant.family)?.jkt.clone()
}

/// Whether `token` may be exchanged by `client` with a proof of `jkt`. Presenting a member that was already
/// rotated (outside the leeway) revokes the whole family, as Auth0 does ("Reused rotating refresh token
/// detected, revoked the family"); that and every later use answer like an unknown token.
pub fn check(state: &mut State, client: &Client, token: &str, jkt: Option<&str>) -> ApiResult<Presented> {
    let now = state.now_ms();
    let grant = state.refresh_tokens.get(token).cloned().ok_or_else(errors::refresh_token_invalid)?;
    let family = state.refresh_families.get_mut(&grant.family).ok_or_else(errors::refresh_token_invalid)?;
    if family.client_id != client.client_id {
        return Err(errors::refresh_token_invalid());
    }
    if let Some(revoked) = &mut family.revoked {
        revoked.later_uses += 1;
        return Err(errors::refresh_token_invalid());
    }
    if family.expired(now) {
        return Err(errors::refresh_token_invalid());
    }
    // A proof by the wrong key is refused before reuse detection, so that whoever replays a stolen bound token
    // without its key cannot revoke the family.
    if let Some(bound) = &family.jkt {
        match jkt {
            None => return Err(errors::dpop_bound_proof_missing()),
            Some(jkt) if jkt != bound => return Err(errors::dpop_key_mismatch()),
            Some(_) => {}
        }
    }
    let leeway_ms = (client.refresh_leeway_secs as i64) * 1000;
    if grant.counter == family.latest {
        return Ok(Presented { family: grant.family, within_leeway: false });
    }
    if grant.counter + 1 == family.latest && leeway_ms > 0 && now - family.latest_since_ms <= leeway_ms {
        return Ok(Presented { family: grant.family, within_leeway: true });
    }
    family.revoked = Some(Revocation { at_ms: now, reason: "reuse_detected", later_uses: 0 });
    Err(errors::refresh_token_invalid())
}

/// Exchanges a checked token: renews the family's idle lifetime and, with rotation, returns the new member
/// that supersedes the one presented. Without rotation the same token stays in use and none is returned.
pub fn exchange(state: &mut State, client: &Client, presented: &Presented) -> Option<String> {
    let now = state.now_ms();
    let family = state.refresh_families.get_mut(&presented.family)?;
    let idle_ms = (client.refresh_idle_secs as i64) * 1000;
    family.idle_expires_ms = now.saturating_add(idle_ms).min(family.absolute_expires_ms);
    if !client.refresh_rotation {
        return None;
    }
    if !presented.within_leeway {
        family.latest += 1;
        family.latest_since_ms = now;
    }
    let counter = family.latest;
    Some(mint(state, &presented.family, counter))
}

/// Records that the user passed MFA for this family now (MFA on refresh counts from here).
pub fn record_mfa(state: &mut State, family: &str) {
    let now = state.now_ms();
    if let Some(family) = state.refresh_families.get_mut(family) {
        family.last_mfa_ms = Some(now);
    }
}

/// Starts a family and returns its first token. Past Auth0's 200 families per user and client, the oldest
/// goes.
pub fn start(state: &mut State, client: &Client, new: NewFamily<'_>) -> String {
    let now = state.now_ms();
    let mut theirs: Vec<(u64, String)> = state
        .refresh_families
        .iter()
        .filter(|(_, f)| f.user_id == new.user_id && f.client_id == client.client_id && f.revoked.is_none())
        .map(|(id, f)| (f.seq, id.clone()))
        .collect();
    if theirs.len() >= REFRESH_FAMILIES_PER_USER_AND_CLIENT {
        theirs.sort_unstable();
        let excess = theirs.len() + 1 - REFRESH_FAMILIES_PER_USER_AND_CLIENT;
        for (_, id) in theirs.into_iter().take(excess) {
            state.refresh_families.remove(&id);
            state.refresh_tokens.retain(|_, grant| grant.family != id);
        }
    }
    let id = format!("rtf_{}", state.random.hex(8));
    state.refresh_seq += 1;
    let absolute_expires_ms = now.saturating_add((client.refresh_absolute_secs as i64) * 1000);
    let idle_expires_ms = now.saturating_add((client.refresh_idle_secs as i64) * 1000).min(absolute_expires_ms);
    let family = RefreshFamily {
        user_id: new.user_id.to_owned(),
        client_id: client.client_id.clone(),
        audience: new.audience,
        scope: new.scope.to_owned(),
        seq: state.refresh_seq,
        created_ms: now,
        absolute_expires_ms,
        idle_expires_ms,
        latest: 0,
        latest_since_ms: now,
        last_mfa_ms: new.mfa.then_some(now),
        jkt: new.jkt,
        revoked: None,
    };
    state.refresh_families.insert(id.clone(), family);
    mint(state, &id, 0)
}

fn mint(state: &mut State, family: &str, counter: u64) -> String {
    let token = format!("v1.{}", state.random.token(48));
    state.refresh_seq += 1;
    let grant = RefreshGrant { family: family.to_owned(), counter, seq: state.refresh_seq };
    state.refresh_tokens.insert(token.clone(), grant);
    token
}

/// `GET /__emu/refresh-tokens`: the families, oldest first, optionally of one user (name, email or id) and
/// one client; never the tokens themselves.
pub fn list_json(state: &State, user: Option<&str>, client: Option<&str>) -> Value {
    let now = state.now_ms();
    let mut members: HashMap<&str, usize> = HashMap::new();
    for grant in state.refresh_tokens.values() {
        *members.entry(grant.family.as_str()).or_default() += 1;
    }
    let user_id = user
        .map(|u| state.find_user_by_login(u).map(|i| state.users[i].user_id.clone()).unwrap_or_else(|| u.to_owned()));
    let mut families: Vec<(&String, &RefreshFamily)> = state
        .refresh_families
        .iter()
        .filter(|(_, f)| user_id.as_deref().is_none_or(|u| f.user_id == u))
        .filter(|(_, f)| client.is_none_or(|c| f.client_id == c))
        .collect();
    families.sort_unstable_by_key(|(_, f)| f.seq);
    let secs = |ms: i64| ms.div_euclid(1000);
    Value::Array(
        families
            .into_iter()
            .map(|(id, f)| {
                json!({
                    "family_id": id, "user_id": f.user_id, "client_id": f.client_id, "audience": f.audience,
                    "scope": f.scope, "counter": f.latest, "tokens": members.get(id.as_str()).copied().unwrap_or(0),
                    "created_at": secs(f.created_ms), "expires_at": secs(f.absolute_expires_ms),
                    "idle_expires_at": secs(f.idle_expires_ms), "expired": f.expired(now),
                    "last_mfa_at": f.last_mfa_ms.map(secs), "dpop_jkt": f.jkt,
                    "revoked": f.revoked.is_some(),
                    "revoked_at": f.revoked.as_ref().map(|r| secs(r.at_ms)),
                    "revoked_reason": f.revoked.as_ref().map(|r| r.reason),
                    "uses_after_revocation": f.revoked.as_ref().map(|r| r.later_uses),
                })
            })
            .collect(),
    )
}

//! Signing in and out: `me`, `login`, `refreshToken`, `logout`.

use async_graphql::{Context, Object};
use chrono::Utc;
use nuanxin_domain::policy::Operation;
use nuanxin_locale::msg;
use uuid::Uuid;

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, AllowedAny, Authenticated, principal, request_meta};
use nuanxin_auth::{LoginThrottle, TokenService, hash_refresh_token, new_refresh_token};
use nuanxin_store::{RefreshOutcome, StaffUserRecord, Store};

use crate::session::objects::{AuthPayload, Me};

/// An argon2id hash verified when the username is unknown, so that a wrong username takes
/// as long as a wrong password (no user enumeration by timing).
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    nuanxin_auth::hash_password("no-such-user-timing-pad").unwrap_or_default()
});

#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The caller, as the access token says.
    #[graphql(guard = "Authenticated", visible = "guard::is_authenticated")]
    async fn me(&self, ctx: &Context<'_>) -> Me {
        Me(principal(ctx).clone())
    }
}

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Staff log in with username and password.
    #[graphql(guard = "Allowed(Operation::Login)", visible = "guard::may_log_in")]
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let store = ctx.data::<Store>()?;
        let throttle = ctx.data::<LoginThrottle>()?;
        if username.len() > 64 || password.len() > 1024 {
            return Err(ApiError::Unauthenticated(msg!("wrong-password"))).gql();
        }
        // Throttled before anything is looked up or hashed; `?username` escapes control
        // characters, so a username cannot forge a log line.
        if let Err(t) = throttle.admit(&username, request_meta(ctx).client) {
            tracing::warn!(?username, "sign-in throttled");
            return Err(ApiError::Throttled(t)).gql();
        }
        let user = store.staff_user_by_username(&username).await.gql()?;
        let hash = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let ok = throttle
            .verify(password, hash)
            .await
            .map_err(ApiError::Throttled)
            .gql()?;
        match user {
            Some(user) if ok && user.active => {
                throttle.succeeded(&username);
                tracing::info!(user = ?user.username, "login");
                issue_pair(ctx, &user, Uuid::now_v7()).await
            }
            _ => {
                throttle.failed(&username);
                tracing::info!(?username, "failed login");
                Err(ApiError::Unauthenticated(msg!("wrong-password"))).gql()
            }
        }
    }

    /// Exchanges a refresh token for a new access and refresh token. A refresh token works
    /// once: presenting a spent one signs out every session of that login.
    #[graphql(guard = "Allowed(Operation::Login)", visible = "guard::may_log_in")]
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> async_graphql::Result<AuthPayload> {
        let store = ctx.data::<Store>()?;
        let tokens = ctx.data::<TokenService>()?;
        let new_token = new_refresh_token().map_err(|_| ApiError::Internal).gql()?;
        let new_expires = Utc::now() + tokens.settings().refresh_ttl;
        let outcome = store
            .rotate_refresh_token(
                &hash_refresh_token(&refresh_token),
                &hash_refresh_token(&new_token),
                new_expires,
            )
            .await
            .gql()?;
        match outcome {
            RefreshOutcome::Rotated { user_id } => {
                let user = store
                    .staff_user_by_id(user_id)
                    .await
                    .gql()?
                    .filter(|u| u.active)
                    .ok_or_else(|| ApiError::Unauthenticated(msg!("account-disabled")))
                    .gql()?;
                let access = tokens
                    .issue(&user.principal())
                    .map_err(|_| ApiError::Internal)
                    .gql()?;
                Ok(AuthPayload {
                    access_token: access.token,
                    access_token_expires_at: access.expires_at,
                    refresh_token: new_token,
                    refresh_token_expires_at: new_expires,
                    me: Me(user.principal()),
                })
            }
            RefreshOutcome::Reused => {
                Err(ApiError::Unauthenticated(msg!("refresh-token-reused"))).gql()
            }
            RefreshOutcome::Expired => {
                Err(ApiError::Unauthenticated(msg!("refresh-token-expired"))).gql()
            }
            RefreshOutcome::Unknown => {
                Err(ApiError::Unauthenticated(msg!("refresh-token-invalid"))).gql()
            }
        }
    }

    /// Signs out. The access token this request carries is refused from the next request
    /// on (its id is kept until it would have expired), and the login the refresh token
    /// belongs to, if one is given, ends. True when anything was signed out.
    #[graphql(
        guard = "AllowedAny(&[Operation::Login, Operation::Logout])",
        visible = "guard::may_log_out"
    )]
    async fn logout(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> async_graphql::Result<bool> {
        let store = ctx.data::<Store>()?;
        let mut signed_out = store.revoke_access_token(principal(ctx)).await.gql()?;
        if let Some(refresh) = refresh_token {
            signed_out |= store
                .revoke_refresh_token(&hash_refresh_token(&refresh))
                .await
                .gql()?;
        }
        Ok(signed_out)
    }
}

async fn issue_pair(
    ctx: &Context<'_>,
    user: &StaffUserRecord,
    chain: Uuid,
) -> async_graphql::Result<AuthPayload> {
    let store = ctx.data::<Store>()?;
    let tokens = ctx.data::<TokenService>()?;
    let principal = user.principal();
    let access = tokens
        .issue(&principal)
        .map_err(|_| ApiError::Internal)
        .gql()?;
    let refresh = new_refresh_token().map_err(|_| ApiError::Internal).gql()?;
    let refresh_expires = Utc::now() + tokens.settings().refresh_ttl;
    store
        .insert_refresh_token(
            chain,
            user.id,
            &hash_refresh_token(&refresh),
            refresh_expires,
        )
        .await
        .gql()?;
    Ok(AuthPayload {
        access_token: access.token,
        access_token_expires_at: access.expires_at,
        refresh_token: refresh,
        refresh_token_expires_at: refresh_expires,
        me: Me(principal),
    })
}

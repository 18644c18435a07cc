//! The subscription root: emergency calls as they happen, to each listener only the calls
//! of families in its rows that have climbed to its level of the ladder.

use async_graphql::{Context, Subscription};
use futures_util::Stream;
use nuanxin_domain::Operation;
use nuanxin_store::Store;
use tokio::sync::broadcast::error::RecvError;

use crate::emergency::objects::EmergencyCallEvent;
use crate::guard::{self, Allowed, principal};

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Emergency calls as they happen: a call raised (or escalated to my level) for a
    /// family in my rows, and each later step of it (acknowledged, closed). Raised on any
    /// gateway replica, it reaches me on mine.
    #[graphql(
        guard = "Allowed(Operation::ReceiveEmergencyCalls)",
        visible = "guard::may_receive_emergency_calls"
    )]
    async fn emergency_calls(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = EmergencyCallEvent> + use<>> {
        let store = ctx.data::<Store>()?.clone();
        let p = principal(ctx).clone();
        let events = store.call_events();
        Ok(futures_util::stream::unfold(
            (store, p, events),
            |(store, p, mut events)| async move {
                loop {
                    let event = match events.recv().await {
                        Ok(e) => e,
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(missed, "a listener fell behind on call events");
                            continue;
                        }
                        Err(RecvError::Closed) => return None,
                    };
                    // Whether this listener may hear it is decided there, without a query.
                    match store.deliver_call(&p, &event).await {
                        Ok(Some(call)) => {
                            let out = EmergencyCallEvent {
                                step: event.step,
                                call,
                            };
                            return Some((out, (store, p, events)));
                        }
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::error!(error = %e, call = %event.call, "call not delivered");
                            continue;
                        }
                    }
                }
            },
        ))
    }
}

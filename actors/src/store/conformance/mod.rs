//! The storage conformance suite: every backend must pass every case.
//!
//! A backend's test file calls [`crate::store_conformance_suite!`] with an async
//! expression that builds a fresh, empty store; each case becomes its own test.

mod account_tokens;
mod accounts;
mod catalog;
mod copy;
mod fences;
mod fixtures;
mod notifications;
mod orders;
mod outbox;
mod races;

pub use account_tokens::*;
pub use accounts::*;
pub use catalog::*;
pub use copy::*;
pub use fences::*;
pub use fixtures::{address, product, user};
pub use notifications::*;
pub use orders::*;
pub use outbox::*;
pub use races::*;

/// A fresh, empty store for one case, and what must outlive it (a temporary
/// directory, a database dropped at the end).
pub struct Fresh {
    pub store: std::sync::Arc<dyn crate::store::Store>,
    pub keep: Box<dyn std::any::Any + Send>,
}

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh store
/// built by `$make`: an async expression yielding `Option<Fresh>`, `None`
/// when the backend's server is missing and the case is skipped (the maker
/// says why).
#[macro_export]
macro_rules! store_conformance_suite {
    ($make:expr) => {
        $crate::store_conformance_suite!(@cases $make;
            users_round_trip, duplicate_email_conflicts, concurrent_duplicate_registrations,
            concurrent_distinct_writes_all_land, update_user_moves_email_index,
            list_users_paginates_and_filters, addresses_are_owned_and_bounded,
            refresh_rotation_and_reuse, concurrent_rotation_has_one_winner,
            expired_refresh_tokens_are_invalid_and_purged, catalog_round_trip, meta_round_trip,
            inventory_changes_are_atomic_and_listed, carts_round_trip, order_timelines_append_in_order,
            concurrent_appends_have_one_winner, orders_are_listed_newest_first_per_buyer_seller_and_all,
            tickets_are_unique_per_idempotency_key, placing_an_order_completes_its_ticket,
            placing_an_order_empties_its_buyers_cart, product_vectors_round_trip,
            fenced_writes_refuse_an_older_epoch, racing_fenced_writers_only_the_newer_lands,
            one_order_per_checkout_ticket, pages_hold_while_orders_are_added,
            pages_hold_while_accounts_are_added, copy_moves_every_record,
            outbox_lists_due_mail_soonest_first, outbox_updates_only_the_mail_as_read,
            racing_workers_take_a_mail_once, order_mail_is_stored_only_with_its_cause,
            purging_mail_keeps_open_and_recent_mail,
            account_tokens_are_taken_once_for_their_purpose,
            racing_takers_of_a_token_have_one_winner,
            notifications_page_newest_first_per_user,
            notifications_are_marked_read_by_their_owner, old_notifications_are_purged);
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fresh: Option<$crate::store::conformance::Fresh> = $make.await;
                if let Some(fresh) = fresh {
                    $crate::store::conformance::$case(fresh.store).await;
                    drop(fresh.keep);
                }
            }
        )*
    };
}

//! What the notification writes hold, and how rows read back (no server).

use scylla::value::CqlValue;
use serde_json::json;
use souk_models::NotificationKind;
use time::{Duration, OffsetDateTime};

use super::*;

fn note(created_at: OffsetDateTime) -> Notification {
    Notification {
        id: NotificationId::new(),
        user_id: UserId::new(),
        kind: NotificationKind::NewOrder,
        title: "A new order".into(),
        data: json!({ "order_id": "o1" }),
        created_at,
        read_at: None,
    }
}

/// Each write as its verb, table and series name (if it has one).
fn shapes(writes: &[Write]) -> Vec<String> {
    writes
        .iter()
        .map(|w| {
            let words: Vec<&str> = w.cql.split_whitespace().collect();
            let table = if words[0] == "UPDATE" {
                words[1]
            } else {
                words[2]
            };
            let series = match w.values.first() {
                Some(Some(CqlValue::Text(name))) => name.as_str(),
                _ => "-",
            };
            format!("{} {table} {series}", words[0])
        })
        .collect()
}

#[test]
fn an_unread_notification_is_marked_unread_and_listed_by_when_it_was_made() {
    let made = OffsetDateTime::now_utc() - Duration::days(100);
    let n = note(made);
    let writes = add_writes(&n).expect("in range");
    assert_eq!(
        shapes(&writes),
        [
            "INSERT notifications -",
            "INSERT notifications_unread -",
            "INSERT series notifications",
            "INSERT series_buckets notifications",
        ]
    );
    assert_eq!(writes[0].values.len(), 3);
    assert_eq!(writes[0].values[1], vals![key(n.id.0)][0]);
    // Bucketed by when it was made, not by its id's time.
    let bucket = series::bucket_of_time(made);
    assert_ne!(bucket, series::bucket_of_id(n.id.0));
    assert_eq!(writes[2].values[1], vals![bucket][0]);
    assert_eq!(
        writes[2].values[3],
        vals![nanos(made).expect("in range")][0]
    );
    let Some(CqlValue::Blob(index)) = &writes[2].values[2] else {
        panic!("no index id: {:?}", writes[2].values);
    };
    assert_eq!(from_index_id(index).expect("32 bytes"), (n.user_id, n.id));
}

#[test]
fn a_read_notification_is_stored_with_its_time_and_no_mark() {
    let at = OffsetDateTime::now_utc();
    let n = Notification {
        read_at: Some(at),
        ..note(at)
    };
    let writes = add_writes(&n).expect("in range");
    assert_eq!(
        shapes(&writes),
        [
            "INSERT notifications -",
            "INSERT series notifications",
            "INSERT series_buckets notifications",
        ]
    );
    assert_eq!(writes[0].values[3], vals![nanos(at).expect("in range")][0]);
}

#[test]
fn marking_read_sets_the_time_and_drops_the_mark_and_a_purge_drops_all() {
    let n = note(OffsetDateTime::now_utc());
    let marked = mark_writes(n.user_id, key(n.id.0), 7);
    assert_eq!(
        shapes(&marked),
        ["UPDATE notifications -", "DELETE notifications_unread -"]
    );
    assert_eq!(marked[0].values[0], vals![7i64][0]);
    let purged = purge_writes(n.user_id, n.id, 3);
    assert_eq!(
        shapes(&purged),
        [
            "DELETE notifications -",
            "DELETE notifications_unread -",
            "DELETE series notifications",
        ]
    );
    assert_eq!(purged[2].values[2], vals![index_id(n.user_id, n.id)][0]);
}

#[test]
fn a_row_reads_back_as_added_with_its_read_time() {
    let n = note(OffsetDateTime::now_utc());
    let doc = to_doc(&n).expect("serialised");
    assert_eq!(from_row(&doc, None).expect("decoded"), n);
    let at = OffsetDateTime::now_utc();
    let read = from_row(&doc, Some(nanos(at).expect("in range"))).expect("decoded");
    assert_eq!(
        read,
        Notification {
            read_at: Some(at),
            ..n
        }
    );
    assert!(matches!(
        from_index_id(&[0; 16]),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn keys_bind_as_a_list_of_blobs() {
    let bound = vals![vec![vec![1u8; 16], vec![2u8; 16]]];
    let expected = CqlValue::List(vec![
        CqlValue::Blob(vec![1; 16]),
        CqlValue::Blob(vec![2; 16]),
    ]);
    assert_eq!(bound, [Some(expected)]);
}

//! Opening the store: a second opener of the same directory is refused with
//! a message that says why, and the store opens again once the first closes.

use souk_store_embedded::EmbeddedStore;

#[tokio::test]
async fn a_store_open_elsewhere_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first = EmbeddedStore::open(dir.path()).expect("the store opens");
    let Err(second) = EmbeddedStore::open(dir.path()) else {
        panic!("a second open of the same store succeeded");
    };
    let message = second.to_string();
    assert!(message.contains("open in another process"), "{message}");
    first.close().await;
    drop(first);
    EmbeddedStore::open(dir.path()).expect("the store opens once the first has closed");
}

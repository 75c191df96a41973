//! Opening the store: a second opener of the same directory is refused with
//! a message that says why, and the store opens again once the first closes;
//! a store whose creation a crash cut short is created afresh.

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

#[tokio::test]
async fn a_store_whose_creation_was_cut_short_is_created_afresh() {
    // What a crash during the first open can leave: fjall's lock, journal and
    // keyspaces folder, but not its version marker.
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("lock"), b"").expect("a lock file");
    std::fs::write(dir.path().join("0.jnl"), vec![0; 4096]).expect("a journal");
    std::fs::create_dir(dir.path().join("keyspaces")).expect("a keyspaces folder");
    let store = EmbeddedStore::open(dir.path()).expect("the store opens");
    store.close().await;
    drop(store);
    EmbeddedStore::open(dir.path()).expect("and opens again");
}

#[tokio::test]
async fn a_store_being_created_elsewhere_is_left_alone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let lock = std::fs::File::create(dir.path().join("lock")).expect("a lock file");
    lock.try_lock().expect("this test holds the lock");
    std::fs::write(dir.path().join("0.jnl"), b"journal").expect("a journal");
    let Err(refused) = EmbeddedStore::open(dir.path()) else {
        panic!("opened a store another process holds");
    };
    assert!(
        refused.to_string().contains("open in another process"),
        "{refused}"
    );
    let journal = std::fs::read(dir.path().join("0.jnl")).expect("the journal is kept");
    assert_eq!(journal, b"journal");
}

//! The key-value registry (the browser's embedded one, here on an in-memory store): the shared
//! contract, and what it keeps under which keys.

#[path = "common/suite.rs"]
mod suite;

use horizon_registry::kv::{KvRegistry, KvStore, MemoryStore};
use horizon_registry::{Registry, RegistryError};
use std::collections::BTreeMap;

#[test]
fn the_shared_suite_passes_on_the_key_value_registry() {
    suite::run_suite(&KvRegistry::new(MemoryStore::default(), "horizon.registry/"));
}

/// A store whose artifact entries can be tampered with from outside, as another tab or the
/// user's browser tools could.
struct Shared(std::sync::Arc<MemoryStore>);

impl KvStore for Shared {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn get(&self, key: &str) -> horizon_registry::Result<Option<String>> {
        self.0.get(key)
    }
    fn set(&self, key: &str, value: &str) -> horizon_registry::Result<()> {
        self.0.set(key, value)
    }
    fn remove(&self, key: &str) -> horizon_registry::Result<()> {
        self.0.remove(key)
    }
    fn keys(&self, prefix: &str) -> horizon_registry::Result<Vec<String>> {
        self.0.keys(prefix)
    }
}

#[test]
fn keys_stay_under_the_prefix_and_a_damaged_artifact_is_reported() {
    let store = std::sync::Arc::new(MemoryStore::default());
    let reg = KvRegistry::new(Shared(store.clone()), "horizon.registry/");
    let v = reg
        .create_version("sales", b"artifact bytes", None, &BTreeMap::new())
        .expect("register");
    assert_eq!(v.version, 1);
    let keys = store.keys("").expect("keys");
    assert_eq!(
        keys,
        [
            "horizon.registry/artifact/sales/1",
            "horizon.registry/model/sales",
            "horizon.registry/version/sales/1"
        ]
    );
    assert_eq!(reg.download("sales", 1).expect("download"), b"artifact bytes");
    store
        .set("horizon.registry/artifact/sales/1", "c2hvcnQ=")
        .expect("tamper");
    match reg.download("sales", 1) {
        Err(e @ RegistryError::Corrupt { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("horizon.registry/artifact/sales/1") && m.contains("5 bytes, 14 recorded"),
                "{m}"
            );
        }
        other => panic!("expected a damaged-artifact error, got {other:?}"),
    }
}

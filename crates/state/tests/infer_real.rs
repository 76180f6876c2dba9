//! Inference over the real-world specs in `../shared/specs`: the resources found are the
//! ones a reader sees.

use mockgen_spec::{LoadOptions, NoFiles, Spec, load};
use mockgen_state::{IdKind, Resource, Role, Shape, infer};
use std::path::Path;

fn spec(name: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    load(name, text, &NoFiles, &LoadOptions::default())
        .spec
        .expect("a model")
}

fn find<'a>(resources: &'a [Resource], key: &str) -> &'a Resource {
    resources
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no resource {key}: {:?}", keys(resources)))
}

fn keys(resources: &[Resource]) -> Vec<&str> {
    resources.iter().map(|r| r.key.as_str()).collect()
}

#[test]
fn petstores_have_orders_and_users() {
    for name in [
        "petstore.oas30.json",
        "petstore.oas31.yaml",
        "petstore.swagger20.yaml",
    ] {
        let s = spec(name);
        let rs = infer(&s);
        // `POST /pet` declares only a 405: no success answer, so `/pet` stays stateless.
        assert_eq!(keys(&rs), ["/store/order", "/user"], "{name}");
        let order = find(&rs, "/store/order");
        assert_eq!(
            order.member.as_deref(),
            Some("/store/order/{orderId}"),
            "{name}"
        );
        assert_eq!(order.id_field.as_deref(), Some("id"), "{name}");
        assert_eq!(order.id_kind, IdKind::Integer, "{name}");
        for role in [Role::Create, Role::Get] {
            assert!(order.plan_for(role).is_some(), "{name} {role:?}");
        }
        assert_eq!(
            order.plan_for(Role::Get).map(|p| &p.shape),
            Some(&Shape::Object)
        );
        let user = find(&rs, "/user");
        assert_eq!(user.id_field.as_deref(), Some("username"), "{name}");
        assert_eq!(user.id_kind, IdKind::Text, "{name}");
    }
}

#[test]
fn petstore_expanded_merges_all_of() {
    let s = spec("petstore-expanded.oas30.yaml");
    let rs = infer(&s);
    let pets = find(&rs, "/pets");
    assert_eq!(pets.member.as_deref(), Some("/pets/{id}"));
    assert_eq!(pets.id_field.as_deref(), Some("id"));
    assert!(pets.required.iter().any(|r| r == "name"));
    assert!(pets.plan_for(Role::Delete).is_some());
    assert_eq!(
        pets.plan_for(Role::List).map(|p| &p.shape),
        Some(&Shape::Array)
    );
}

/// The bank demo: deposits and withdrawals create into the transactions collection (they
/// answer its item schema's `oneOf` alternatives), scoped to their account.
#[test]
fn bank_sibling_creators_join_the_transactions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/demo/bank.yaml");
    let text = std::fs::read_to_string(&path).expect("bank.yaml");
    let s = load("bank.yaml", text, &NoFiles, &LoadOptions::default())
        .spec
        .expect("a model");
    let rs = infer(&s);
    assert_eq!(
        keys(&rs),
        ["/accounts", "/accounts/{accountId}/transactions"]
    );
    let tx = find(&rs, "/accounts/{accountId}/transactions");
    let creators: Vec<&str> = tx
        .plans
        .iter()
        .filter(|p| p.role == Role::Create)
        .map(|p| s.operations[p.operation].id.as_str())
        .collect();
    assert_eq!(creators, ["createDeposit", "createWithdrawal"]);
    assert_eq!(tx.scope, ["accountId"]);
    assert_eq!(tx.scope_fields, [Some("accountId".to_owned())]);
    assert_eq!(tx.parent, Some(0));
    assert_eq!(tx.id_field.as_deref(), Some("id"));
    assert!(tx.required.iter().any(|r| r == "kind"), "{:?}", tx.required);
    let accounts = find(&rs, "/accounts");
    assert_eq!(
        accounts.plan_for(Role::List).map(|p| &p.shape),
        Some(&Shape::Envelope("items".to_owned()))
    );
    // Not a resource: a GET without POST.
    assert!(rs.iter().all(|r| r.key != "/health"));
}

/// The count per spec, for the report; a few spot checks on big ones.
#[test]
fn real_specs_counts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("specs dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut total = 0;
    for name in &names {
        let s = spec(name);
        let rs = infer(&s);
        total += rs.len();
        println!("{name}: {} {:?}", rs.len(), keys(&rs));
    }
    println!("total: {total}");
    assert!(total > 100, "{total}");
    // Spot checks on big documents: an envelope, a nested collection with its parent.
    let s = spec("digitalocean.com.oas30.json");
    let rs = infer(&s);
    let droplets = find(&rs, "/v2/droplets");
    assert_eq!(
        droplets.member.as_deref(),
        Some("/v2/droplets/{droplet_id}")
    );
    assert_eq!(droplets.id_field.as_deref(), Some("id"));
    assert!(matches!(
        droplets.plan_for(Role::List).map(|p| &p.shape),
        Some(Shape::Envelope(p)) if p == "droplets"
    ));
    let records = find(&rs, "/v2/domains/{domain_name}/records");
    assert_eq!(records.scope, ["domain_name"]);
    assert_eq!(
        records
            .parent
            .and_then(|i| rs.get(i))
            .map(|r| r.key.as_str()),
        Some("/v2/domains")
    );
}

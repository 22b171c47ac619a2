//! docs/ph-api.graphql is generated from the server's schema and must match it.

use std::path::PathBuf;

#[test]
fn the_committed_schema_file_matches_the_server() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/ph-api.graphql");
    let generated = ph_sandbox::schema_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write docs/ph-api.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/ph-api.graphql differs from the server's schema. Regenerate it with:\n  \
         UPDATE_SCHEMA=1 cargo test -p ph-sandbox --test schema_file\nand review the diff."
    );
    for operation in [
        "me: Principal!",
        "clients(clinicId: ID!",
        "createClients(input: CreateClientsInput!): ClientBatchResult!",
        "deleteImportRun(input: DeleteImportRunInput!): DeleteImportRunResult!",
        "IDEMPOTENCY_KEY_REUSED",
    ] {
        assert!(generated.contains(operation), "{operation} missing");
    }
}

//! The operation documents the client sends, from `operations/*.graphql`.
//!
//! They are plain files so a PH engineer can adapt field or argument names without touching
//! Rust: the response types only need the same JSON shape back.

use super::transport::Operation;

macro_rules! operation {
    ($const:ident, $name:literal) => {
        #[doc = concat!("`", $name, "` (operations/", $name, ".graphql).")]
        pub const $const: Operation = Operation {
            name: $name,
            document: include_str!(concat!("operations/", $name, ".graphql")),
        };
    };
}

operation!(ME, "Me");
operation!(API_INFO, "ApiInfo");
operation!(CLINIC, "Clinic");
operation!(CLIENTS_PAGE, "ClientsPage");
operation!(CREATE_CLIENTS, "CreateClients");
operation!(UPDATE_CLIENTS, "UpdateClients");
operation!(CREATE_PATIENTS, "CreatePatients");
operation!(UPDATE_PATIENTS, "UpdatePatients");
operation!(DELETE_IMPORT_RUN, "DeleteImportRun");

/// Every operation, for checks that each document names its operation.
pub const ALL: [Operation; 9] = [
    ME,
    API_INFO,
    CLINIC,
    CLIENTS_PAGE,
    CREATE_CLIENTS,
    UPDATE_CLIENTS,
    CREATE_PATIENTS,
    UPDATE_PATIENTS,
    DELETE_IMPORT_RUN,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_document_defines_its_named_operation() {
        for op in ALL {
            let defines = op.document.lines().any(|line| {
                let line = line.trim_start();
                (line.starts_with("query ") || line.starts_with("mutation "))
                    && line
                        .split_whitespace()
                        .nth(1)
                        .is_some_and(|n| n.split('(').next() == Some(op.name))
            });
            assert!(defines, "{}.graphql does not define `{}`", op.name, op.name);
        }
    }
}

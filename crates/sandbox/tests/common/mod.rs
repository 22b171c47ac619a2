//! A small GraphQL client for the contract tests: real HTTP over loopback with reqwest.
#![allow(dead_code)]

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

pub const IMPORTER: &str = "phsb_importer_demo";
pub const READ_ONLY: &str = "phsb_readonly_demo";
pub const HARBOR: &str = "phsb_importer_harbor";

/// One answer: HTTP status, headers and the JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `extensions.code` of the first error, if any.
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// `data.<field>`, after checking there were no errors.
    pub fn data(&self, field: &str) -> &Value {
        assert!(
            self.body.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {}",
            self.body
        );
        assert_eq!(self.status, 200, "{}", self.body);
        &self.body["data"][field]
    }
}

pub struct Api {
    pub http: reqwest::Client,
    pub url: String,
}

impl Api {
    pub fn new(sandbox: &ph_sandbox::RunningSandbox) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: sandbox.graphql_url(),
        }
    }

    pub async fn send(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Answer {
        self.send(Some(token), query, variables)
            .await
            .expect("the sandbox answers")
    }
}

pub const CLIENT_FIELDS: &str = "id clinicId externalId firstName lastName email phone phoneAlt address1 address2 city state postalCode country active createdByImportRun importRunId createdAt updatedAt patients { id externalId name }";

pub const PATIENT_FIELDS: &str = "id clientId externalId name species breed sex neutered dateOfBirth weightKg color microchip deceased createdByImportRun importRunId createdAt updatedAt";

pub fn create_clients_query() -> String {
    format!(
        "mutation($input: CreateClientsInput!) {{ createClients(input: $input) {{ replayed items {{ index status error {{ code field message }} client {{ {CLIENT_FIELDS} }} }} }} }}"
    )
}

pub fn update_clients_query() -> String {
    format!(
        "mutation($input: UpdateClientsInput!) {{ updateClients(input: $input) {{ replayed items {{ index status error {{ code field message }} client {{ {CLIENT_FIELDS} }} }} }} }}"
    )
}

pub fn create_patients_query() -> String {
    format!(
        "mutation($input: CreatePatientsInput!) {{ createPatients(input: $input) {{ replayed items {{ index status error {{ code field message }} patient {{ {PATIENT_FIELDS} }} }} }} }}"
    )
}

pub fn update_patients_query() -> String {
    format!(
        "mutation($input: UpdatePatientsInput!) {{ updatePatients(input: $input) {{ replayed items {{ index status error {{ code field message }} patient {{ {PATIENT_FIELDS} }} }} }} }}"
    )
}

pub const DELETE_RUN: &str = "mutation($input: DeleteImportRunInput!) { deleteImportRun(input: $input) { clientsDeleted patientsDeleted clientsKept replayed } }";

pub const CLIENTS_PAGE: &str = "query($clinic: ID!, $first: Int, $after: String, $since: DateTime) { clients(clinicId: $clinic, first: $first, after: $after, updatedSince: $since) { totalCount pageInfo { endCursor hasNextPage } nodes { id externalId updatedAt patients { id updatedAt } } } }";

/// The statuses of a batch result's items, in order.
pub fn statuses(result: &Value) -> Vec<String> {
    result["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The item error codes of a batch result, in order (None for successes).
pub fn error_codes(result: &Value) -> Vec<Option<String>> {
    result["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["error"]["code"].as_str().map(str::to_owned))
        .collect()
}

pub async fn start(config: ph_sandbox::SandboxConfig) -> (ph_sandbox::RunningSandbox, Api) {
    let sandbox = ph_sandbox::start(config).await.expect("the sandbox starts");
    let api = Api::new(&sandbox);
    (sandbox, api)
}

pub fn counts(sandbox: &ph_sandbox::RunningSandbox) -> (u64, u64, u64) {
    let c = sandbox.counts().expect("counts");
    (c.clinics, c.clients, c.patients)
}

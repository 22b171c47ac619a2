//! `PhApi`: every operation of the PH client-import API v1, plus paging and batching.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::environments::Environment;
use super::error::PhError;
use super::operations;
use super::token::Token;
use super::transport::{ClientOptions, Operation, Transport};
use super::types::*;

/// A client of one PH environment. Cheap to clone; clones share connections and the
/// concurrency bound.
#[derive(Clone)]
pub struct PhApi {
    transport: Arc<Transport>,
    api_info: Arc<OnceCell<ApiInfo>>,
}

impl std::fmt::Debug for PhApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhApi")
            .field("env", &self.transport.env())
            .finish_non_exhaustive()
    }
}

impl PhApi {
    /// A client of the API at `base_url` (HTTPS, or HTTP on loopback), named `env` in
    /// messages.
    pub fn new(
        env: &str,
        base_url: &str,
        token: &Token,
        options: &ClientOptions,
    ) -> Result<PhApi, PhError> {
        Ok(PhApi {
            transport: Arc::new(Transport::new(env, base_url, token, options)?),
            api_info: Arc::new(OnceCell::new()),
        })
    }

    /// A client of a configured environment. The embedded sandbox has no fixed URL: start it
    /// first and use [`PhApi::new`] with its URL.
    pub fn for_environment(
        env: &Environment,
        token: &Token,
        options: &ClientOptions,
    ) -> Result<PhApi, PhError> {
        Self::new(&env.name, &env.base_url, token, options)
    }

    /// The environment name this client reports in its errors.
    pub fn env(&self) -> &str {
        self.transport.env()
    }

    /// Who the token belongs to, its role and clinics.
    pub async fn me(&self) -> Result<Principal, PhError> {
        #[derive(Deserialize)]
        struct Data {
            me: Principal,
        }
        let data: Data = self.run(operations::ME, serde_json::json!({})).await?;
        Ok(data.me)
    }

    /// The server's limits, asked once per client.
    pub async fn api_info(&self) -> Result<ApiInfo, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            api_info: ApiInfo,
        }
        let info = self
            .api_info
            .get_or_try_init(|| async {
                let data: Data = self
                    .run(operations::API_INFO, serde_json::json!({}))
                    .await?;
                if data.api_info.max_batch_size == 0 || data.api_info.max_page_size == 0 {
                    return Err(PhError::UnexpectedResponse {
                        operation: operations::API_INFO.name.into(),
                        reason: "maxBatchSize and maxPageSize must be at least 1".into(),
                    });
                }
                Ok(data.api_info)
            })
            .await?;
        Ok(info.clone())
    }

    /// One clinic.
    pub async fn clinic(&self, id: &str) -> Result<Clinic, PhError> {
        #[derive(Deserialize)]
        struct Data {
            clinic: Clinic,
        }
        let data: Data = self
            .run(operations::CLINIC, serde_json::json!({ "id": id }))
            .await?;
        Ok(data.clinic)
    }

    /// One page of a clinic's clients with their patients. `first` defaults to the server's
    /// page size; `after` is the previous page's `endCursor`.
    pub async fn clients_page(
        &self,
        clinic_id: &str,
        first: Option<u32>,
        after: Option<&str>,
        updated_since: Option<DateTime<Utc>>,
    ) -> Result<ClientConnection, PhError> {
        #[derive(Deserialize)]
        struct Data {
            clients: ClientConnection,
        }
        let data: Data = self
            .run(
                operations::CLIENTS_PAGE,
                serde_json::json!({
                    "clinicId": clinic_id,
                    "first": first,
                    "after": after,
                    // Milliseconds, "Z": the contract's form, and never later than asked.
                    "updatedSince": updated_since
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                }),
            )
            .await?;
        Ok(data.clients)
    }

    /// Every client of a clinic, a page at a time (see [`ClientPages`]).
    pub fn clients(&self, clinic_id: &str, updated_since: Option<DateTime<Utc>>) -> ClientPages {
        ClientPages {
            api: self.clone(),
            clinic_id: clinic_id.to_owned(),
            updated_since,
            page_size: None,
            after: None,
            finished: false,
            total_count: None,
        }
    }

    /// `createClients`: one request, at most `maxBatchSize` clients.
    pub async fn create_clients(
        &self,
        input: &CreateClientsInput,
    ) -> Result<ClientBatchResult, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            create_clients: ClientBatchResult,
        }
        let data: Data = self.mutate(operations::CREATE_CLIENTS, input).await?;
        Ok(data.create_clients)
    }

    /// `updateClients`: one request, at most `maxBatchSize` changes.
    pub async fn update_clients(
        &self,
        input: &UpdateClientsInput,
    ) -> Result<ClientBatchResult, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            update_clients: ClientBatchResult,
        }
        let data: Data = self.mutate(operations::UPDATE_CLIENTS, input).await?;
        Ok(data.update_clients)
    }

    /// `createPatients`: one request, at most `maxBatchSize` patients.
    pub async fn create_patients(
        &self,
        input: &CreatePatientsInput,
    ) -> Result<PatientBatchResult, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            create_patients: PatientBatchResult,
        }
        let data: Data = self.mutate(operations::CREATE_PATIENTS, input).await?;
        Ok(data.create_patients)
    }

    /// `updatePatients`: one request, at most `maxBatchSize` changes.
    pub async fn update_patients(
        &self,
        input: &UpdatePatientsInput,
    ) -> Result<PatientBatchResult, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            update_patients: PatientBatchResult,
        }
        let data: Data = self.mutate(operations::UPDATE_PATIENTS, input).await?;
        Ok(data.update_patients)
    }

    /// `deleteImportRun`: undo the clients and patients an import run created.
    pub async fn delete_import_run(
        &self,
        input: &DeleteImportRunInput,
    ) -> Result<DeleteImportRunResult, PhError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            delete_import_run: DeleteImportRunResult,
        }
        let data: Data = self.mutate(operations::DELETE_IMPORT_RUN, input).await?;
        Ok(data.delete_import_run)
    }

    /// Creates any number of clients: split into batches of `maxBatchSize`, sent at most
    /// `max_concurrency` at a time. Batch `n` has idempotency key `{key_prefix}-{n}`, so
    /// sending the same list again with the same prefix creates nothing twice.
    pub async fn create_clients_batched(
        &self,
        target: &BatchTarget,
        clients: Vec<ClientInput>,
    ) -> BatchReport<ClientItemResult> {
        let prefix = target.key_prefix.clone();
        let target = target.clone();
        self.send_batched(&prefix, clients, move |api, chunk, key| {
            let target = target.clone();
            async move {
                let input = CreateClientsInput {
                    clinic_id: target.clinic_id,
                    import_run_id: target.import_run_id,
                    idempotency_key: key,
                    clients: chunk,
                };
                api.create_clients(&input).await.map(|r| r.items)
            }
        })
        .await
    }

    /// Updates any number of clients in batches; keys as in [`PhApi::create_clients_batched`].
    pub async fn update_clients_batched(
        &self,
        target: &BatchTarget,
        clients: Vec<ClientUpdate>,
    ) -> BatchReport<ClientItemResult> {
        let prefix = target.key_prefix.clone();
        let target = target.clone();
        self.send_batched(&prefix, clients, move |api, chunk, key| {
            let target = target.clone();
            async move {
                let input = UpdateClientsInput {
                    clinic_id: target.clinic_id,
                    import_run_id: target.import_run_id,
                    idempotency_key: key,
                    clients: chunk,
                };
                api.update_clients(&input).await.map(|r| r.items)
            }
        })
        .await
    }

    /// Creates any number of patients in batches; keys as in [`PhApi::create_clients_batched`].
    pub async fn create_patients_batched(
        &self,
        target: &BatchTarget,
        patients: Vec<PatientInput>,
    ) -> BatchReport<PatientItemResult> {
        let prefix = target.key_prefix.clone();
        let target = target.clone();
        self.send_batched(&prefix, patients, move |api, chunk, key| {
            let target = target.clone();
            async move {
                let input = CreatePatientsInput {
                    clinic_id: target.clinic_id,
                    import_run_id: target.import_run_id,
                    idempotency_key: key,
                    patients: chunk,
                };
                api.create_patients(&input).await.map(|r| r.items)
            }
        })
        .await
    }

    /// Updates any number of patients in batches; keys as in [`PhApi::create_clients_batched`].
    pub async fn update_patients_batched(
        &self,
        target: &BatchTarget,
        patients: Vec<PatientUpdate>,
    ) -> BatchReport<PatientItemResult> {
        let prefix = target.key_prefix.clone();
        let target = target.clone();
        self.send_batched(&prefix, patients, move |api, chunk, key| {
            let target = target.clone();
            async move {
                let input = UpdatePatientsInput {
                    clinic_id: target.clinic_id,
                    import_run_id: target.import_run_id,
                    idempotency_key: key,
                    patients: chunk,
                };
                api.update_patients(&input).await.map(|r| r.items)
            }
        })
        .await
    }

    async fn send_batched<I, R, F, Fut>(
        &self,
        key_prefix: &str,
        items: Vec<I>,
        send: F,
    ) -> BatchReport<R>
    where
        I: Send + 'static,
        R: BatchItem + Send + 'static,
        F: Fn(PhApi, Vec<I>, String) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<R>, PhError>> + Send + 'static,
    {
        let mut report = BatchReport {
            items: Vec::new(),
            failed: Vec::new(),
        };
        if items.is_empty() {
            return report;
        }
        let size = match self.api_info().await {
            Ok(info) => info.max_batch_size as usize,
            Err(error) => {
                report.failed.push(FailedBatch {
                    start: 0,
                    len: items.len(),
                    idempotency_key: None,
                    error,
                });
                return report;
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        let mut rest = items;
        let mut start = 0;
        let mut number = 0;
        while !rest.is_empty() {
            let tail = rest.split_off(size.min(rest.len()));
            let chunk = std::mem::replace(&mut rest, tail);
            let len = chunk.len();
            let key = format!("{key_prefix}-{number}");
            let future = send(self.clone(), chunk, key.clone());
            // The transport's semaphore bounds how many of these are in flight.
            tasks.spawn(async move { (start, len, key, future.await) });
            start += len;
            number += 1;
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((start, len, key, Ok(results))) => {
                    if results.len() != len {
                        report.failed.push(FailedBatch {
                            start,
                            len,
                            idempotency_key: Some(key),
                            error: PhError::UnexpectedResponse {
                                operation: "batch".into(),
                                reason: format!("{} results for {len} items", results.len()),
                            },
                        });
                        continue;
                    }
                    report
                        .items
                        .extend(results.into_iter().map(|r| r.offset_index(start)));
                }
                Ok((start, len, key, Err(error))) => report.failed.push(FailedBatch {
                    start,
                    len,
                    idempotency_key: Some(key),
                    error,
                }),
                Err(join) => report.failed.push(FailedBatch {
                    start: 0,
                    len: 0,
                    idempotency_key: None,
                    error: PhError::Setup {
                        reason: format!("a batch task failed: {join}"),
                    },
                }),
            }
        }
        report.items.sort_by_key(|r| r.index());
        report.failed.sort_by_key(|f| f.start);
        report
    }

    async fn mutate<V: Serialize, D: DeserializeOwned>(
        &self,
        operation: Operation,
        input: &V,
    ) -> Result<D, PhError> {
        let input = serde_json::to_value(input).map_err(|e| PhError::Setup {
            reason: format!("could not encode the request: {e}"),
        })?;
        self.run(operation, serde_json::json!({ "input": input }))
            .await
    }

    async fn run<D: DeserializeOwned>(
        &self,
        operation: Operation,
        variables: serde_json::Value,
    ) -> Result<D, PhError> {
        self.transport.execute(operation, variables).await
    }
}

/// Where a batched mutation goes and how its idempotency keys are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTarget {
    /// The clinic.
    pub clinic_id: String,
    /// The import run doing this.
    pub import_run_id: String,
    /// Batch `n` is sent with key `{key_prefix}-{n}`. Keep it for a resumed run so repeats
    /// change nothing; use a new one for new data (e.g. `{import_run_id}-clients`).
    pub key_prefix: String,
}

/// What a batched mutation did: per-item results, and the batches that failed whole.
#[derive(Debug)]
pub struct BatchReport<R> {
    /// Results of the batches that were answered, in input order; `index` is the position
    /// in the whole input list.
    pub items: Vec<R>,
    /// Batches that got no answer after every retry (their items have no result above).
    pub failed: Vec<FailedBatch>,
}

impl<R> BatchReport<R> {
    /// Whether every batch was answered.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// A batch that failed as a whole.
#[derive(Debug)]
pub struct FailedBatch {
    /// Position of its first item in the whole input list.
    pub start: usize,
    /// How many items it had.
    pub len: usize,
    /// The key it was sent with; resending the same items with it is safe.
    pub idempotency_key: Option<String>,
    /// Why it failed.
    pub error: PhError,
}

/// A per-item result whose index can be moved from its batch to the whole list.
pub trait BatchItem {
    /// Position in the input list.
    fn index(&self) -> usize;
    /// The same result with `offset` added to its index.
    fn offset_index(self, offset: usize) -> Self;
}

impl BatchItem for ClientItemResult {
    fn index(&self) -> usize {
        self.index
    }
    fn offset_index(mut self, offset: usize) -> Self {
        self.index += offset;
        self
    }
}

impl BatchItem for PatientItemResult {
    fn index(&self) -> usize {
        self.index
    }
    fn offset_index(mut self, offset: usize) -> Self {
        self.index += offset;
        self
    }
}

/// A clinic's clients a page at a time, following the server's cursors.
#[derive(Debug)]
pub struct ClientPages {
    api: PhApi,
    clinic_id: String,
    updated_since: Option<DateTime<Utc>>,
    page_size: Option<u32>,
    after: Option<String>,
    finished: bool,
    total_count: Option<u64>,
}

impl ClientPages {
    /// Asks for pages of this many clients instead of the server's maximum.
    pub fn page_size(mut self, size: u32) -> ClientPages {
        self.page_size = Some(size.max(1));
        self
    }

    /// The number of matching clients, once the first page has come.
    pub fn total_count(&self) -> Option<u64> {
        self.total_count
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Client>>, PhError> {
        if self.finished {
            return Ok(None);
        }
        let first = match self.page_size {
            Some(size) => size,
            None => self.api.api_info().await?.max_page_size,
        };
        let page = self
            .api
            .clients_page(
                &self.clinic_id,
                Some(first),
                self.after.as_deref(),
                self.updated_since,
            )
            .await?;
        self.total_count = Some(page.total_count);
        if page.page_info.has_next_page {
            match page.page_info.end_cursor {
                // A cursor that does not move would page forever.
                Some(cursor) if Some(&cursor) != self.after.as_ref() && !page.nodes.is_empty() => {
                    self.after = Some(cursor)
                }
                _ => {
                    return Err(PhError::UnexpectedResponse {
                        operation: operations::CLIENTS_PAGE.name.into(),
                        reason: "hasNextPage is true but the cursor did not advance".into(),
                    })
                }
            }
        } else {
            self.finished = true;
        }
        Ok(Some(page.nodes))
    }

    /// Every remaining client, in the server's order.
    pub async fn collect_all(mut self) -> Result<Vec<Client>, PhError> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}

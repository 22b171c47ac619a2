//! The PH client-import API v1 as a GraphQL schema: queries, mutations, and the schema text.

mod batch;
pub(crate) mod errors;
pub(crate) mod guard;
mod idempotency;
mod store;
pub(crate) mod types;
mod validate;

use async_graphql::{Context, EmptySubscription, Object, Schema, ID};
use base64::Engine;
use serde::Serialize;

use crate::auth::Principal;
use crate::db::Db;
use crate::Limits;
use errors::{ApiError, ErrorCode};
use types::*;

/// The executable schema of the API.
pub(crate) type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// What every resolver shares: the database and the limits.
pub(crate) struct ApiState {
    pub db: Db,
    pub limits: Limits,
}

/// Builds the schema; `state` is None only to print the schema text.
///
/// The limits of [`guard`] come first, with messages that say what to do; the built-in
/// depth, recursion and directive limits below back them up. The guard also applies the cost
/// limit, to the cost async-graphql computes from the `complexity` attributes, because the
/// built-in `limit_complexity` refuses without saying the cost or the limit.
pub(crate) fn schema(state: Option<ApiState>) -> ApiSchema {
    let builder = Schema::build(Query, Mutation, EmptySubscription)
        .register_output_type::<ErrorCode>()
        .limit_depth(guard::MAX_DEPTH)
        .limit_recursive_depth(guard::MAX_NESTING)
        .limit_directives(guard::MAX_DIRECTIVES);
    match state {
        Some(state) => builder
            .extension(guard::Guard(guard::QueryLimits::for_api(state.limits)))
            .data(state)
            .finish(),
        None => builder.finish(),
    }
}

/// Comment at the top of docs/ph-api.graphql; the rest of the file is generated.
const SDL_HEADER: &str = "\
# PH client-import API v1 — the contract PH Client Import speaks.
#
# GENERATED from the ph-sandbox server's schema; do not edit by hand. Change the types in
# crates/sandbox/src/api/ and run: UPDATE_SCHEMA=1 cargo test -p ph-sandbox --test schema_file
# (or `ph-sandbox --print-schema`).
#
# Endpoint: POST {base}/graphql, JSON body {\"query\", \"variables\", \"operationName\"}.
# Auth: `Authorization: Bearer <token>`. Tokens have one role and a set of clinics.
# HTTP status: 401 without a valid token, 403 for a wrong role or clinic, 429 with
# `Retry-After` (seconds) when rate limited, 503 when unavailable, 200 otherwise. Every
# GraphQL error carries `extensions.code` (see ErrorCode). Documented in docs/ph-api.md.

";

/// The schema text of the API, as committed in docs/ph-api.graphql.
pub fn schema_sdl() -> String {
    let options = async_graphql::SDLExportOptions::new()
        .prefer_single_line_descriptions()
        .use_space_ident()
        .indent_width(2);
    format!("{SDL_HEADER}{}", schema(None).sdl_with_options(options))
}

fn principal<'c>(ctx: &Context<'c>) -> Result<&'c Principal, ApiError> {
    ctx.data::<Principal>().map_err(|_| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "send a token as `Authorization: Bearer <token>`",
        )
    })
}

fn state<'c>(ctx: &Context<'c>) -> Result<&'c ApiState, ApiError> {
    ctx.data::<ApiState>()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "the server is not set up"))
}

/// Cursors are opaque to clients; inside they name the last client id of a page.
fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("client:{id}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("client:")?.parse().ok())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{cursor:?} is not a cursor this server gave; pass pageInfo.endCursor unchanged"
            ))
        })
}

/// The cost of a page of clients: its size (`first`, 500 by default) times the cost of
/// the fields selected in it, so a query's cost grows with the rows it can return.
fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = usize::try_from(first.unwrap_or(500)).unwrap_or(0);
    first.saturating_mul(child_complexity).saturating_add(1)
}

/// Reads of the API.
pub struct Query;

#[Object]
impl Query {
    /// The principal behind the token: who it is, its role, the clinics it may use.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<PrincipalInfo> {
        let principal = principal(ctx)?.clone();
        let db = state(ctx)?.db.clone();
        let me = db
            .run(move |conn| {
                let mut clinics = Vec::new();
                for id in &principal.clinics {
                    if let Some(clinic) = store::clinic(conn, id)? {
                        clinics.push(clinic);
                    }
                }
                Ok::<_, ApiError>(PrincipalInfo {
                    name: principal.name.clone(),
                    role: principal.role,
                    clinics,
                })
            })
            .await?;
        Ok(me)
    }

    /// Limits the client must respect (batch and page sizes).
    async fn api_info(&self, ctx: &Context<'_>) -> async_graphql::Result<ApiInfo> {
        let limits = state(ctx)?.limits;
        Ok(ApiInfo {
            version: "1".into(),
            max_batch_size: i32::try_from(limits.max_batch_size).unwrap_or(i32::MAX),
            max_page_size: i32::try_from(limits.max_page_size).unwrap_or(i32::MAX),
        })
    }

    /// One clinic the token may read.
    async fn clinic(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Clinic> {
        principal(ctx)?.require_clinic(&id)?;
        let db = state(ctx)?.db.clone();
        Ok(db
            .run(move |conn| {
                store::clinic(conn, &id)?.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        format!("there is no clinic {:?}", id.as_str()),
                    )
                })
            })
            .await?)
    }

    /// A clinic's clients with their patients, in a stable order (by id), a page at a time.
    /// `updatedSince` returns only clients whose record or one of whose patients changed at
    /// or after it.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        clinic_id: ID,
        #[graphql(default = 500)] first: Option<i32>,
        after: Option<String>,
        updated_since: Option<DateTime>,
    ) -> async_graphql::Result<ClientConnection> {
        principal(ctx)?.require_clinic(&clinic_id)?;
        let state = state(ctx)?;
        let max = state.limits.max_page_size;
        let first = first.unwrap_or(500);
        let first = usize::try_from(first)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "first must be between 1 and {max} (apiInfo.maxPageSize); it was {first}"
                ))
            })?;
        let after_id = after
            .as_deref()
            .map(decode_cursor)
            .transpose()?
            .unwrap_or(0);
        let since = updated_since.map(|t| t.0);
        Ok(state
            .db
            .run(move |conn| {
                if store::clinic(conn, &clinic_id)?.is_none() {
                    return Err(ApiError::new(
                        ErrorCode::NotFound,
                        format!("there is no clinic {:?}", clinic_id.as_str()),
                    ));
                }
                let (nodes, has_next_page) =
                    store::client_page(conn, &clinic_id, after_id, first, since.as_deref())?;
                let total_count = store::client_total(conn, &clinic_id, since.as_deref())?;
                let end_cursor = nodes.last().map(|c| encode_cursor(&c.id));
                Ok(ClientConnection {
                    nodes,
                    page_info: PageInfo {
                        end_cursor,
                        has_next_page,
                    },
                    total_count,
                })
            })
            .await?)
    }
}

/// The parts every mutation shares.
struct Write<'a, I> {
    operation: &'static str,
    clinic_id: &'a ID,
    import_run_id: &'a str,
    idempotency_key: &'a str,
    items: Option<usize>,
    input: &'a I,
}

impl<I: Serialize> Write<'_, I> {
    /// Checks the caller and the request, then applies it once per idempotency key.
    async fn run<R: Replayable + Send + 'static>(
        self,
        ctx: &Context<'_>,
        apply: impl FnOnce(&batch::Batch) -> Result<R, ApiError> + Send + 'static,
    ) -> async_graphql::Result<R> {
        let principal = principal(ctx)?;
        principal.require_importer(self.clinic_id)?;
        let state = state(ctx)?;
        if let Some(n) = self.items {
            let max = state.limits.max_batch_size;
            if n > max {
                return Err(ApiError::new(
                    ErrorCode::BatchTooLarge,
                    format!("{} got {n} items; at most {max} (apiInfo.maxBatchSize) are allowed per request. Nothing was changed; split the batch", self.operation),
                )
                .into());
            }
        }
        let run_id = self.import_run_id.trim().to_owned();
        if run_id.is_empty() || run_id.chars().count() > 200 {
            return Err(ApiError::bad_request(
                "importRunId must be 1 to 200 characters; use one id per import run",
            )
            .into());
        }
        idempotency::check_key(self.idempotency_key)?;
        let hash = idempotency::request_hash(self.operation, self.input)?;
        let principal_id = principal.id.clone();
        let key = self.idempotency_key.to_owned();
        let clinic_id = self.clinic_id.to_string();
        Ok(state
            .db
            .run(move |conn| {
                idempotency::run(conn, &principal_id, &key, &hash, |tx| {
                    let clinic = store::clinic(tx, &clinic_id)?.ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::NotFound,
                            format!("there is no clinic {clinic_id:?}"),
                        )
                    })?;
                    apply(&batch::Batch {
                        tx,
                        clinic: &clinic,
                        run: &run_id,
                        now: crate::db::now(),
                    })
                })
            })
            .await?)
    }
}

/// Changes of the API. Every mutation is idempotent per key and answers per item.
pub struct Mutation;

#[Object]
impl Mutation {
    /// Creates clients. Per-item results, in input order.
    async fn create_clients(
        &self,
        ctx: &Context<'_>,
        input: CreateClientsInput,
    ) -> async_graphql::Result<ClientBatchResult> {
        Write {
            operation: "createClients",
            clinic_id: &input.clinic_id,
            import_run_id: &input.import_run_id,
            idempotency_key: &input.idempotency_key,
            items: Some(input.clients.len()),
            input: &input,
        }
        .run(ctx, {
            let items = input.clients.clone();
            move |b| b.create_clients(&items)
        })
        .await
    }

    /// Changes existing clients; absent (null) fields are left as they are, an empty
    /// string clears an optional field.
    async fn update_clients(
        &self,
        ctx: &Context<'_>,
        input: UpdateClientsInput,
    ) -> async_graphql::Result<ClientBatchResult> {
        Write {
            operation: "updateClients",
            clinic_id: &input.clinic_id,
            import_run_id: &input.import_run_id,
            idempotency_key: &input.idempotency_key,
            items: Some(input.clients.len()),
            input: &input,
        }
        .run(ctx, {
            let items = input.clients.clone();
            move |b| b.update_clients(&items)
        })
        .await
    }

    /// Creates patients for existing clients of the clinic.
    async fn create_patients(
        &self,
        ctx: &Context<'_>,
        input: CreatePatientsInput,
    ) -> async_graphql::Result<PatientBatchResult> {
        Write {
            operation: "createPatients",
            clinic_id: &input.clinic_id,
            import_run_id: &input.import_run_id,
            idempotency_key: &input.idempotency_key,
            items: Some(input.patients.len()),
            input: &input,
        }
        .run(ctx, {
            let items = input.patients.clone();
            move |b| b.create_patients(&items)
        })
        .await
    }

    /// Changes existing patients; absent (null) fields are left as they are, an empty
    /// string clears an optional field.
    async fn update_patients(
        &self,
        ctx: &Context<'_>,
        input: UpdatePatientsInput,
    ) -> async_graphql::Result<PatientBatchResult> {
        Write {
            operation: "updatePatients",
            clinic_id: &input.clinic_id,
            import_run_id: &input.import_run_id,
            idempotency_key: &input.idempotency_key,
            items: Some(input.patients.len()),
            input: &input,
        }
        .run(ctx, {
            let items = input.patients.clone();
            move |b| b.update_patients(&items)
        })
        .await
    }

    /// Undo: deletes the clients and patients the given import run created (not ones it
    /// only updated). A client the run created that now holds patients the run did not
    /// create is kept and counted in `clientsKept`.
    async fn delete_import_run(
        &self,
        ctx: &Context<'_>,
        input: DeleteImportRunInput,
    ) -> async_graphql::Result<DeleteImportRunResult> {
        Write {
            operation: "deleteImportRun",
            clinic_id: &input.clinic_id,
            import_run_id: &input.import_run_id,
            idempotency_key: &input.idempotency_key,
            items: None,
            input: &input,
        }
        .run(ctx, |b| b.delete_import_run())
        .await
    }
}

//! One GraphQL request over HTTPS with timeouts, retries and a concurrency bound.
//!
//! The body is serialized once and re-sent byte for byte on every retry, so a retried
//! mutation carries the same idempotency key: that is what makes retrying it safe.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::endpoint::{graphql_endpoint, parse_base_url, Url};
use super::error::PhError;
use super::retry::{is_retryable_status, parse_retry_after, RetryPolicy};
use super::token::Token;

/// An operation document from `operations/*.graphql` and its name.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// `operationName`, e.g. `CreateClients`.
    pub name: &'static str,
    /// The GraphQL document.
    pub document: &'static str,
}

/// Timeouts, retries and concurrency of a client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Longest wait to open a connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request and its answer.
    pub request_timeout: Duration,
    /// When and how to retry.
    pub retry: RetryPolicy,
    /// Most requests in flight at once (batches are sent this many at a time).
    pub max_concurrency: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            max_concurrency: 4,
        }
    }
}

pub(crate) struct Transport {
    http: reqwest::Client,
    endpoint: Url,
    authorization: HeaderValue,
    env: String,
    retry: RetryPolicy,
    permits: Arc<Semaphore>,
}

/// What one attempt came to.
enum Attempt {
    Answer(Vec<u8>),
    Retry {
        error: PhError,
        retry_after: Option<Duration>,
    },
    Fail(PhError),
}

#[derive(Deserialize)]
struct GraphqlResponse<D> {
    data: Option<D>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    #[serde(default)]
    code: Option<String>,
}

/// Only the errors of an answer, for statuses whose body may not have `data`.
#[derive(Deserialize)]
struct ErrorsOnly {
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

impl Transport {
    pub(crate) fn new(
        env: &str,
        base_url: &str,
        token: &Token,
        options: &ClientOptions,
    ) -> Result<Transport, PhError> {
        let base = parse_base_url(base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("ph-client-import/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the request elsewhere; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PhError::Setup {
                reason: e.to_string(),
            })?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| PhError::Setup {
                reason: "the token cannot be sent in an HTTP header".into(),
            })?;
        // Keeps the header out of reqwest's and hyper's debug output.
        authorization.set_sensitive(true);
        Ok(Transport {
            http,
            endpoint: graphql_endpoint(&base),
            authorization,
            env: env.to_owned(),
            retry: options.retry.clone(),
            permits: Arc::new(Semaphore::new(options.max_concurrency.max(1))),
        })
    }

    pub(crate) fn env(&self) -> &str {
        &self.env
    }

    /// Sends an operation (retrying as the policy allows) and returns its `data`.
    pub(crate) async fn execute<D: DeserializeOwned>(
        &self,
        operation: Operation,
        variables: serde_json::Value,
    ) -> Result<D, PhError> {
        let body = serde_json::to_vec(&serde_json::json!({
            "query": operation.document,
            "variables": variables,
            "operationName": operation.name,
        }))
        .map_err(|e| PhError::Setup {
            reason: format!("could not encode the request: {e}"),
        })?;
        // Held through the backoff too: a rate-limited client should not open more requests.
        let _permit = self.permits.acquire().await.map_err(|_| PhError::Setup {
            reason: "the client was shut down".into(),
        })?;
        let started = Instant::now();
        let max_attempts = self.retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(operation.name, &body, attempt).await {
                Attempt::Answer(bytes) => {
                    tracing::debug!(
                        operation = operation.name,
                        attempt,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "PH request answered"
                    );
                    return self.decode(operation.name, &bytes);
                }
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, retry_after } => {
                    if attempt >= max_attempts {
                        return Err(with_attempts(error, attempt));
                    }
                    let wait = self.retry.delay(attempt - 1, retry_after);
                    tracing::debug!(
                        operation = operation.name,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        reason = error.code(),
                        "retrying PH request"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn attempt(&self, operation: &str, body: &[u8], attempt: u32) -> Attempt {
        let sent = self
            .http
            .post(self.endpoint.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                return Attempt::Retry {
                    error: self.network_error(&e, attempt),
                    retry_after: None,
                }
            }
        };
        let status = response.status().as_u16();
        tracing::debug!(operation, status, attempt, "PH answered");
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            // The connection broke mid-answer: the request may have been applied, and a
            // retry with the same idempotency key returns that first result.
            Err(e) => {
                return Attempt::Retry {
                    error: self.network_error(&e, attempt),
                    retry_after: None,
                }
            }
        };
        match status {
            200..=299 => Attempt::Answer(bytes),
            401 => Attempt::Fail(PhError::Unauthenticated {
                env: self.env.clone(),
            }),
            403 => Attempt::Fail(PhError::Forbidden {
                env: self.env.clone(),
                message: first_message(&bytes).unwrap_or_else(|| "HTTP 403".into()),
            }),
            429 => Attempt::Retry {
                error: PhError::RateLimited {
                    env: self.env.clone(),
                    attempts: attempt,
                },
                retry_after,
            },
            s if is_retryable_status(s) => Attempt::Retry {
                error: PhError::Server {
                    env: self.env.clone(),
                    status: s,
                    attempts: attempt,
                    message: first_message(&bytes).unwrap_or_else(|| short_text(&bytes)),
                },
                retry_after,
            },
            s => Attempt::Fail(match first_error(&bytes) {
                Some((code, message)) => PhError::from_code(&self.env, operation, &code, message),
                None => PhError::BadRequest {
                    operation: operation.to_owned(),
                    message: format!("HTTP {s}: {}", short_text(&bytes)),
                },
            }),
        }
    }

    fn decode<D: DeserializeOwned>(&self, operation: &str, bytes: &[u8]) -> Result<D, PhError> {
        let answer: GraphqlResponse<D> =
            serde_json::from_slice(bytes).map_err(|e| PhError::UnexpectedResponse {
                operation: operation.to_owned(),
                reason: e.to_string(),
            })?;
        if let Some(error) = answer.errors.into_iter().next() {
            let code = error.extensions.and_then(|x| x.code).unwrap_or_default();
            return Err(PhError::from_code(
                &self.env,
                operation,
                &code,
                error.message,
            ));
        }
        answer.data.ok_or_else(|| PhError::UnexpectedResponse {
            operation: operation.to_owned(),
            reason: "neither data nor errors".into(),
        })
    }

    fn network_error(&self, error: &reqwest::Error, attempt: u32) -> PhError {
        // Without the URL: it is in the settings already, and keeps messages short.
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "connection broken"
        };
        let mut reason = kind.to_owned();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason = format!("{reason}: {cause}");
            source = cause.source();
        }
        PhError::Network {
            env: self.env.clone(),
            attempts: attempt,
            reason,
        }
    }
}

fn with_attempts(error: PhError, attempts: u32) -> PhError {
    match error {
        PhError::RateLimited { env, .. } => PhError::RateLimited { env, attempts },
        PhError::Server {
            env,
            status,
            message,
            ..
        } => PhError::Server {
            env,
            status,
            attempts,
            message,
        },
        PhError::Network { env, reason, .. } => PhError::Network {
            env,
            attempts,
            reason,
        },
        other => other,
    }
}

fn first_error(bytes: &[u8]) -> Option<(String, String)> {
    let parsed: ErrorsOnly = serde_json::from_slice(bytes).ok()?;
    let error = parsed.errors.into_iter().next()?;
    let code = error.extensions.and_then(|x| x.code).unwrap_or_default();
    Some((code, error.message))
}

fn first_message(bytes: &[u8]) -> Option<String> {
    first_error(bytes).map(|(_, message)| message)
}

/// The start of a non-GraphQL body (a proxy's error page), for the error message.
fn short_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "no details".into();
    }
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

//! The HTTP side: POST /graphql with bearer auth, status codes from error codes, injected
//! faults, connections that can be dropped without an answer, and bounds on body size,
//! concurrency and answer size.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::extract::connect_info::Connected;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use axum::Json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::api::errors::{error_body, ErrorCode};
use crate::api::guard::{mib, CONCURRENT_REQUESTS, QUEUE_WAIT};
use crate::faults::Verdict;
use crate::AppState;

/// POST /graphql.
///
/// Order: faults, token, body (at most `max_body_bytes`, else 413), then a turn at the gate
/// (at most [`CONCURRENT_REQUESTS`] at once), then the GraphQL work on a blocking thread, so
/// however heavy a request is, the async threads stay free for `/health` and other
/// connections.
pub(crate) async fn graphql(
    State(app): State<Arc<AppState>>,
    ConnectInfo(connection): ConnectInfo<ConnectionHandle>,
    request: Request,
) -> Response {
    let (latency, verdict) = app.faults.judge();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match verdict {
        Verdict::Serve => {}
        Verdict::RateLimited { retry_after_secs } => {
            let mut response = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                &format!("too many requests; retry after {retry_after_secs} s (Retry-After)"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        Verdict::Drop => {
            // Whatever is returned here is never written: the connection fails its next
            // write, and hyper closes it with no response at all.
            connection.kill();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Verdict::Unavailable => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "the sandbox is injecting errors (--error-rate); retry later",
            );
        }
    }

    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(token) = crate::auth::bearer(authorization).map(str::to_owned) else {
        return unauthenticated("send a token as `Authorization: Bearer <token>`");
    };
    let principal = app
        .db
        .run(move |conn| crate::auth::lookup(conn, &token))
        .await;
    let principal = match principal {
        Ok(Some(p)) => p,
        Ok(None) => {
            return unauthenticated(
                "the token is not known to this server; log in again with a valid token",
            )
        }
        Err(e) => {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &e.to_string(),
            )
        }
    };

    let limit = app.guard.max_body_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return body_too_large(limit, declared);
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => {
            return body_too_large(limit, None)
        }
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("the request body could not be read: {e}"),
            )
        }
    };

    let Ok(Ok(turn)) = tokio::time::timeout(QUEUE_WAIT, app.gate.clone().acquire_owned()).await
    else {
        let mut response = refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            &format!(
                "the sandbox is busy: {CONCURRENT_REQUESTS} GraphQL requests have been running for over {} s; retry later",
                QUEUE_WAIT.as_secs()
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(1));
        return response;
    };
    let runtime = tokio::runtime::Handle::current();
    let work = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        answer(&app, &runtime, &body, principal)
    });
    match work.await {
        Ok((status, json)) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json,
        )
            .into_response(),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            &format!("the request failed inside the sandbox: {e}"),
        ),
    }
}

/// The GraphQL work of one request, on a blocking thread: decode, execute, encode the
/// answer (refused if larger than `max_response_bytes`).
fn answer(
    app: &AppState,
    runtime: &tokio::runtime::Handle,
    body: &[u8],
    principal: crate::auth::Principal,
) -> (StatusCode, Vec<u8>) {
    let encode = |value: &serde_json::Value| serde_json::to_vec(value).unwrap_or_default();
    let request: async_graphql::Request = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                encode(&error_body(
                    ErrorCode::BadRequest,
                    &format!(
                        "the body is not a GraphQL request (JSON with \"query\" and \"variables\"): {e}"
                    ),
                )),
            )
        }
    };
    let mut response = runtime.block_on(app.schema.execute(request.data(principal)));
    let status = with_codes(&mut response.errors);
    let max = app.guard.max_response_bytes;
    let mut out = Capped {
        bytes: Vec::new(),
        max,
    };
    match serde_json::to_writer(&mut out, &response) {
        Ok(()) => (status, out.bytes),
        Err(_) => (
            StatusCode::OK,
            encode(&error_body(
                ErrorCode::BadRequest,
                &format!(
                    "the answer would be larger than {}; ask for fewer clients per page (`first`) or fewer fields",
                    mib(max)
                ),
            )),
        ),
    }
}

/// A buffer that refuses to grow past `max` bytes.
struct Capped {
    bytes: Vec<u8>,
    max: usize,
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.max {
            return Err(io::Error::other("the answer is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn body_too_large(limit: usize, declared: Option<u64>) -> Response {
    let size = declared.map_or_else(|| "larger than that".to_owned(), |n| format!("{n} bytes"));
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
        &format!(
            "the request body may be at most {} ({limit} bytes); this one is {size}: send fewer items per batch (apiInfo.maxBatchSize) or split the request",
            mib(limit)
        ),
    )
}

/// Gives every error a code (parse and validation errors get BAD_REQUEST) and picks the
/// HTTP status from the codes: 401 outranks 403, which outranks 429; otherwise 200.
fn with_codes(errors: &mut [async_graphql::ServerError]) -> StatusCode {
    let rank = |s: StatusCode| match s {
        StatusCode::UNAUTHORIZED => 3,
        StatusCode::FORBIDDEN => 2,
        StatusCode::TOO_MANY_REQUESTS => 1,
        _ => 0,
    };
    let mut status = StatusCode::OK;
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        let code = match extensions.get("code") {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => {
                extensions.set("code", ErrorCode::BadRequest.as_str());
                ErrorCode::BadRequest.as_str().to_owned()
            }
        };
        let this = match code.as_str() {
            "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
            "FORBIDDEN" => StatusCode::FORBIDDEN,
            "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::OK,
        };
        if rank(this) > rank(status) {
            status = this;
        }
    }
    status
}

fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (status, Json(error_body(code, message))).into_response()
}

fn unauthenticated(message: &str) -> Response {
    let mut response = refuse(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        message,
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// A TCP listener whose connections a handler can cut off (for the drop fault).
pub(crate) struct DroppableListener(pub TcpListener);

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (inner, addr) = Listener::accept(&mut self.0).await;
        (
            DroppableStream {
                inner,
                killed: Arc::new(AtomicBool::new(false)),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection that fails every write once killed, so hyper closes it unanswered.
pub(crate) struct DroppableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl DroppableStream {
    fn killed_error(&self) -> Option<io::Error> {
        self.killed.load(Ordering::SeqCst).then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "dropped by the sandbox's --drop-rate fault",
            )
        })
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed_error() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed_error() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Lets a handler kill the connection its request came on.
#[derive(Clone)]
pub(crate) struct ConnectionHandle(Arc<AtomicBool>);

impl ConnectionHandle {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for ConnectionHandle {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        Self(stream.io().killed.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_without_a_code_become_bad_request_and_codes_pick_the_status() {
        use async_graphql::{ErrorExtensionValues, ServerError};
        let coded = |code: &str| {
            let mut error = ServerError::new("x", None);
            let mut ext = ErrorExtensionValues::default();
            ext.set("code", code);
            error.extensions = Some(ext);
            error
        };
        let mut errors = vec![ServerError::new("syntax", None)];
        assert_eq!(with_codes(&mut errors), StatusCode::OK);
        let code = errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(code, Some(async_graphql::Value::from("BAD_REQUEST")));
        let mut errors = vec![
            coded("NOT_FOUND"),
            coded("FORBIDDEN"),
            coded("RATE_LIMITED"),
        ];
        assert_eq!(with_codes(&mut errors), StatusCode::FORBIDDEN);
        assert_eq!(
            with_codes(&mut [coded("UNAUTHENTICATED"), coded("FORBIDDEN")]),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(with_codes(&mut []), StatusCode::OK);
    }

    #[test]
    fn an_answer_over_the_cap_is_not_encoded() {
        use std::io::Write;
        let mut out = Capped {
            bytes: Vec::new(),
            max: 4,
        };
        assert!(out.write_all(b"1234").is_ok());
        assert!(out.write_all(b"5").is_err());
        assert_eq!(out.bytes, b"1234");
        assert!(serde_json::to_writer(&mut out, &"long text").is_err());
    }
}

// lib.rs -- type-level stand-in for the parts of the Anypoint PDK (pdk::hl, pdk::logger) that the
// generated Flex policy uses, following the PDK documentation's signatures. Nothing here runs.
#![allow(dead_code, unused_variables, clippy::all)]

#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {{ let _ = format!($($arg)*); }};
}

pub mod logger {
    pub use crate::warn;
}

pub mod hl {
    use std::future::Future;
    use std::time::Duration;

    #[derive(Clone, Debug)]
    pub struct Uri(String);
    impl std::fmt::Display for Uri {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    #[derive(Clone, Debug, serde::Deserialize)]
    #[serde(from = "String")]
    pub struct Service {
        uri: Uri,
    }
    impl From<String> for Service {
        fn from(s: String) -> Self {
            Service { uri: Uri(s) }
        }
    }
    impl Service {
        pub fn uri(&self) -> &Uri {
            &self.uri
        }
    }

    #[derive(Debug)]
    pub struct HttpClientError;
    impl std::fmt::Display for HttpClientError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("http client error")
        }
    }
    impl std::error::Error for HttpClientError {}

    pub struct HttpClientResponse;
    impl HttpClientResponse {
        pub fn status_code(&self) -> u32 {
            200
        }
    }

    type Sent = std::pin::Pin<Box<dyn Future<Output = Result<HttpClientResponse, HttpClientError>>>>;

    pub struct RequestBuilder;
    impl RequestBuilder {
        pub fn path(self, path: &str) -> Self {
            self
        }
        pub fn headers(self, headers: Vec<(&str, &str)>) -> Self {
            self
        }
        pub fn body(self, body: &[u8]) -> Self {
            self
        }
        pub fn timeout(self, timeout: Duration) -> Self {
            self
        }
        fn send(self) -> Sent {
            Box::pin(async { Ok(HttpClientResponse) })
        }
        pub fn get(self) -> Sent {
            self.send()
        }
        pub fn head(self) -> Sent {
            self.send()
        }
        pub fn put(self) -> Sent {
            self.send()
        }
        pub fn post(self) -> Sent {
            self.send()
        }
        pub fn delete(self) -> Sent {
            self.send()
        }
        pub fn patch(self) -> Sent {
            self.send()
        }
        pub fn options(self) -> Sent {
            self.send()
        }
    }

    #[derive(Clone)]
    pub struct HttpClient;
    impl HttpClient {
        pub fn request(&self, service: &Service) -> RequestBuilder {
            RequestBuilder
        }
    }

    pub struct Timer;
    impl Timer {
        pub async fn sleep(&self, d: Duration) -> bool {
            true
        }
    }
    pub struct Clock;
    impl Clock {
        pub fn period(self, d: Duration) -> Timer {
            Timer
        }
    }

    pub trait HeadersHandler {
        fn headers(&self) -> Vec<(String, String)>;
        fn header(&self, name: &str) -> Option<String>;
    }
    pub trait BodyHandler {
        fn body(&self) -> Vec<u8>;
    }
    pub struct Handler;
    impl HeadersHandler for Handler {
        fn headers(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn header(&self, name: &str) -> Option<String> {
            None
        }
    }
    impl BodyHandler for Handler {
        fn body(&self) -> Vec<u8> {
            Vec::new()
        }
    }

    pub struct RequestState;
    pub struct RequestHeadersState;
    pub struct RequestBodyState;
    impl RequestState {
        pub async fn into_headers_state(self) -> RequestHeadersState {
            RequestHeadersState
        }
    }
    impl RequestHeadersState {
        pub fn path(&self) -> String {
            String::new()
        }
        pub fn method(&self) -> String {
            String::new()
        }
        pub fn handler(&self) -> &dyn HeadersHandler {
            &Handler
        }
        pub async fn into_body_state(self) -> RequestBodyState {
            RequestBodyState
        }
    }
    impl RequestBodyState {
        pub fn handler(&self) -> &dyn BodyHandler {
            &Handler
        }
    }

    pub struct ResponseState;
    pub struct ResponseHeadersState;
    pub struct ResponseBodyState;
    impl ResponseState {
        pub async fn into_headers_state(self) -> ResponseHeadersState {
            ResponseHeadersState
        }
    }
    impl ResponseHeadersState {
        pub fn status_code(&self) -> u32 {
            200
        }
        pub fn handler(&self) -> &dyn HeadersHandler {
            &Handler
        }
        pub async fn into_body_state(self) -> ResponseBodyState {
            ResponseBodyState
        }
    }
    impl ResponseBodyState {
        pub fn handler(&self) -> &dyn BodyHandler {
            &Handler
        }
    }

    pub struct StreamProperties;
    impl StreamProperties {
        pub fn read_property(&self, path: &[&str]) -> Option<Vec<u8>> {
            None
        }
    }

    pub struct Response;
    impl Response {
        pub fn new(status: u32) -> Self {
            Response
        }
        pub fn with_headers(self, headers: Vec<(String, String)>) -> Self {
            self
        }
        pub fn with_body(self, body: impl Into<Vec<u8>>) -> Self {
            self
        }
    }

    pub enum Flow<T> {
        Continue(T),
        Break(Response),
    }
    pub enum RequestData<T> {
        Continue(T),
        Break,
        Cancel,
    }

    pub struct Configuration(pub Vec<u8>);

    pub struct Filter<F, G> {
        request: F,
        response: G,
    }
    pub fn on_request<F, Fut, T>(f: F) -> Filter<F, ()>
    where
        F: Fn(RequestState, StreamProperties, HttpClient) -> Fut,
        Fut: Future<Output = Flow<T>>,
    {
        Filter { request: f, response: () }
    }
    impl<F> Filter<F, ()> {
        pub fn on_response<G, Fut, T>(self, g: G) -> Filter<F, G>
        where
            G: Fn(ResponseState, RequestData<T>, HttpClient) -> Fut,
            Fut: Future<Output = ()>,
        {
            Filter { request: self.request, response: g }
        }
    }

    #[derive(Debug)]
    pub struct LaunchError;
    impl std::fmt::Display for LaunchError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("launch error")
        }
    }
    impl std::error::Error for LaunchError {}

    pub struct Launcher;
    impl Launcher {
        pub async fn launch<F, G>(self, filter: Filter<F, G>) -> Result<(), LaunchError> {
            Ok(())
        }
    }
}

// logic.rs -- tests of the Flex policy's logic (connector.rs) on the host: headers, bodies, skipping,
// failover with retries, verdicts; and a dump of the generated defaults for the suite to compare.

use std::cell::RefCell;
use std::future::{ready, Future};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use edge_connector_logic::*;

fn noop_raw() -> RawWaker {
    fn clone(_: *const ()) -> RawWaker {
        noop_raw()
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    RawWaker::new(std::ptr::null(), &VTABLE)
}

/// Runs a future that never really waits (every test future is ready at once).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = Box::pin(f);
    let waker = unsafe { Waker::from_raw(noop_raw()) };
    let mut cx = Context::from_waker(&waker);
    for _ in 0..1000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete");
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn settings() -> Settings {
    Settings {
        endpoints: vec!["https://a.example.com/".to_string(), "http://b.example.com:5050/base".to_string()],
        asynchronous: false,
        retries: 0,
        retry_interval_ms: 100,
        fail_closed: false,
        fail_status: 503,
        send_request_body: true,
        request_body_limit: 4,
        send_response_body: true,
        response_body_limit: 2,
        real_ip_header: String::new(),
        host_header: String::new(),
        skip_extensions: vec!["css".to_string(), "png".to_string()],
        block_status: 451,
        block_page: "<h1>no</h1>".to_string(),
        token: String::new(),
        ..Settings::default()
    }
}

fn info() -> RequestInfo {
    RequestInfo {
        id: "00ff".to_string(),
        method: "GET".to_string(),
        path_query: "/x?y=1".to_string(),
        host: "api.example.com".to_string(),
        ip: "192.0.2.7".to_string(),
    }
}

/// Runs an exchange where endpoint i answers answers[attempt] in turn; returns the outcome, the
/// endpoints tried in order and the sleeps.
fn run(s: &Settings, answers: &[Result<u16, String>]) -> (Result<(usize, u16), String>, Vec<usize>, Vec<u64>) {
    let tried = RefCell::new(Vec::new());
    let slept = RefCell::new(Vec::new());
    let out = block_on(s.exchange(
        |i, _endpoint| {
            let n = tried.borrow().len();
            tried.borrow_mut().push(i);
            ready(answers.get(n).cloned().unwrap_or(Err("refused".to_string())))
        },
        |ms| {
            slept.borrow_mut().push(ms);
            ready(())
        },
    ));
    (out, tried.into_inner(), slept.into_inner())
}

#[test]
fn request_ids_are_32_hex_digits() {
    assert_eq!(request_id(&[0u8; 16]), "00000000000000000000000000000000");
    let id = request_id(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xab, 0xff]);
    assert_eq!(id, "deadbeef0102030405060708090aabff");
}

#[test]
fn static_extensions_are_skipped_by_the_last_segment() {
    let s = settings();
    assert!(s.skipped("/site/style.css"));
    assert!(s.skipped("/IMG/LOGO.PNG?v=2"));
    assert!(!s.skipped("/api/users"));
    assert!(!s.skipped("/dir.css/file"));
    assert!(!s.skipped("/file.cssx"));
    assert!(!s.skipped("/q?file=a.css"));
}

#[test]
fn client_info_uses_configured_headers_with_fallbacks() {
    let mut s = settings();
    let h = pairs(&[("Host", "api.example.com"), ("X-Client", "198.51.100.9"), ("X-Orig-Host", "front.example.com")]);
    assert_eq!(s.client_info(&h, "10.0.0.1"), ("api.example.com".to_string(), "10.0.0.1".to_string()));
    s.real_ip_header = "x-client".to_string();
    s.host_header = "X-ORIG-HOST".to_string();
    assert_eq!(s.client_info(&h, "10.0.0.1"), ("front.example.com".to_string(), "198.51.100.9".to_string()));
    let bare = pairs(&[("host", "api.example.com")]);
    assert_eq!(s.client_info(&bare, "10.0.0.1"), ("api.example.com".to_string(), "10.0.0.1".to_string()));
}

#[test]
fn node_headers_drop_hop_by_hop_and_add_protocol_v1() {
    let mut s = settings();
    let h = pairs(&[
        ("Host", "api.example.com"),
        ("Connection", "keep-alive, X-Secret-Hop"),
        ("X-Secret-Hop", "1"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "12"),
        ("X-Connector-Token", "forged"),
        ("X-Real-IP", "6.6.6.6"),
        ("Accept", "text/html"),
        ("accept", "application/json"),
        ("Cookie", "a=1"),
        ("cookie", "b=2"),
        ("User-Agent", "curl/8"),
    ]);
    let out = s.node_headers(&h, &info());
    let get = |n: &str| header_value(&out, n);
    assert_eq!(get("accept").as_deref(), Some("text/html, application/json"));
    assert_eq!(out.iter().filter(|(k, _)| k == "cookie").count(), 1);
    assert_eq!(get("cookie").as_deref(), Some("a=1; b=2"));
    assert_eq!(get("user-agent").as_deref(), Some("curl/8"));
    for gone in ["connection", "x-secret-hop", "transfer-encoding", "content-length", "host", "x-connector-token"] {
        assert_eq!(get(gone), None, "{} must not reach the node", gone);
    }
    assert_eq!(get("x-real-ip").as_deref(), Some("192.0.2.7"));
    assert_eq!(get("x-forwarded-host").as_deref(), Some("api.example.com"));
    assert_eq!(get("x-connector-request-id").as_deref(), Some("00ff"));
    assert_eq!(get("x-connector-mode").as_deref(), Some("inline"));
    assert!(get("x-connector").unwrap().starts_with("flex/"));
    s.token = "0123456789abcdef".to_string();
    s.asynchronous = true;
    let out = s.node_headers(&h, &info());
    assert_eq!(header_value(&out, "x-connector-token").as_deref(), Some("0123456789abcdef"));
    assert_eq!(header_value(&out, "x-connector-mode").as_deref(), Some("async"));
}

#[test]
fn report_headers_carry_the_origin_status() {
    let s = settings();
    let out = s.report_headers(&info(), 502);
    assert_eq!(header_value(&out, "x-connector-message").as_deref(), Some("response"));
    assert_eq!(header_value(&out, "x-connector-response-status").as_deref(), Some("502"));
    assert_eq!(header_value(&out, "x-connector-request-id").as_deref(), Some("00ff"));
}

#[test]
fn bodies_are_cut_at_their_limits_or_dropped() {
    let mut s = settings();
    assert_eq!(s.request_body(b"abcdefgh"), b"abcd");
    assert_eq!(s.request_body(b"ab"), b"ab");
    assert_eq!(s.response_body(b"abcdefgh"), b"ab");
    s.send_request_body = false;
    s.send_response_body = false;
    assert_eq!(s.request_body(b"abcdefgh"), b"");
    assert_eq!(s.response_body(b"abcdefgh"), b"");
}

#[test]
fn node_urls_join_endpoint_and_path() {
    assert_eq!(node_url("https://a.example.com/", "/x?y=1"), "https://a.example.com/x?y=1");
    assert_eq!(node_url("http://b.example.com:5050/base//", "x"), "http://b.example.com:5050/base/x");
}

#[test]
fn the_first_endpoint_that_answers_decides() {
    let s = settings();
    let (out, tried, slept) = run(&s, &[Ok(403)]);
    assert_eq!(out, Ok((0, 403)));
    assert_eq!(tried, vec![0]);
    assert!(slept.is_empty());
}

#[test]
fn failover_moves_on_after_an_error_or_an_unknown_status() {
    let s = settings();
    let (out, tried, _) = run(&s, &[Err("refused".to_string()), Ok(200)]);
    assert_eq!(out, Ok((1, 200)));
    assert_eq!(tried, vec![0, 1]);
    let (out, tried, _) = run(&s, &[Ok(500), Ok(415)]);
    assert_eq!(out, Ok((1, 415)));
    assert_eq!(tried, vec![0, 1]);
}

#[test]
fn retries_repeat_whole_rounds_after_the_interval() {
    let mut s = settings();
    s.retries = 2;
    s.retry_interval_ms = 250;
    let (out, tried, slept) = run(&s, &[Err("a".into()), Err("b".into()), Err("c".into()), Ok(204)]);
    assert_eq!(out, Ok((1, 204)));
    assert_eq!(tried, vec![0, 1, 0, 1]);
    assert_eq!(slept, vec![250]);
    let (out, tried, slept) = run(&s, &[]);
    assert!(out.unwrap_err().contains("b.example.com"));
    assert_eq!(tried.len(), 6);
    assert_eq!(slept, vec![250, 250]);
}

#[test]
fn verdicts_follow_protocol_v1() {
    let mut s = settings();
    assert_eq!(s.verdict(&Ok((0, 200))), Verdict::Pass);
    assert_eq!(s.verdict(&Ok((0, 204))), Verdict::Pass);
    assert_eq!(s.verdict(&Ok((1, 415))), Verdict::Pass);
    match s.verdict(&Ok((0, 403))) {
        Verdict::Deny { status, content_type, body } => {
            assert_eq!(status, 451);
            assert!(content_type.starts_with("text/html"));
            assert_eq!(body, "<h1>no</h1>");
        }
        other => panic!("403 must block, got {:?}", other),
    }
    assert_eq!(s.verdict(&Err("down".into())), Verdict::Pass);
    s.fail_closed = true;
    match s.verdict(&Err("down".into())) {
        Verdict::Deny { status, .. } => assert_eq!(status, 503),
        other => panic!("closed must deny, got {:?}", other),
    }
    s.asynchronous = true;
    assert_eq!(s.verdict(&Ok((0, 403))), Verdict::Pass);
    assert_eq!(s.verdict(&Err("down".into())), Verdict::Pass);
}

/// Writes the generated defaults as JSON to $FLEX_SETTINGS_DUMP, for the suite to compare with
/// the parameters the bundle was generated with.
#[test]
fn dump_generated_defaults() {
    let path = match std::env::var("FLEX_SETTINGS_DUMP") {
        Ok(p) => p,
        Err(_) => return,
    };
    let d = Settings::default();
    let v = serde_json::json!({
        "connector": CONNECTOR,
        "endpoint": d.endpoints,
        "mode": if d.asynchronous { "async" } else { "inline" },
        "request_timeout": d.request_timeout_ms,
        "retries": d.retries,
        "retry_interval": d.retry_interval_ms,
        "fail_mode": if d.fail_closed { "closed" } else { "open" },
        "fail_status": d.fail_status,
        "send_request_body": d.send_request_body,
        "request_body_limit": d.request_body_limit,
        "report_response": d.report_response,
        "send_response_body": d.send_response_body,
        "response_body_limit": d.response_body_limit,
        "real_ip_header": d.real_ip_header,
        "host_header": d.host_header,
        "skip_extensions": d.skip_extensions,
        "block_status": d.block_status,
        "block_page": d.block_page,
        "token": d.token,
    });
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
}

//! A stand-in for Intercom's API on 127.0.0.1, for `--verify`: a real HTTP
//! server (std's TcpListener, one thread per connection) that records every
//! request it receives and answers as the test's function says: a status
//! with headers and a body, or nothing at all (a server that hangs).
//!
//! Every connection is closed after one answer, and the server stops when
//! dropped; a hanging answer gives up after [`HANG`], so nothing outlives
//! the test for long.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a hanging answer holds its connection.
pub const HANG: Duration = Duration::from_secs(10);

/// One request, as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The token of `Authorization: Bearer <token>`.
    pub fn token(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request and never answer.
    Hang,
}

impl Reply {
    pub fn status(code: u16) -> Reply {
        Reply::Status {
            code,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// 200 with `/me`'s admin (and its workspace).
    pub fn admin(name: &str, email: &str, workspace: &str, app_id: &str, region: &str) -> Reply {
        let body = serde_json::json!({
            "type": "admin", "id": "991", "name": name, "email": email,
            "email_verified": true,
            "app": {"type": "app", "id_code": app_id, "name": workspace, "region": region,
                    "timezone": "Europe/Dublin", "created_at": 1_600_000_000, "identity_verification": false},
        });
        Reply::Status {
            code: 200,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: body.to_string(),
        }
    }

    /// 401 as Intercom words it.
    pub fn unauthorized() -> Reply {
        Reply::Status {
            code: 401,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#
                .to_owned(),
        }
    }

    /// 429 with `Retry-After: seconds`.
    pub fn rate_limited(seconds: u64) -> Reply {
        Reply::Status {
            code: 429,
            headers: vec![("Retry-After".to_owned(), seconds.to_string())],
            body: String::new(),
        }
    }
}

/// Decides the reply to a request; `earlier` counts the requests before it
/// with the same path and token.
pub type Answer = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// The running server.
pub struct FakeApi {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FakeApi {
    /// A server on 127.0.0.1 (a free port) answering with `answer`.
    pub fn start(answer: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let answer: Arc<Answer> = Arc::new(answer);
        let accept = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (requests, stop, answer) = (
                                Arc::clone(&requests),
                                Arc::clone(&stop),
                                Arc::clone(&answer),
                            );
                            std::thread::spawn(move || serve(stream, &requests, &stop, &*answer));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FakeApi {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path` (`""`, `"/eu"`).
    pub fn base(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests carried `token`.
    pub fn sent(&self, token: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.token() == Some(token))
            .count()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>, stop: &AtomicBool, answer: &Answer) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&stream) else {
        return;
    };
    let earlier = {
        let mut all = requests.lock().unwrap();
        let earlier = all
            .iter()
            .filter(|r| r.path == request.path && r.token() == request.token())
            .count();
        all.push(request.clone());
        earlier
    };
    match answer(&request, earlier) {
        Reply::Hang => {
            let until = Instant::now() + HANG;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Reply::Status {
            code,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {code} {}\r\n", reason(code));
            for (name, value) in headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ));
            let mut stream = stream;
            let _ = stream.write_all(out.as_bytes());
            let _ = stream.flush();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Some(Request {
        method,
        path,
        headers,
    })
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Other",
    }
}

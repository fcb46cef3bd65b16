//! DevTools over a pipe. Chromium started with `--remote-debugging-pipe` opens no port: it reads
//! commands on its fd 3 and writes answers and events on fd 4, each message ending in a NUL byte.
//! chromiumoxide speaks only WebSocket, so a bridge in this process takes exactly one WebSocket
//! connection, on 127.0.0.1 at a path with 122 random bits, and carries messages between it and
//! the pipe. The listening socket closes as soon as chromiumoxide is connected, a few milliseconds
//! after launch; with `--remote-debugging-port` Chromium's own endpoint stayed open for the whole
//! run, and its `/json` pages told every local user how to take the browser over.

use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use async_tungstenite::tungstenite::http::StatusCode;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use futures::StreamExt as _;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;
use tokio::process::{ChildStdin, ChildStdout};
use tokio::task::JoinHandle;

use super::BrowserError;

/// The bridge for one Chromium: the address chromiumoxide connects to, and the task carrying
/// messages until either side closes.
pub(super) struct Bridge {
    pub url: String,
    pub task: JoinHandle<()>,
}

/// Starts the bridge between chromiumoxide and Chromium's pipe (`commands` is its fd 3,
/// `events` its fd 4).
pub(super) async fn start(commands: ChildStdin, events: ChildStdout) -> Result<Bridge, BrowserError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| BrowserError::Launch(format!("cannot open the DevTools bridge: {e}")))?;
    let address = listener.local_addr().map_err(|e| BrowserError::Launch(format!("the DevTools bridge: {e}")))?;
    let path = format!("/devtools/browser/{}", uuid::Uuid::new_v4().simple());
    let url = format!("ws://{address}{path}");
    let task = tokio::spawn(async move {
        let Some(socket) = accept_one(listener, &path).await else { return };
        carry(socket, commands, events).await;
    });
    Ok(Bridge { url, task })
}

type Socket = async_tungstenite::WebSocketStream<async_tungstenite::tokio::TokioAdapter<tokio::net::TcpStream>>;

/// The first connection that asks for `path`; anything else is refused and waited past. The
/// listener is dropped on return, so the port closes.
async fn accept_one(listener: TcpListener, path: &str) -> Option<Socket> {
    // Chromium's answers (a page's HTML, a screenshot) can be large; its own endpoint sets no cap.
    let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
    loop {
        let (stream, _) = listener.accept().await.ok()?;
        #[expect(clippy::result_large_err, reason = "the handshake callback's type is tungstenite's")]
        let check = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
            if request.uri().path() == path {
                Ok(response)
            } else {
                let mut refused = ErrorResponse::new(None);
                *refused.status_mut() = StatusCode::NOT_FOUND;
                Err(refused)
            }
        };
        if let Ok(socket) = async_tungstenite::tokio::accept_hdr_async_with_config(stream, check, Some(config)).await {
            return Some(socket);
        }
    }
}

/// Carries messages both ways until chromiumoxide or Chromium goes.
async fn carry(socket: Socket, mut commands: ChildStdin, events: ChildStdout) {
    let (mut to_client, mut from_client) = socket.split();
    let outbound = async {
        while let Some(Ok(message)) = from_client.next().await {
            let mut bytes = match message {
                Message::Text(text) => text.as_bytes().to_vec(),
                Message::Binary(bytes) => bytes.to_vec(),
                Message::Close(_) => break,
                _ => continue,
            };
            bytes.push(0);
            if commands.write_all(&bytes).await.is_err() {
                break;
            }
        }
    };
    let inbound = async {
        let mut events = BufReader::new(events);
        let mut message = Vec::new();
        loop {
            message.clear();
            match events.read_until(0, &mut message).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if message.last() == Some(&0) {
                message.pop();
            }
            let text = String::from_utf8_lossy(&message).into_owned();
            if to_client.send(Message::text(text)).await.is_err() {
                break;
            }
        }
        // Chromium is gone: chromiumoxide learns it from the closed socket.
        let _ = to_client.close(None).await;
    };
    tokio::select! {
        () = outbound => {}
        () = inbound => {}
    }
}

//! An answer over the limit is refused while it streams in, and one that says it is too big before
//! a byte is read: a portal cannot exhaust the memory of an unattended sync.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use truckiq::limits::{BodyError, MAX_BODY_BYTES, body_text};

/// Serves one answer of `size` bytes, declaring its length or not.
async fn serve(size: usize, declared: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else { return };
        let mut request = [0u8; 1024];
        let _ = socket.read(&mut request).await;
        let length = if declared { format!("Content-Length: {size}\r\n") } else { String::new() };
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n");
        let _ = socket.write_all(head.as_bytes()).await;
        let block = vec![b' '; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len());
            if socket.write_all(&block[..n]).await.is_err() {
                return;
            }
            left -= n;
        }
    });
    format!("http://{address}/answer")
}

#[tokio::test]
async fn a_50_mib_answer_is_refused_and_a_small_one_read() {
    let client = reqwest::Client::new();
    for declared in [true, false] {
        let url = serve(50 * 1024 * 1024, declared).await;
        let error = body_text(client.get(&url).send().await.unwrap()).await.unwrap_err();
        assert!(matches!(error, BodyError::TooLarge), "declared {declared}: {error}");
        assert!(error.to_string().contains("larger than 20 MiB"));
    }
    let url = serve(1024, false).await;
    assert_eq!(body_text(client.get(&url).send().await.unwrap()).await.unwrap().len(), 1024);
    let url = serve(MAX_BODY_BYTES, true).await;
    assert_eq!(body_text(client.get(&url).send().await.unwrap()).await.unwrap().len(), MAX_BODY_BYTES, "at the limit");
}

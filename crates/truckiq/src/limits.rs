//! How much TruckIQ reads of one portal page or answer. A portal (or whatever answers in its
//! place) that sends a giant page must get a clear error, not exhaust the memory of a process that
//! runs unattended.

/// The most read of one page or one answer: far beyond any real fleet page (the largest seen in
/// the simulator's 500-truck benchmarks are a few hundred KiB).
pub const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is larger than {} MiB; TruckIQ does not read it", MAX_BODY_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("{0}")]
    Network(String),
}

/// The body of `response` as text, refused once it passes [`MAX_BODY_BYTES`]: by its declared
/// length before a byte is read, else while it streams in.
pub async fn body_text(mut response: reqwest::Response) -> Result<String, BodyError> {
    if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| BodyError::Network(e.to_string()))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

//! HTTPS with HTTP/2, as the real portals serve. It matters beyond faithfulness: over HTTP/1.1
//! Chromium opens at most six connections per host, which would cap a sync's concurrency at six.
//!
//! The certificate is self-signed and made fresh at each start. Clients trust exactly this key:
//! Chromium through `--ignore-certificate-errors-spki-list` with [`SimCertificate::spki_sha256`],
//! other clients by adding [`SimCertificate::der`] as a root.

use std::io;
use std::sync::Arc;

use base64::Engine;
use rcgen::PublicKeyData;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

/// The simulator's certificate and what clients need to trust it.
#[derive(Clone)]
pub struct SimCertificate {
    pub(crate) server_config: Arc<rustls::ServerConfig>,
    der: Vec<u8>,
    spki_sha256: String,
}

impl std::fmt::Debug for SimCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCertificate").field("spki_sha256", &self.spki_sha256).finish_non_exhaustive()
    }
}

impl SimCertificate {
    /// A certificate for `127.0.0.1` and `localhost`, offering HTTP/2 then HTTP/1.1 by ALPN.
    pub fn generate() -> io::Result<Self> {
        let rcgen::CertifiedKey { cert, signing_key } =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(io::Error::other)?;
        let der = cert.der().to_vec();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der()));
        // An explicit provider, so the choice never depends on which rustls features other crates enable.
        let mut server_config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(io::Error::other)?
                .with_no_client_auth()
                .with_single_cert(vec![CertificateDer::from(der.clone())], key)
                .map_err(io::Error::other)?;
        server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let spki_sha256 =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(signing_key.subject_public_key_info()));
        Ok(Self { server_config: Arc::new(server_config), der, spki_sha256 })
    }

    /// Base64 of the SHA-256 of the certificate's public key info, as Chromium's
    /// `--ignore-certificate-errors-spki-list` takes it.
    pub fn spki_sha256(&self) -> &str {
        &self.spki_sha256
    }

    /// The certificate in DER, to add as a trusted root in an HTTP client.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

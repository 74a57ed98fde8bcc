//! The Parseltongue language server, over stdio: started by `plc lsp` or
//! by the `parseltongue-lsp` binary.
//!
//! It reuses the core's parser, checker and IR through
//! [`parseltongue_core::analysis`]; this crate only speaks the protocol,
//! keeps the open buffers ([`files`]) and converts positions
//! ([`convert`]). Files that are not open are read through
//! [`files::FileSystem`], so the core stays pure and tests need no disk.

pub mod convert;
pub mod files;
pub mod server;

use std::sync::Arc;
use tower_lsp_server::{ClientSocket, LspService, Server};

/// The service and its client socket, reading unopened files through `disk`.
pub fn service(disk: Arc<dyn files::FileSystem>) -> (LspService<server::Backend>, ClientSocket) {
    LspService::build(move |client| server::Backend::new(client, disk.clone()))
        .custom_method(server::GENERATED_RUST, server::Backend::generated_rust)
        .finish()
}

/// Serves the protocol on stdin and stdout until the client exits.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = service(Arc::new(files::Disk));
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    Ok(())
}

//! Listening on every core of a partition with `SO_REUSEPORT`.
//!
//! Each core has its own listening socket on the same address; the kernel
//! spreads incoming connections over them, and the core that accepted a
//! connection serves it, so no connection crosses cores.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::core::{Command, CoreShared, TaskKind};

/// How many connections a socket's accept queue holds.
const BACKLOG: i32 = 1024;

pub(crate) fn listen<H, Fut>(
    cores: &[Arc<CoreShared>],
    address: SocketAddr,
    handler: H,
) -> io::Result<SocketAddr>
where
    H: Fn(tokio::net::TcpStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let handler = Arc::new(handler);
    let mut bound = address;
    let mut sockets = Vec::with_capacity(cores.len());
    // Every socket is bound before any core accepts, so a failure leaves
    // nothing half-listening.
    for _ in cores {
        let socket = Socket::new(
            Domain::for_address(bound),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.set_nonblocking(true)?;
        socket.bind(&bound.into())?;
        socket.listen(BACKLOG)?;
        if bound.port() == 0 {
            bound = socket
                .local_addr()?
                .as_socket()
                .ok_or_else(|| io::Error::other("the socket has no IP address"))?;
        }
        sockets.push(std::net::TcpListener::from(socket));
    }
    for (core, socket) in cores.iter().zip(sockets) {
        let handler = Arc::clone(&handler);
        core.send(Command::Run(Box::new(move |core_loop| {
            // Registering with the reactor must happen on the core's thread.
            match tokio::net::TcpListener::from_std(socket) {
                Ok(listener) => core_loop.spawn_local(
                    Box::pin(accept_loop(listener, handler)),
                    Some(Arc::from(format!("listener on {bound}"))),
                    TaskKind::Service,
                ),
                Err(error) => eprintln!("partition: cannot listen on {bound}: {error}"),
            }
        })));
    }
    Ok(bound)
}

async fn accept_loop<H, Fut>(listener: tokio::net::TcpListener, handler: Arc<H>)
where
    H: Fn(tokio::net::TcpStream, SocketAddr) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                crate::core::count_accept();
                let connection = handler(stream, peer);
                let name = Arc::from(format!("connection from {peer}"));
                // On a core this always succeeds; the accept loop runs on one.
                let _ = crate::core::spawn_here(Box::pin(connection), Some(name), TaskKind::Work);
            }
            // Out of file descriptors and the like: wait rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

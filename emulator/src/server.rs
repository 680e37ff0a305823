//! The native front: a tokio listener speaking HTTP/1.1 with hyper. It checks nothing itself; every request goes
//! to [`Emulator::handle`], the same call the wasm front makes.

use crate::{Answer, Config, Emulator, Env, env};
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// The system clock, tokio's timer and the OS's random bytes.
pub fn tokio_env() -> Env {
    Env {
        now_ms: env::system_now_ms,
        sleep: |duration| Box::pin(tokio::time::sleep(duration)),
        random: env::system_random,
    }
}

/// A running emulator. It stops when dropped or through [`Running::stop`].
pub struct Running {
    /// `http://host:port`, without a trailing slash.
    pub url: String,
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Resolves when the server stops (for the binary: never, unless it fails).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds and starts serving; `Running::url` names the bound address.
pub async fn spawn(config: Config) -> io::Result<Running> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let emulator = Emulator::new(config, &url, tokio_env()).map_err(io::Error::other)?;
    let (shutdown, stopped) = oneshot::channel();
    let task = tokio::spawn(serve(listener, emulator, stopped));
    Ok(Running { url, addr, shutdown: Some(shutdown), task: Some(task) })
}

async fn serve(listener: TcpListener, emulator: Emulator, mut stopped: oneshot::Receiver<()>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, emulator.clone()));
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, peer: SocketAddr, emulator: Emulator) {
    // A "drop" fault notifies this, and the connection is closed without a response.
    let kill = Arc::new(Notify::new());
    let killer = kill.clone();
    let connection_service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let (emulator, kill) = (emulator.clone(), killer.clone());
        async move {
            match emulator.handle(request, peer).await {
                Answer::Respond(response) => Ok::<_, Infallible>(response),
                Answer::Drop => {
                    kill.notify_one();
                    std::future::pending().await
                }
            }
        }
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), connection_service);
    tokio::select! {
        _ = connection => {}
        _ = kill.notified() => {}
    }
}

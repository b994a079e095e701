use std::net::SocketAddr;
use std::sync::Arc;

use zhengka_domain::employer::Role;
use zhengka_server::api::users::NewUser;
use zhengka_server::auth::token;
use zhengka_server::{AppState, Config, router};
use zhengka_store::Store;

use zhengka_server::providers::Providers;
use zhengka_server::providers::nats::{self, Nats};
use zhengka_server::providers::notify_webhook::{self, NotifyWebhook};
use zhengka_server::providers::outgoing::{Outgoing, OutgoingTls};
use zhengka_server::providers::real_person::{self, RealPersonProvider};

use crate::cli::OutsideServices;
use crate::data_dir::{DataDir, write_private};
use crate::deployment::Deployment;

pub async fn run(
    dir: &DataDir,
    url: &str,
    bind: SocketAddr,
    demo: bool,
    outside: &OutsideServices,
    deployment: &Deployment,
    pages: &crate::cli::PageOptions,
) -> anyhow::Result<()> {
    let providers = providers(outside, demo)?;
    // The one place (with `keys rotate`) where signing keys are made.
    deployment.ensure_keys(dir, chrono::Utc::now().timestamp())?;
    let credentials = deployment.credentials(dir)?;
    let store: Arc<dyn Store> = Arc::new(dir.connect(url).await?);
    first_admin(dir, store.clone()).await?;
    if demo {
        crate::demo::fill_if_empty(store.clone(), deployment.credentials(dir)?).await?;
    }
    let pdf_font =
        zhengka_server::pdf::font::choose(pages.pdf_font.as_deref()).map_err(anyhow::Error::msg)?;
    match &pdf_font {
        Some(font) => tracing::info!(font = %font.path().display(), "PDF font"),
        None => tracing::warn!(
            "no CJK font for PDFs (install fonts-wqy-microhei or pass --pdf-font): the Notice and Decision PDFs answer 503"
        ),
    }
    let config = Config {
        pdf_font,
        issuer_region: deployment.issuer_region.clone(),
        authority: pages.authority(),
        time_zone: pages.time_zone,
        client_address_header: outside.client_address_header.clone(),
        ..Config::default()
    };
    let state = AppState::with_credentials(store, config, credentials).with_providers(providers);
    spawn_jobs(&state);
    let app = router(state.clone());
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let stop = shutdown_signal()?;
    println!("zhengka is serving on http://{}", listener.local_addr()?);
    tracing::info!(%bind, holder = state.jobs.holder(), "serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await?;
    // Another instance takes the jobs over at once instead of after the leases end.
    zhengka_server::jobs::release_leases(&state).await;
    Ok(())
}

/// The outside services: a configured real-person provider, or (only with
/// `--demo`) the demo stand-in; never the stand-in in service.
fn providers(outside: &OutsideServices, demo: bool) -> anyhow::Result<Providers> {
    let tls = OutgoingTls::new(outside.tls_ca_file.as_deref()).map_err(anyhow::Error::msg)?;
    if outside.tls_ca_file.is_some() {
        tracing::info!(trust = ?tls, "outgoing TLS");
    }
    let real_person = match (&outside.real_person_url, demo) {
        (Some(url), _) => {
            let token = outside.real_person_token.as_deref().unwrap_or_default();
            Some(
                RealPersonProvider::http(
                    url,
                    token,
                    outside.real_person_threshold,
                    real_person::DEFAULT_TIMEOUT,
                    &tls,
                )
                .map_err(anyhow::Error::msg)?,
            )
        }
        (None, true) => {
            tracing::warn!("demo mode: the built-in real-person stand-in passes every image");
            Some(RealPersonProvider::Demo)
        }
        (None, false) => {
            tracing::warn!(
                "no real-person provider (--real-person-url): e-card registrations cannot finish"
            );
            None
        }
    };
    let notify_webhook = match &outside.notify_webhook_url {
        Some(url) => {
            let secret = outside.notify_webhook_secret.as_deref().unwrap_or_default();
            Some(
                NotifyWebhook::new(url, secret, notify_webhook::DEFAULT_TIMEOUT, &tls)
                    .map_err(anyhow::Error::msg)?,
            )
        }
        None => None,
    };
    let nats = match &outside.nats_url {
        Some(url) => Some(Nats::new(url, nats::DEFAULT_TIMEOUT).map_err(anyhow::Error::msg)?),
        None => None,
    };
    Ok(Providers {
        real_person,
        notify_webhook,
        nats,
        outgoing: Outgoing::new(&tls).map_err(anyhow::Error::msg)?,
    })
}

/// The background jobs. Each leased one runs on one instance at a time,
/// however many `serve` processes share the database.
fn spawn_jobs(state: &AppState) {
    use std::time::Duration;
    use zhengka_server::jobs;
    jobs::spawn_deadline_sweeper(state.clone(), Duration::from_secs(3600));
    // Contexts react to each other's events within a second or two.
    jobs::spawn_event_dispatcher(state.clone(), Duration::from_secs(1));
    jobs::spawn_status_publisher(state.clone(), jobs::STATUS_PUBLISH_EVERY);
    // The day's applied cards go to the manufacturer once a day.
    jobs::spawn_card_batcher(state.clone(), Duration::from_secs(24 * 3600));
    // Reminders fall due by the day; hourly keeps them within an hour of it.
    jobs::spawn_reminder_sweeper(state.clone(), Duration::from_secs(3600));
    // Every 5 s: the shortest back-off is 10 s.
    jobs::spawn_notification_sender(state.clone(), Duration::from_secs(5));
    // Each peer region is fetched every half of its maximum age; this only
    // looks for the ones due.
    jobs::spawn_federation_refresher(state.clone(), Duration::from_secs(30));
    // The agencies' webhooks, on the same schedule.
    jobs::spawn_webhook_sender(state.clone(), Duration::from_secs(5));
    // With --nats-url: events reach JetStream within a second or two.
    if state.providers.nats.is_some() {
        jobs::spawn_nats_publisher(state.clone(), Duration::from_secs(1));
    }
}

/// Ctrl-C, or SIGTERM (what systemd and container runtimes send). The handler
/// is installed when this is called, so call it before saying "serving": a
/// supervisor may stop the process as soon as it reads that.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// On first start, create `admin` with a random password, written only to a
/// file in the data directory (mode 0600) for the operator to pick up and
/// delete: never to stdout or the log, which are often collected and kept.
async fn first_admin(dir: &DataDir, store: Arc<dyn Store>) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let password = token::generate()[..24].to_owned();
    let body = NewUser {
        username: "admin".into(),
        password: password.clone(),
        role: Role::Admin,
        employer_id: None,
        region_code: None,
    };
    if let Err(e) = crate::users::add_user(store.clone(), body, "system").await {
        // Two instances started at once on a fresh database: the other made it.
        if store.count_users().await? > 0 {
            return Ok(());
        }
        return Err(e);
    }
    let path = dir.path().join("initial-admin-password");
    write_private(&path, password.as_bytes())?;
    println!(
        "first start: created user 'admin'; its password is in {} (read it, then delete the file)",
        path.display()
    );
    Ok(())
}

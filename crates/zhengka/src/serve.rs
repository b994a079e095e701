use std::net::SocketAddr;
use std::sync::Arc;

use zhengka_domain::employer::Role;
use zhengka_server::api::users::NewUser;
use zhengka_server::auth::token;
use zhengka_server::{AppState, Config, router};
use zhengka_store::Store;

use crate::data_dir::{DataDir, write_private};
use crate::deployment::Deployment;

pub async fn run(
    dir: &DataDir,
    url: &str,
    bind: SocketAddr,
    demo: bool,
    deployment: &Deployment,
) -> anyhow::Result<()> {
    // The one place (with `keys rotate`) where signing keys are made.
    deployment.ensure_keys(dir, chrono::Utc::now().timestamp())?;
    let credentials = deployment.credentials(dir)?;
    let store: Arc<dyn Store> = Arc::new(dir.connect(url).await?);
    first_admin(dir, store.clone()).await?;
    if demo {
        crate::demo::fill_if_empty(store.clone(), deployment.credentials(dir)?).await?;
    }
    zhengka_server::jobs::spawn_deadline_sweeper(
        store.clone(),
        std::time::Duration::from_secs(3600),
    );
    let config = Config {
        issuer_region: deployment.issuer_region.clone(),
        ..Config::default()
    };
    let state = AppState::with_credentials(store, config, credentials);
    // Contexts react to each other's events within a second or two.
    zhengka_server::jobs::spawn_event_dispatcher(state.clone(), std::time::Duration::from_secs(1));
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("zhengka is serving on http://{}", listener.local_addr()?);
    tracing::info!(%bind, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// On first start, create `admin` with a random password, shown once and kept
/// in the data directory (mode 0600) for the operator to pick up and delete.
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
    crate::users::add_user(store, body, "system").await?;
    let path = dir.path().join("initial-admin-password");
    write_private(&path, password.as_bytes())?;
    println!("first start: created user 'admin' with password {password}");
    println!("(also written to {}; delete it once noted)", path.display());
    Ok(())
}

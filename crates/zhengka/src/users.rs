use std::io::Read;
use std::sync::Arc;
use zhengka_store::prelude::*;

use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::ids::{RegionCode, Uscc};
use zhengka_server::api::users::{NewUser, build_user};
use zhengka_server::auth::password;
use zhengka_server::{AppState, Config};
use zhengka_store::{Audit, SqlStore, Store, Write};

use crate::cli::UsersCommand;
use crate::data_dir::DataDir;

pub async fn run(dir: &DataDir, url: &str, command: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::Add {
        role,
        username,
        password_stdin: _,
        employer_uscc,
        region_code,
    } = command;
    let store = dir.connect(url).await?;
    let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
    let employer_id = match employer_uscc {
        Some(raw) => Some(employer_by_uscc(&store, &raw).await?),
        None => None,
    };
    let region_code = region_code
        .map(|r| RegionCode::parse(&r))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--region-code: {e}"))?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let body = NewUser {
        username,
        password,
        role,
        employer_id,
        region_code,
    };
    let id = add_user(Arc::new(store), body, "cli").await?;
    println!("created user {id}");
    Ok(())
}

async fn employer_by_uscc(store: &SqlStore, raw: &str) -> anyhow::Result<String> {
    let uscc = Uscc::parse(raw).map_err(|e| anyhow::anyhow!("--employer-uscc: {e}"))?;
    let mut after: Option<String> = None;
    loop {
        let page = store.list_employers(after.as_deref(), 100).await?;
        if let Some(e) = page.iter().find(|e| e.uscc == uscc) {
            return Ok(e.id.clone());
        }
        match page.last() {
            Some(last) if page.len() == 100 => after = Some(last.id.clone()),
            _ => bail!("no employer with USCC {uscc}"),
        }
    }
}

/// Create a user with the same checks as `POST /api/v1/users`.
pub async fn add_user(store: Arc<dyn Store>, body: NewUser, actor: &str) -> anyhow::Result<String> {
    let app = AppState::new(store.clone(), Config::default());
    let user = build_user(&app, &body).await?;
    let hash = password::hash(body.password).await?;
    let audit = Audit {
        at: Utc::now(),
        actor: actor.to_owned(),
        action: "user.created",
        entity_type: "user",
        entity_id: user.id.clone(),
        details: json!({ "username": user.username, "role": user.role.as_str() }),
    };
    store.insert_user(&user, &hash, Write::new(audit)).await?;
    Ok(user.id)
}

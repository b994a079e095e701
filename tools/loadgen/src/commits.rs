//! The write yardstick: N clients doing the smallest write transaction there is
//! (`BEGIN; INSERT one row; COMMIT`) on the run's own database, with the
//! durability settings the store uses. A workflow write can at best match it;
//! the figure to compare between runs is the workload's writes/s divided by it.

use std::time::{Duration, Instant};

use sqlx::{AnyPool, Executor};

use crate::client::Outcome;

/// Latency key of one bare transaction.
pub const KIND: &str = "bare INSERT + COMMIT (yardstick)";

const TABLE: &str = "loadgen_bare_commits";

/// `clients` tasks committing one-row transactions for `duration` on `url`;
/// the scratch table is dropped afterwards.
pub async fn bare_commits(
    url: &str,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let pool = zhengka_store::testing::commit_pool(url, u32::try_from(clients)?).await?;
    pool.execute(
        format!("CREATE TABLE {TABLE} (client BIGINT NOT NULL, n BIGINT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (client, n))")
            .as_str(),
    )
    .await?;
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|client| tokio::spawn(commit_loop(pool.clone(), client, deadline)))
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        match t.await {
            Ok(o) => all.merge(o),
            Err(e) => all.error("commit task", e),
        }
    }
    all.elapsed = started.elapsed();
    all.writes = all.requests() as u64;
    pool.execute(format!("DROP TABLE {TABLE}").as_str()).await?;
    pool.close().await;
    Ok(all)
}

async fn commit_loop(pool: AnyPool, client: usize, deadline: Instant) -> Outcome {
    let mut out = Outcome::default();
    let insert = format!("INSERT INTO {TABLE} (client, n, at) VALUES ($1, $2, $3)");
    let mut n: i64 = 0;
    while Instant::now() < deadline {
        n += 1;
        let t = Instant::now();
        let done = async {
            let mut tx = pool.begin().await?;
            sqlx::query(&insert)
                .bind(client as i64)
                .bind(n)
                .bind(chrono::Utc::now().to_rfc3339())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        match done {
            Ok(()) => out.timed(KIND, t),
            Err(e) => out.error("bare commit", e),
        }
    }
    out
}

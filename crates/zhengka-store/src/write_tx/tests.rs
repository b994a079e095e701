//! Write lanes against a real PostgreSQL (skipped without one).

use std::time::Duration;

use sqlx::any::AnyPoolOptions;

use super::*;

async fn add(w: &mut WriteTx, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE t SET v = v + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut **w)
        .await?;
    Ok(())
}

async fn queued(writes: &Writes, begun: usize) {
    while writes.next.load(Ordering::Relaxed) < begun {
        tokio::task::yield_now().await;
    }
}

/// Two lanes whose batches each hold a row the other's next write wants:
/// PostgreSQL fails one of those two writes (a conflict, nothing of it
/// kept) and every other write commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lock_cycle_between_lanes_costs_one_write() {
    let Some(db) = crate::testing::postgres().await else {
        return;
    };
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .connect(&db.url)
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, v BIGINT); INSERT INTO t VALUES (1, 0), (2, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let writes = Arc::new(Writes::grouped(pool.clone(), Backend::Postgres, 2));
    let mut first = writes.begin().await.unwrap();
    add(&mut first, 1).await.unwrap();
    let mut second = writes.begin().await.unwrap();
    add(&mut second, 2).await.unwrap();
    // Queued on the two busy lanes (turns 3 and 4), ahead of the
    // committers that the two commits below spawn.
    let crossing = |id| {
        let writes = Arc::clone(&writes);
        tokio::spawn(async move {
            let mut w = writes.begin().await?;
            add(&mut w, id).await?;
            w.commit().await
        })
    };
    let third = crossing(2);
    queued(&writes, 3).await;
    let fourth = crossing(1);
    queued(&writes, 4).await;
    let first = tokio::spawn(first.commit());
    let second = tokio::spawn(second.commit());
    let wait = Duration::from_secs(30);
    let (third, fourth) = tokio::time::timeout(wait, async {
        (third.await.unwrap(), fourth.await.unwrap())
    })
    .await
    .expect("the cycle is broken");
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    let failed: Vec<_> = [&third, &fourth]
        .into_iter()
        .filter(|r| r.is_err())
        .collect();
    assert_eq!(failed.len(), 1, "{third:?} {fourth:?}");
    assert!(
        matches!(failed[0], Err(StoreError::Conflict { what }) if what == "write_deadlock"),
        "{failed:?}"
    );
    let v = |id: i64| {
        let pool = pool.clone();
        async move {
            let row = sqlx::query("SELECT v FROM t WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
            sqlx::Row::get::<i64, _>(&row, "v")
        }
    };
    assert_eq!(v(1).await, 1 + i64::from(fourth.is_ok()));
    assert_eq!(v(2).await, 1 + i64::from(third.is_ok()));
}

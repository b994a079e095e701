//! One schema, two dialects, no drift: both migrated schemas are described as
//! the same set of facts (tables, columns, keys, indexes), and migrations are
//! applied once and never edited.

use std::collections::BTreeSet;
use zhengka_store::prelude::*;

use sqlx::{AnyPool, Row};
use zhengka_store::{Backend, Store, StoreError};

use crate::backends::{TestDb, for_each_backend, fresh_postgres, fresh_sqlite, postgres_admin_url};
use crate::fixtures::{employer, write};

type Facts = BTreeSet<String>;

/// SQLite's declared types, in PostgreSQL's words.
fn sqlite_type(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "bigint".to_owned(),
        "blob" => "bytea".to_owned(),
        other => other.to_owned(),
    }
}

fn null(not_null: bool) -> &'static str {
    if not_null { "not null" } else { "null" }
}

async fn strings(pool: &AnyPool, sql: &str, bind: &str) -> Vec<String> {
    let rows = sqlx::query(sql)
        .bind(bind)
        .fetch_all(pool)
        .await
        .expect(sql);
    rows.iter()
        .map(|r| r.try_get(0).expect("a text column"))
        .collect()
}

async fn sqlite_facts(pool: &AnyPool) -> Facts {
    let mut facts = Facts::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        facts.insert(format!("table {t}"));
        let cols = sqlx::query(
            r#"SELECT cid, name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY cid"#,
        )
        .bind(&t)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let (cid, name, ty): (i64, String, String) = (c.get(0), c.get(1), c.get(2));
            let (not_null, pk_pos): (i64, i64) = (c.get(3), c.get(4));
            facts.insert(format!(
                "column {t}.{name} #{} {} {}",
                cid + 1,
                sqlite_type(&ty),
                null(not_null != 0)
            ));
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        let pk: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
        facts.insert(format!("primary key {t} ({})", pk.join(", ")));
        let indexes = sqlx::query(
            "SELECT i.name, i.\"unique\", i.origin, m.sql FROM pragma_index_list($1) i \
             LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = i.name",
        )
        .bind(&t)
        .fetch_all(pool)
        .await
        .unwrap();
        for i in &indexes {
            let (name, unique, origin): (String, i64, String) = (i.get(0), i.get(1), i.get(2));
            // SQLite keeps the CREATE statement; a partial index's predicate follows WHERE.
            let sql: Option<String> = i.get(3);
            let predicate = sql.and_then(|s| {
                let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                let at = s.to_ascii_uppercase().find(" WHERE ")?;
                Some(s[at + 7..].to_owned())
            });
            let cols = strings(
                pool,
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                &name,
            )
            .await;
            let cols = cols.join(", ");
            match origin.as_str() {
                "pk" => {}
                // SQLite names a UNIQUE constraint's index itself: compare the columns.
                "u" => drop(facts.insert(format!("unique {t} ({cols})"))),
                _ => drop(facts.insert(index_fact(
                    &name,
                    &t,
                    &cols,
                    unique != 0,
                    predicate.as_deref(),
                ))),
            }
        }
        let fks = sqlx::query(
            r#"SELECT "table", "from", "to" FROM pragma_foreign_key_list($1) ORDER BY id, seq"#,
        )
        .bind(&t)
        .fetch_all(pool)
        .await
        .unwrap();
        for f in &fks {
            let (to_table, from, to): (String, String, Option<String>) =
                (f.get(0), f.get(1), f.get(2));
            let to = to.unwrap_or_else(|| "<primary key>".to_owned());
            facts.insert(format!("foreign key {t} ({from}) -> {to_table} ({to})"));
        }
    }
    facts
}

fn index_fact(
    name: &str,
    table: &str,
    cols: &str,
    unique: bool,
    predicate: Option<&str>,
) -> String {
    let unique = if unique { "unique " } else { "" };
    let predicate = predicate
        .map(|p| format!(" where {}", normal_predicate(p)))
        .unwrap_or_default();
    format!("{unique}index {name} on {table} ({cols}){predicate}")
}

/// A partial index's predicate in one spelling. PostgreSQL gives it back
/// deparsed (`(status <> ALL (ARRAY['a'::text, 'b'::text]))`), SQLite as written
/// (`status NOT IN ('a', 'b')`): the same list in the same order compares equal,
/// anything else (another status, another column) differs.
fn normal_predicate(p: &str) -> String {
    let p = p
        .to_ascii_lowercase()
        .replace("::text", "")
        .replace("<> all (array[", "not in (")
        .replace("= any (array[", "in (")
        .replace("])", ")")
        .replace(['(', ')', ';'], "");
    p.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn both_spellings_of_a_predicate_compare_equal() {
    let pg = "(status <> ALL (ARRAY['expired'::text, 'cancelled'::text, 'revoked'::text]))";
    let lite = "status NOT IN ('expired', 'cancelled', 'revoked')";
    assert_eq!(normal_predicate(pg), normal_predicate(lite));
    assert_ne!(
        normal_predicate(lite),
        normal_predicate("status NOT IN ('expired', 'cancelled')")
    );
    assert_ne!(
        normal_predicate(lite),
        normal_predicate("status IN ('expired', 'cancelled', 'revoked')")
    );
}

/// Positions counted among the live columns: PostgreSQL keeps a dropped
/// column's number, SQLite renumbers.
const PG_COLUMNS: &str = "SELECT table_name::text, \
     (row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position))::bigint, \
     column_name::text, data_type::text, is_nullable::text \
     FROM information_schema.columns WHERE table_schema = $1";

const PG_INDEXES: &str = "SELECT t.relname::text, i.relname::text, \
     (CASE WHEN ix.indisprimary THEN 'pk' WHEN c.contype = 'u' THEN 'u' ELSE 'c' END)::text, \
     (CASE WHEN ix.indisunique THEN 1 ELSE 0 END)::bigint, \
     string_agg(a.attname::text, ', ' ORDER BY k.ord)::text, \
     pg_get_expr(ix.indpred, ix.indrelid)::text \
     FROM pg_index ix \
     JOIN pg_class i ON i.oid = ix.indexrelid \
     JOIN pg_class t ON t.oid = ix.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid AND c.conrelid = t.oid \
          AND c.contype IN ('p', 'u') \
     CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
     WHERE n.nspname = $1 GROUP BY 1, 2, 3, 4, 6";

const PG_FOREIGN_KEYS: &str = "SELECT t.relname::text, a.attname::text, ft.relname::text, \
     fa.attname::text FROM pg_constraint c \
     JOIN pg_class t ON t.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     JOIN pg_class ft ON ft.oid = c.confrelid \
     CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(attnum, fattnum) \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
     JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fattnum \
     WHERE c.contype = 'f' AND n.nspname = $1";

async fn postgres_facts(pool: &AnyPool) -> Facts {
    let mut facts = Facts::new();
    let tables = strings(
        pool,
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
        "public",
    )
    .await;
    facts.extend(tables.iter().map(|t| format!("table {t}")));
    for c in sqlx::query(PG_COLUMNS)
        .bind("public")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let (t, pos, name): (String, i64, String) = (c.get(0), c.get(1), c.get(2));
        let (ty, nullable): (String, String) = (c.get(3), c.get(4));
        facts.insert(format!(
            "column {t}.{name} #{pos} {ty} {}",
            null(nullable == "NO")
        ));
    }
    let mut with_pk = BTreeSet::new();
    for i in sqlx::query(PG_INDEXES)
        .bind("public")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let (t, name, origin): (String, String, String) = (i.get(0), i.get(1), i.get(2));
        let (unique, cols, predicate): (i64, String, Option<String>) =
            (i.get(3), i.get(4), i.get(5));
        match origin.as_str() {
            "pk" => {
                facts.insert(format!("primary key {t} ({cols})"));
                with_pk.insert(t);
            }
            "u" => drop(facts.insert(format!("unique {t} ({cols})"))),
            _ => drop(facts.insert(index_fact(
                &name,
                &t,
                &cols,
                unique != 0,
                predicate.as_deref(),
            ))),
        }
    }
    // SQLite reports "no primary key" as an empty one.
    for t in tables.iter().filter(|t| !with_pk.contains(*t)) {
        facts.insert(format!("primary key {t} ()"));
    }
    for f in sqlx::query(PG_FOREIGN_KEYS)
        .bind("public")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let (t, col, ft, fcol): (String, String, String, String) =
            (f.get(0), f.get(1), f.get(2), f.get(3));
        facts.insert(format!("foreign key {t} ({col}) -> {ft} ({fcol})"));
    }
    facts
}

async fn facts(db: &TestDb) -> Facts {
    let raw = db.raw().await;
    let facts = match db.store.backend() {
        Backend::Sqlite => sqlite_facts(&raw).await,
        Backend::Postgres => postgres_facts(&raw).await,
    };
    raw.close().await;
    assert!(
        facts.iter().any(|f| f == "table applications"),
        "introspection found no tables"
    );
    facts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(admin_url) = postgres_admin_url() else {
        eprintln!("note: schema comparison skipped (needs PostgreSQL)");
        return;
    };
    let (lite, lite_cleanup) = fresh_sqlite().await;
    let (pg, pg_cleanup) = fresh_postgres(&admin_url).await;
    let (lite_facts, pg_facts) = (facts(&lite).await, facts(&pg).await);
    drop((lite, pg));
    lite_cleanup.run().await;
    pg_cleanup.run().await;

    // The comparison covers partial indexes' predicates, not only their columns.
    let one_active = "unique index permits_one_active_per_holder on permits (passport_hmac) \
                      where status not in 'expired', 'cancelled', 'revoked'";
    assert!(lite_facts.contains(one_active), "{lite_facts:#?}");
    let only = |a: &Facts, b: &Facts| a.difference(b).cloned().collect::<Vec<_>>().join("\n  ");
    assert!(
        lite_facts == pg_facts,
        "the SQLite and PostgreSQL schemas differ.\nonly in SQLite:\n  {}\nonly in PostgreSQL:\n  {}",
        only(&lite_facts, &pg_facts),
        only(&pg_facts, &lite_facts),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrating_again_changes_nothing() {
    for_each_backend(|db| async move {
        let e = employer(1, "440100");
        db.store
            .insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let before = facts(&db).await;
        let applied = db.count("schema_migrations").await;
        assert!(applied >= 2, "every migration is recorded");

        db.store.migrate().await.unwrap();
        db.store.migrate().await.unwrap();

        assert_eq!(facts(&db).await, before, "the schema changed");
        assert_eq!(db.count("schema_migrations").await, applied);
        assert_eq!(db.count("audit_head").await, 1);
        assert_eq!(db.store.get_employer(&e.id).await.unwrap(), e, "data kept");
        assert_eq!(db.store.verify_audit_chain().await.unwrap().events, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_migration_is_refused() {
    for_each_backend(|db| async move {
        let raw = db.raw().await;
        sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2")
            .bind("0".repeat(64))
            .bind(1_i64)
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        match db.store.migrate().await {
            Err(StoreError::Other(e)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("migration 1 (init) was changed"),
                    "unexpected message: {msg}"
                );
            }
            other => panic!("expected the edited migration to be refused, got {other:?}"),
        }
        db.store.ping().await.unwrap();
    })
    .await;
}

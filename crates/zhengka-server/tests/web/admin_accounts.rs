//! The admin's users page: switch an account off and on, unlock it, hand a
//! one-time reset link over; the person sets a new password through it.
//! axe at desktop and 390 px on the admin table and the reset pages.

use crate::browser::{self, text};
use crate::server::{OFFICER, Server};

#[tokio::test]
async fn the_admin_switches_an_account_off_and_hands_over_a_reset_link() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let lang = "en";
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, "admin").await;
    b.goto(&s.url("/web/admin/users")).await;
    let row = "#user-officer-gd";
    assert_eq!(
        b.text(&format!("{row} .user-state")).await,
        text(lang, "users.state_on")
    );
    b.axe("users with actions").await;
    b.resize(390, 844).await;
    b.axe("users with actions, 390 px").await;
    b.resize(1280, 900).await;
    b.go(&format!("{row} button.user-disable")).await;
    assert_eq!(b.text("#flash").await, text(lang, "done.user_disabled"));
    assert_eq!(
        b.text(&format!("{row} .user-state")).await,
        text(lang, "users.state_off")
    );
    b.go(&format!("{row} button.user-enable")).await;
    assert_eq!(b.text("#flash").await, text(lang, "done.user_enabled"));
    b.go(&format!("{row} button.user-unlock")).await;
    assert_eq!(b.text("#flash").await, text(lang, "done.user_unlocked"));
    b.go(&format!("{row} button.user-reset")).await;
    let path = b.text("#reset-link").await;
    assert!(path.starts_with("/web/password-reset/"), "{path}");
    b.axe("reset link").await;
    b.sign_out().await;

    b.goto(&s.url(&path)).await;
    b.axe("set a new password").await;
    b.fill("#f-password", "a brand new password").await;
    b.fill("#f-password_again", "a different password").await;
    b.go("#reset-form button[type=submit]").await;
    assert_eq!(
        b.text("#f-password_again-error").await,
        text(lang, "error.passwords_differ")
    );
    b.resize(390, 844).await;
    b.axe("set a new password with an error, 390 px").await;
    b.resize(1280, 900).await;
    b.fill("#f-password", "a brand new password").await;
    b.fill("#f-password_again", "a brand new password").await;
    b.go("#reset-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, text(lang, "done.password_changed"));
    b.fill("#f-username", OFFICER).await;
    b.fill("#f-password", "a brand new password").await;
    b.go("main form button[type=submit]").await;
    assert!(!b.path().await.starts_with("/web/sign-in"), "signed in");
    b.goto(&s.url(&path)).await;
    assert!(b.exists("#reset-invalid").await, "a link works once");
    b.finish().await;
}

/// The admin changes an officer's role on its own page, in Chinese: a role
/// whose scope is missing is refused next to the field, then saved; axe at
/// desktop and 390 px.
#[tokio::test]
async fn the_admin_changes_a_role_on_its_page() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let lang = "zh-CN";
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, "admin").await;
    b.goto(&s.url("/web/admin/users")).await;
    let row = "#user-officer-gd";
    b.go(&format!("{row} a.user-role")).await;
    assert_eq!(b.prop("#f-role", "value").await, "permit_officer");
    b.axe("change a role").await;
    b.select("#f-role", "employer_agent").await;
    b.set("#f-region_code", "").await;
    b.go("#role-form button[type=submit]").await;
    assert_eq!(
        b.text("#f-employer_id-error").await,
        text(lang, "error.required")
    );
    b.resize(390, 844).await;
    b.axe("change a role with an error, 390 px").await;
    b.resize(1280, 900).await;
    b.select("#f-role", "police_officer").await;
    b.fill("#f-region_code", "440000").await;
    b.go("#role-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, text(lang, "done.user_role_changed"));
    assert_eq!(
        b.text(&format!("{row} td:nth-child(2)")).await,
        text(lang, "role.police_officer")
    );
    b.finish().await;
}
